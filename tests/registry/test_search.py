"""Search and list filters: diacritics-insensitive names, ID prefixes, age bands, groups, data quality; duplicate hints;
the list page's query count does not grow with the number of children (no N+1)."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    pid,
    reference_fixture,
    years_ago,
)
from treem.core.actors import SYSTEM
from treem.registry import services
from treem.registry.models import Child
from treem.registry.selectors import ChildFilters, child_list, filter_children, likely_duplicates, search_children


def names(qs):
    return sorted(qs.values_list("full_name", flat=True))


def test_search_with_and_without_diacritics(add_child):
    add_child("Nguyễn Văn Đức")
    add_child("Nguyễn Thị Mai", sex="F")
    add_child("Trần Đức Anh")
    qs = Child.objects.all()
    assert names(search_children(qs, "nguyen van duc")) == ["Nguyễn Văn Đức"]
    assert names(search_children(qs, "Nguyễn Văn Đức")) == ["Nguyễn Văn Đức"]
    assert names(search_children(qs, "NGUYEN  VAN   DUC")) == ["Nguyễn Văn Đức"]
    assert names(search_children(qs, "duc")) == ["Nguyễn Văn Đức", "Trần Đức Anh"]
    assert names(search_children(qs, "đức")) == ["Nguyễn Văn Đức", "Trần Đức Anh"]
    assert names(search_children(qs, "duc anh")) == ["Trần Đức Anh"]
    assert names(search_children(qs, "nguyen%duc")) == []  # % is text, not a wildcard ...
    assert names(search_children(qs, "n_uyen")) == []  # ... and so is _
    assert names(search_children(qs, "nguyen duc")) == ["Nguyễn Văn Đức"]  # middle name left out
    assert names(search_children(qs, "mai")) == ["Nguyễn Thị Mai"]
    add_child("Lê Văn Thanh")
    assert names(search_children(qs, "le thanh")) == ["Lê Văn Thanh"]  # short surnames work
    assert names(search_children(qs, "xyz")) == []
    assert names(search_children(qs, "duc nguyen")) == ["Nguyễn Văn Đức"]  # any order
    assert names(search_children(qs, "anh")) == ["Trần Đức Anh"]  # the start of a word: not Thanh
    assert names(search_children(qs, "ng v d")) == ["Nguyễn Văn Đức"]  # words cut short
    assert names(search_children(qs, "guyen")) == []  # ... from their start only
    assert names(search_children(qs, "thi thi mai")) == ["Nguyễn Thị Mai"]  # a word typed twice counts once


def test_search_by_personal_id_prefix(add_child):
    born = years_ago(5)
    add_child("Lò Văn Sơn", born=born, personal_id=pid("M", born, 4321))
    add_child("Lò Văn Tâm", born=born, personal_id=pid("M", born, 9999))
    prefix = pid("M", born, 4321)[:10]
    assert names(search_children(Child.objects.all(), prefix)) == ["Lò Văn Sơn"]
    assert names(search_children(Child.objects.all(), prefix[:3] + " " + prefix[3:])) == ["Lò Văn Sơn"]


def test_filters(add_child, commune_x):
    baby = add_child("Giàng A Páo", born=date.today() - timedelta(days=200), village="Bản 1")
    teen = add_child("Giàng Thị Dua", sex="F", born=years_ago(13), village="Bản 2", personal_id="123")
    services.circumstance_add(actor=SYSTEM, child=teen, group="h")
    qs = Child.objects.all()

    def run(**kw):
        return names(filter_children(qs, ChildFilters(**kw)))

    assert run(age_band="0-2") == [baby.full_name]
    assert run(age_band="11-15") == [teen.full_name]
    assert run(sex="F") == [teen.full_name]
    assert run(village="Bản 1") == [baby.full_name]
    assert run(group="h") == [teen.full_name]
    assert run(quality="issues") == sorted([baby.full_name, teen.full_name])  # missing ID, malformed ID
    assert run(quality="no_id") == [baby.full_name]
    services.child_mark_in_error(actor=SYSTEM, child=baby, reason="thử")
    assert run() == [teen.full_name]
    assert run(status="in_error") == [baby.full_name]
    assert ChildFilters.from_params({"status": "bogus", "age_band": "1-99", "sex": "X"}) == ChildFilters()


def test_age_bands_are_completed_years(add_child):
    three = add_child("A Ba", born=years_ago(3))  # third birthday today (or a few days ago)
    almost_three = add_child("A Hai", born=years_ago(3, days=-1))  # third birthday tomorrow
    got = names(filter_children(Child.objects.all(), ChildFilters(age_band="3-5")))
    assert three.full_name in got and almost_three.full_name not in got
    assert almost_three.full_name in names(filter_children(Child.objects.all(), ChildFilters(age_band="0-2")))


def test_likely_duplicates_for_the_create_form(worker_x, commune_x, add_child):
    born = years_ago(7)
    original = add_child("Nguyễn Văn Đức", born=born, personal_id=pid("M", born, 55))
    add_child("Nguyễn Văn Bình", born=born)  # a twin: same family and birthday, another child
    hints = likely_duplicates(worker_x, commune=commune_x, full_name="nguyen van duc", birth_date=born)
    assert [h.child for h in hints] == [original]
    hints = likely_duplicates(worker_x, commune=commune_x, full_name="Nguyễn Đức",
                              birth_date=born + timedelta(days=40))
    assert [h.child for h in hints] == [original]  # dropped middle name, birth date off by weeks
    hints = likely_duplicates(worker_x, commune=commune_x, full_name="Lò Thị Ơn", birth_date=born,
                              personal_id=original.personal_id)
    assert [h.child for h in hints] == [original]  # same personal ID
    assert likely_duplicates(worker_x, commune=commune_x, full_name="Nguyễn Văn Đức",
                             birth_date=born, exclude_pk=original.pk) == []


def test_list_page_query_count_does_not_grow(client, worker_x, add_child):
    client.force_login(worker_x)
    add_child("Lò Văn A")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/children/").status_code == 200
    for i in range(15):
        child = add_child(f"Lò Văn B{chr(97 + i)}", village=f"Bản {i}")
        services.circumstance_add(actor=SYSTEM, child=child, group="d")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/children/")
    assert response.status_code == 200 and response.content.decode().count("badge text-bg-info") == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_htmx_filter_returns_only_the_results(client, worker_x, add_child):
    add_child("Nguyễn Văn Đức")
    client.force_login(worker_x)
    response = client.get("/children/?q=duc", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "Nguyễn Văn Đức" in body and "<html" not in body and "1 trẻ" in body


def test_child_list_selector_is_scoped(worker_x, add_child, commune_y):
    add_child("Lò Văn A")
    add_child("Lò Văn B", commune=commune_y)
    assert names(child_list(worker_x, ChildFilters())) == ["Lò Văn A"]


def test_search_results_come_in_name_order_a_page_at_a_time(worker_x, add_child, monkeypatch):
    for name in ("Vũ Thị Bình", "Lò Thị An", "Giàng Thị Chi", "Hà Văn Dũng"):
        add_child(name)
    results = child_list(worker_x, ChildFilters(q="thi"))
    assert not results.truncated and len(results) == 3 and results.count() == 3
    assert [c.full_name for c in results] == ["Giàng Thị Chi", "Lò Thị An", "Vũ Thị Bình"]
    assert [c.full_name for c in results[1:]] == ["Lò Thị An", "Vũ Thị Bình"] and results[-1].full_name == "Vũ Thị Bình"
    page = results[0:2]
    assert hasattr(page[0], "open_circumstances")  # prefetched for the list
    monkeypatch.setattr("treem.registry.selectors.SEARCH_LIMIT", 2)
    capped = child_list(worker_x, ChildFilters(q="thi"))
    assert capped.truncated and len(capped) == 2


def test_list_page_says_when_a_search_finds_too_many(client, worker_x, add_child, monkeypatch):
    for given in "ABCD":
        add_child(f"Nguyễn Văn {given}")
    monkeypatch.setattr("treem.registry.selectors.SEARCH_LIMIT", 3)
    client.force_login(worker_x)
    body = client.get("/children/?q=nguyen").content.decode()
    assert "hơn 3 trẻ em" in body and "Gõ thêm tên" in body
    assert body.count('class="fw-semibold"') == 3
    body = client.get("/children/?q=nguyen+van+b").content.decode()
    assert "1 trẻ" in body and "Gõ thêm tên" not in body
    response = client.get("/api/v1/children/?q=nguyen")
    assert response.json()["count"] == 3 and response.json()["truncated"] is True
    assert client.get("/api/v1/children/?q=nguyen+van+a").json()["truncated"] is False
