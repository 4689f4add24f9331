"""Issue 11: a province administrator manages the accounts of her province in treem (not in Django's admin)."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from treem.access import Capability, scope_for
from treem.accounts import services
from treem.accounts.models import Assignment, Role, User
from treem.audit.models import AuditEvent

URL = "/accounts/users/"


@pytest.fixture
def province_admin(make_user, lai_chau):
    return make_user("quantri.laichau", Role.ADMINISTRATOR, lai_chau)


@pytest.fixture
def an_giang_commune(an_giang):
    return an_giang.children.filter(level="commune").first() or \
        type(an_giang).objects.filter(province=an_giang, level="commune", system="current").first()


@pytest.fixture
def an_giang_worker(make_user, an_giang_commune):
    return make_user("canbo.angiang", Role.COMMUNE_WORKER, an_giang_commune)


def shown_password(response) -> str:
    return re.search(r'data-testid="password">([^<]+)<', response.content.decode()).group(1)


def create_form(commune, **extra):
    return {"username": "canbo.moi", "full_name": "Lò Thị Mới", "email": "", "phone": "0912345678",
            "role": Role.COMMUNE_WORKER, "unit": commune.pk, "agency": "", "valid_from": "01/07/2025",
            "valid_to": "", **extra}


def test_province_admin_creates_a_commune_worker_of_her_province(client, province_admin, commune_x):
    client.force_login(province_admin)
    form = client.get(URL + "new/")
    page = form.content.decode()
    assert form.status_code == 200 and "Tài khoản mới" in page
    assert "Xã Bình Lư" in page and "Cán bộ bảo vệ trẻ em cấp xã" in page
    assert 'value="administrator"' not in page and 'value="auditor"' not in page  # roles she may not give

    response = client.post(URL + "new/", create_form(commune_x))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    user = User.objects.get(username="canbo.moi")
    assert user.full_name == "Lò Thị Mới" and user.must_change_password
    assignment = user.assignments.get()
    assert (assignment.role, assignment.unit, assignment.valid_from) == (Role.COMMUNE_WORKER, commune_x,
                                                                        date(2025, 7, 1))
    actions = set(AuditEvent.objects.filter(actor=province_admin).values_list("action", flat=True))
    assert {"accounts.user.create", "accounts.assignment.create"} <= actions
    assert password not in str(list(AuditEvent.objects.values_list("summary", flat=True)))

    # the shown password opens the account, and she must choose her own before anything else
    client.logout()
    assert client.login(username="canbo.moi", password=password)
    assert client.get("/children/")["Location"] == "/accounts/password/"
    client.post("/accounts/password/", {"old_password": password, "new_password1": "Cua-toi-2026!",
                                         "new_password2": "Cua-toi-2026!"})
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/").status_code == 200


def test_province_admin_cannot_create_or_assign_in_another_province(client, province_admin, an_giang_commune,
                                                                    an_giang, an_giang_worker, commune_x):
    client.force_login(province_admin)
    response = client.post(URL + "new/", create_form(an_giang_commune))
    assert response.status_code == 400 and not User.objects.filter(username="canbo.moi").exists()
    with pytest.raises(PermissionDenied):
        services.account_create(actor=province_admin, username="canbo.moi", full_name="Mới",
                                role=Role.COMMUNE_WORKER, unit=an_giang_commune)
    with pytest.raises(PermissionDenied):
        services.account_create(actor=province_admin, username="canbo.moi", full_name="Mới",
                                role=Role.FOCAL_OFFICER, unit=an_giang)
    # an An Giang worker: not hers to give an assignment to, through the page (404) or the service (403)
    response = client.post(f"{URL}{an_giang_worker.pk}/assignments/", {
        "role": Role.COMMUNE_WORKER, "unit": commune_x.pk, "valid_from": "01/07/2025"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=province_admin, user=an_giang_worker, role=Role.COMMUNE_WORKER,
                                   unit=commune_x)
    assert an_giang_worker.assignments.count() == 1


def test_only_a_national_administrator_gives_administrator_or_auditor(province_admin, national_admin, lai_chau):
    for role in (Role.ADMINISTRATOR, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            services.account_create(actor=province_admin, username=f"x.{role}", full_name="X", role=role,
                                    unit=lai_chau)
    user, _password = services.account_create(actor=national_admin, username="quantri.moi", full_name="Quản Trị",
                                              role=Role.ADMINISTRATOR, unit=lai_chau)
    assert scope_for(user).covers_unit(Capability.MANAGE_USERS, lai_chau)


def test_province_admin_does_not_see_users_of_another_province(client, province_admin, an_giang_worker, worker_x):
    client.force_login(province_admin)
    listing = client.get(URL).content.decode()
    assert "canbo.x" in listing and "canbo.angiang" not in listing
    assert client.get(f"{URL}{worker_x.pk}/").status_code == 200
    for response in (client.get(f"{URL}{an_giang_worker.pk}/"),
                     client.post(f"{URL}{an_giang_worker.pk}/lock/", {"active": "0"}),
                     client.post(f"{URL}{an_giang_worker.pk}/password/"),
                     client.post(f"/accounts/assignments/{an_giang_worker.assignments.get().pk}/end/",
                                 {"on": "01/01/2026"})):
        assert response.status_code == 404
    an_giang_worker.refresh_from_db()
    assert an_giang_worker.is_active and an_giang_worker.assignments.get().valid_to is None


def test_someone_who_also_works_elsewhere_is_managed_nationally(client, province_admin, worker_x,
                                                                 an_giang_commune):
    worker_x.assignments.create(role=Role.COMMUNE_WORKER, unit=an_giang_commune)
    client.force_login(province_admin)
    page = client.get(f"{URL}{worker_x.pk}/").content.decode()
    assert "quản trị viên toàn quốc" in page and "Khóa tài khoản" not in page
    assert client.post(f"{URL}{worker_x.pk}/lock/", {"active": "0"}).status_code == 403
    worker_x.refresh_from_db()
    assert worker_x.is_active


def test_lock_prevents_login_and_unlock_restores_it(client, province_admin, worker_x):
    other = client.__class__()
    assert other.login(username="canbo.x", password="Mat-khau-2026!")  # a session open before the lock
    client.force_login(province_admin)
    response = client.post(f"{URL}{worker_x.pk}/lock/", {"active": "0"})
    assert response.status_code == 302
    worker_x.refresh_from_db()
    assert not worker_x.is_active
    assert not client.__class__().login(username="canbo.x", password="Mat-khau-2026!")
    assert other.get("/")["Location"].startswith("/accounts/login/")
    assert "Đã khóa" in client.get(f"{URL}{worker_x.pk}/").content.decode()
    client.post(f"{URL}{worker_x.pk}/lock/", {"active": "1"})
    assert client.__class__().login(username="canbo.x", password="Mat-khau-2026!")
    actions = list(AuditEvent.objects.filter(actor=province_admin, object_id=str(worker_x.pk))
                   .order_by("at").values_list("action", flat=True))
    assert actions == ["accounts.user.lock", "accounts.user.unlock"]


def test_reset_password_works_once_shown(client, province_admin, worker_x):
    client.force_login(province_admin)
    response = client.post(f"{URL}{worker_x.pk}/password/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Đã đặt lại mật khẩu" in page
    password = shown_password(response)
    assert password not in client.get(f"{URL}{worker_x.pk}/").content.decode()  # shown once
    fresh = client.__class__()
    assert not fresh.login(username="canbo.x", password="Mat-khau-2026!")
    assert fresh.login(username="canbo.x", password=password)
    assert fresh.get("/")["Location"] == "/accounts/password/"
    event = AuditEvent.objects.get(action="accounts.user.password_reset")
    assert event.actor_id == province_admin.pk and event.object_id == str(worker_x.pk)
    assert password not in str(event.summary)


def test_assignment_end_date_ends_the_scope_the_next_day(client, province_admin, worker_x, commune_x):
    today = timezone.localdate()
    assignment = worker_x.assignments.get()
    client.force_login(province_admin)
    response = client.post(f"/accounts/assignments/{assignment.pk}/end/", {"on": today.strftime("%d/%m/%Y")})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == today  # ended, never deleted
    assert scope_for(worker_x, today).covers_unit(Capability.VIEW_CHILDREN, commune_x)
    tomorrow = scope_for(worker_x, today + timedelta(days=1))
    assert not tomorrow.grants and not tomorrow.has(Capability.VIEW_CHILDREN)
    event = AuditEvent.objects.get(action="accounts.assignment.end")
    assert event.summary["valid_to"] == [None, today.isoformat()] and event.actor_id == province_admin.pk
    page = client.get(f"{URL}{worker_x.pk}/").content.decode()
    assert today.strftime("%d/%m/%Y") in page


def test_end_date_before_the_start_is_refused_in_vietnamese(client, province_admin, worker_x):
    assignment = worker_x.assignments.get()
    assignment.valid_from = date(2025, 7, 1)
    assignment.save()
    client.force_login(province_admin)
    response = client.post(f"/accounts/assignments/{assignment.pk}/end/", {"on": "30/06/2025"})
    assert response.status_code == 400 and "Ngày kết thúc trước ngày bắt đầu." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.valid_to is None


def test_province_admin_adds_an_assignment_with_dates(client, province_admin, worker_x, commune_y):
    client.force_login(province_admin)
    response = client.post(f"{URL}{worker_x.pk}/assignments/", {
        "role": Role.COMMUNE_WORKER, "unit": commune_y.pk, "agency": "", "valid_from": "01/01/2026",
        "valid_to": "31/12/2026"})
    assert response.status_code == 302
    added = Assignment.objects.get(user=worker_x, unit=commune_y)
    assert (added.valid_from, added.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert AuditEvent.objects.filter(action="accounts.assignment.create", actor=province_admin).exists()


def test_the_list_searches_without_diacritics_and_filters(client, province_admin, make_user, commune_x, lai_chau):
    User.objects.filter(pk=make_user("x1", Role.COMMUNE_CHAIR, commune_x).pk).update(full_name="Giàng Thị Mẩy")
    User.objects.filter(pk=make_user("x2", Role.FOCAL_OFFICER, lai_chau).pk).update(full_name="Lò Văn Páo",
                                                                                     is_active=False)
    client.force_login(province_admin)
    page = client.get(URL, {"q": "giang thi may"}).content.decode()
    assert "Giàng Thị Mẩy" in page and "Lò Văn Páo" not in page
    assert "Chủ tịch UBND xã" in page  # the role's label, never its code
    assert "commune_chair" not in page.split("<select")[0]
    page = client.get(URL, {"role": Role.FOCAL_OFFICER}).content.decode()
    assert "Lò Văn Páo" in page and "Giàng Thị Mẩy" not in page
    page = client.get(URL, {"active": "0"}).content.decode()
    assert "Lò Văn Páo" in page and "Giàng Thị Mẩy" not in page
    page = client.get(URL, {"unit": commune_x.pk}).content.decode()
    assert "Giàng Thị Mẩy" in page and "Lò Văn Páo" not in page


def test_non_administrators_get_403(client, worker_x, province_officer):
    for user in (worker_x, province_officer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(URL + "new/").status_code == 403
        assert client.post(f"{URL}{worker_x.pk}/lock/", {"active": "0"}).status_code == 403
    worker_x.refresh_from_db()
    assert worker_x.is_active


def test_the_page_is_in_the_navigation_of_administrators_only(client, province_admin, worker_x):
    client.force_login(province_admin)
    assert "Tài khoản người dùng" in client.get("/").content.decode()
    client.force_login(worker_x)
    assert "Tài khoản người dùng" not in client.get("/").content.decode()


def test_national_admin_sees_everyone_and_chooses_a_province_first(client, national_admin, an_giang_worker,
                                                                   worker_x, an_giang):
    client.force_login(national_admin)
    listing = client.get(URL).content.decode()
    assert "canbo.angiang" in listing and "canbo.x" in listing
    page = client.get(URL + "new/").content.decode()
    assert "Toàn quốc" in page and "Xã Bình Lư" not in page  # provinces only until one is chosen
    page = client.get(URL + "new/", {"province": an_giang.pk}).content.decode()
    assert "Tỉnh An Giang" in page
