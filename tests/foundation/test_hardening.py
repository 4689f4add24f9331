"""Issue 12, finding 8: API tokens expire and die with a password change or a log-out; pages with children's data are
not cached; production refuses ALLOWED_HOSTS='*'; invisible characters never reach a stored name or a search.
Also the shared cache the public form's limits rely on (finding 4)."""

import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.settings.checks import insecure_settings
from tests.foundation.test_settings import STRONG_KEY, start_production
from treem.accounts.services import user_change_password, user_create
from treem.core.actors import SYSTEM
from treem.core.text import clean, fold
from treem.registry import services as registry
from treem.registry.models import Child
from treem.registry.quality.text import normalize_name
from treem.registry.reference import load_reference
from treem.registry.selectors import search_children

PASSWORD = "Mat-khau-2026!"
NEW_PASSWORD = "Mat-khau-moi-2027#"


def token_for(username, password=PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_get(key, path="/api/v1/me/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(path)


def age_token(key, hours):
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=hours))


# -- 8a: tokens -----------------------------------------------------------------------------------------------------


def test_a_token_expires_after_the_configured_hours(worker_x, settings):
    settings.TREEM_API_TOKEN_HOURS = 12
    key = token_for("canbo.x")
    age_token(key, 11)
    assert api_get(key).status_code == 200
    age_token(key, 13)
    refused = api_get(key)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"
    assert refused.json()["detail"] == ("Mã truy cập API của bạn đã hết hạn. Vui lòng lấy mã mới bằng tên đăng nhập "
                                        "và mật khẩu.")
    assert not Token.objects.filter(key=key).exists()
    fresh = token_for("canbo.x")  # logging in again gives a new token that works
    assert fresh != key and api_get(fresh).status_code == 200


def test_an_expired_token_is_replaced_when_the_user_asks_again(worker_x):
    key = token_for("canbo.x")
    age_token(key, 24 * 30)
    again = token_for("canbo.x")
    assert again != key and api_get(again).status_code == 200


def test_the_hotline_service_token_lives_longer_and_is_renewed_by_the_command(db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.TREEM_SERVICE_TOKEN_HOURS = 90 * 24
    out = StringIO()
    call_command("hotline_token", stdout=out)
    key = out.getvalue().strip()
    age_token(key, 13)  # past a person's 12 hours: a service account cannot log in to get another
    assert api_get(key).status_code == 200
    age_token(key, 91 * 24)
    assert api_get(key).status_code == 401
    out = StringIO()
    call_command("hotline_token", stdout=out)
    assert out.getvalue().strip() != key and api_get(out.getvalue().strip()).status_code == 200


@pytest.mark.parametrize("path", ["own change", "service", "admin reset", "set_password"])
def test_a_password_change_ends_the_users_tokens(client, worker_x, national_admin, path):
    key = token_for("canbo.x")
    other = Token.objects.create(user=national_admin).key  # an administrator's token needs a 2FA code: made directly
    if path == "own change":
        client.force_login(worker_x)
        response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD})
        assert response.status_code == 302
    elif path == "service":
        user_change_password(actor=national_admin, user=worker_x, new_password=NEW_PASSWORD)
    elif path == "admin reset":
        client.force_login(national_admin)
        response = client.post(f"/admin/accounts/user/{worker_x.pk}/password/",
                               {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
        assert response.status_code == 302, response.content.decode()[:2000]
    else:  # `manage.py changepassword` and scripts
        worker_x.set_password(NEW_PASSWORD)
        worker_x.save()
    assert api_get(key).status_code == 401 and not Token.objects.filter(user=worker_x).exists()
    assert api_get(other).status_code == 200  # other users keep theirs


def test_the_admin_password_form_ends_tokens_too(worker_x):
    key = token_for("canbo.x")
    form = AdminPasswordChangeForm(worker_x, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                              "usable_password": "true"})
    assert form.is_valid(), form.errors
    form.save()
    assert api_get(key).status_code == 401


def test_logging_out_ends_the_users_tokens(client, worker_x):
    from treem.audit.models import AuditEvent

    key = token_for("canbo.x")
    assert client.login(username="canbo.x", password=PASSWORD)
    client.post("/accounts/logout/")
    assert api_get(key).status_code == 401
    assert AuditEvent.objects.filter(action="api.token.revoke", object_id=str(worker_x.pk)).exists()


# -- 8b: no caching of pages with children's data -------------------------------------------------------------------


def test_pages_and_api_answers_to_a_logged_in_user_are_not_cached(client, worker_x):
    client.force_login(worker_x)
    for path in ("/", "/children/", "/api/v1/me/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store, private" and response["Pragma"] == "no-cache", path
    token_answer = api_get(token_for("canbo.x"), "/api/v1/children/")
    assert token_answer.status_code == 200 and token_answer["Cache-Control"] == "no-store, private"
    refused = APIClient().get("/api/v1/children/")  # an API answer even without a user
    assert refused["Cache-Control"] == "no-store, private"


def test_static_files_stay_cacheable(client, worker_x):
    client.force_login(worker_x)
    response = client.get("/static/web/treem.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "") and not response.has_header("Pragma")


# -- 8c: ALLOWED_HOSTS ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hosts", ["*", "treem.example.vn,*", " * "])
def test_production_refuses_a_wildcard_host(hosts):
    result = start_production(SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr and "ALLOWED_HOSTS contains '*'" in result.stderr


def test_a_subdomain_pattern_is_still_allowed():
    assert insecure_settings({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": ".treem.gov.vn,treem.example.vn"},
                             debug=False) == []
    assert insecure_settings({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": " , "}, debug=False) == [
        "ALLOWED_HOSTS is not set"]


# -- 8d: invisible characters ---------------------------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\x00", "\x07", "\x1b"]
ODD_SPACES = ["\u00a0", "\u2007", "\u202f", "\u3000", "\t", "\n"]


def _visible(text: str) -> bool:
    return not any(unicodedata.category(c) in {"Cf", "Cc", "Cs"} for c in text)


names = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(INVISIBLE + ODD_SPACES + list("ễĐđ ́"))))


@hsettings(max_examples=400)
@given(names)
def test_clean_removes_invisible_characters_and_is_idempotent(text):
    cleaned = clean(text)
    assert _visible(cleaned) and cleaned == clean(cleaned)
    assert cleaned == unicodedata.normalize("NFC", cleaned) and "  " not in cleaned
    assert cleaned == cleaned.strip() and not any(c.isspace() and c != " " for c in cleaned)


@hsettings(max_examples=400)
@given(names)
def test_names_and_foldings_have_no_invisible_characters(text):
    name = normalize_name(text)
    assert _visible(name) and normalize_name(name) == name
    assert _visible(fold(text)) and fold(fold(text)) == fold(text)


@pytest.mark.parametrize("char", INVISIBLE + ODD_SPACES)
def test_each_invisible_or_odd_space_is_cleaned(char):
    assert clean(f"Ng{char}uyễn") in {"Nguyễn", "Ng uyễn"}
    assert clean(f"Nguyễn{char}Văn") in {"Nguyễn Văn", "NguyễnVăn"}
    assert clean(f"Nguyễn{char} An") == "Nguyễn An"


@pytest.fixture
def child_with_zwsp(db, commune_x):
    load_reference()
    return registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Ng\u200buyễn\u00a0Văn\u200d An\ufeff", "sex": "M", "birth_date": date(2018, 5, 1)})


def test_a_child_saved_with_a_zero_width_character_is_found(child_with_zwsp):
    child = Child.objects.get(pk=child_with_zwsp.pk)
    assert child.full_name == "Nguyễn Văn An" and child.name_folded == "nguyen van an"
    for typed in ("nguyen", "Nguyễn An", "ng\u200buyen", "\u2060nguyen\u00a0van"):
        assert list(search_children(Child.objects.all(), typed)) == [child], typed


def test_carers_households_and_users_are_cleaned(child_with_zwsp, national_admin):
    link = registry.carer_link(actor=SYSTEM, child=child_with_zwsp, full_name="Lò\u200b Thị\u00ad Hoa")
    assert link.carer.full_name == "Lò Thị Hoa" and link.carer.name_folded == "lo thi hoa"
    household = registry.household_create(actor=SYSTEM, child=child_with_zwsp,
                                          data={"head_name": "Lò\u200c Văn\u202e Páo", "village": "Bản\u00a0Nà"})
    assert household.head_name == "Lò Văn Páo" and household.village == "Bản Nà"
    user = user_create(actor=national_admin, username="canbo.moi", full_name="Trần\u200b Thu\u00a0Hà",
                       password=None)
    assert user.full_name == "Trần Thu Hà"
    user.full_name = "Trần\ufeffThu Hà"
    user.full_clean(exclude=["password"])  # what the admin's forms call
    assert user.full_name == "TrầnThu Hà"


# -- the shared cache (finding 4) -----------------------------------------------------------------------------------


def test_the_default_cache_is_shared_not_process_memory(settings):
    assert settings.CACHES["default"]["BACKEND"] in {"treem.core.cache.DatabaseCache",
                                                     "django.core.cache.backends.redis.RedisCache"}


def test_a_counter_keeps_its_window_when_incremented(db):
    cache.add("hardening:counter", 1, 3600)
    assert cache.incr("hardening:counter") == 2 and cache.incr("hardening:counter", 3) == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM treem_cache WHERE cache_key LIKE %s", ["%hardening:counter"])
        expires = cursor.fetchone()[0]
    if isinstance(expires, str):
        expires = datetime.fromisoformat(expires)
    if expires.tzinfo is None:  # SQLite keeps UTC without a zone
        expires = expires.replace(tzinfo=UTC)
    # Django's own DatabaseCache.incr rewrites the row with the default timeout (5 minutes): the window would shrink.
    assert expires > timezone.now() + timedelta(minutes=50)
    with pytest.raises(ValueError):
        cache.incr("hardening:missing")


def test_the_migration_cleans_names_already_stored(child_with_zwsp):
    from importlib import import_module

    from django.apps import apps

    from treem.registry.models import Carer, Household

    migration = import_module("treem.registry.migrations.0009_names_without_invisible_characters")
    household = registry.household_create(actor=SYSTEM, child=child_with_zwsp, data={"head_name": "Lò Văn Páo"})
    carer = registry.carer_link(actor=SYSTEM, child=child_with_zwsp, full_name="Lò Thị Hoa").carer
    # rows written before the cleaning existed
    Child.objects.filter(pk=child_with_zwsp.pk).update(full_name="Ng\u200buyễn\u00a0Văn An",
                                                       name_folded="ng\u200buyen van an")
    Carer.objects.filter(pk=carer.pk).update(full_name="Lò\u2060 Thị Hoa\ufeff")
    Household.objects.filter(pk=household.pk).update(head_name="Lò\u00ad Văn Páo")
    untouched = registry.child_create(actor=SYSTEM, commune=child_with_zwsp.commune, data={
        "full_name": "Trần Thị Bích", "sex": "F", "birth_date": date(2019, 1, 2)})
    suspect = migration._suspect_pattern()
    assert set(Child.objects.filter(full_name__regex=suspect).values_list("pk", flat=True)) == {child_with_zwsp.pk}
    migration.clean_names(apps, None)
    child = Child.objects.get(pk=child_with_zwsp.pk)
    assert (child.full_name, child.name_folded) == ("Nguyễn Văn An", "nguyen van an")
    assert list(search_children(Child.objects.all(), "nguyen")) == [child]
    assert Carer.objects.get(pk=carer.pk).full_name == "Lò Thị Hoa"
    household = Household.objects.get(pk=household.pk)
    assert household.head_name == "Lò Văn Páo" and household.search_folded.startswith("lo van pao")
    assert not Child.objects.filter(full_name__regex=suspect).exists()
    assert Child.objects.get(pk=untouched.pk).full_name == "Trần Thị Bích"
