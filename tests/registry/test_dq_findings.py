"""Data-quality findings: what a check finds, how it reconciles with earlier checks, the commune and province pages,
the background job, and scope attacks through the UI and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from tests.registry.registry_fixtures import api, pid, years_ago
from treem.core.actors import SYSTEM
from treem.core.models import Job, JobStatus
from treem.geo.models import Unit, UnitLevel
from treem.registry import services as registry
from treem.registry.models import Child, ChildStatus
from treem.registry.quality import findings, services
from treem.registry.quality.models import CommuneSummary, Finding


def add(commune, name="Nguyễn Văn Đức", sex="M", born=None, carer="Trần Thị Hoa", **data) -> Child:
    child = registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": name, "sex": sex, "birth_date": born or years_ago(8), "ethnicity": "Kinh", **data})
    if carer:
        registry.carer_link(actor=SYSTEM, child=child, full_name=carer, relation="mother", primary=True)
    return child


def codes(child) -> set[str]:
    return set(Finding.objects.filter(child=child, resolved_at__isnull=True).values_list("code", flat=True))


@pytest.fixture
def register(reference, commune_x):
    born = years_ago(7)
    children = {
        "clean": add(commune_x, "Lò Văn Sơn", born=born, personal_id=pid("M", born, 1)),
        "no_id": add(commune_x, "Giàng A Páo"),
        "sex": add(commune_x, "Lò Thị Ơn", sex="F", born=born, personal_id=pid("M", born, 2)),
        "year": add(commune_x, "Tòng Văn Kiên", born=born, personal_id=pid("M", years_ago(3), 3)),
        "short": add(commune_x, "Páo", born=born, personal_id=pid("M", born, 4)),
        "no_carer": add(commune_x, "Vàng Thị Mỷ", sex="F", born=born, carer="", personal_id=pid("F", born, 5),
                        ethnicity=""),
        "twin_id_1": add(commune_x, "Lý Văn Chài", born=born, personal_id=pid("M", born, 6)),
        "twin_id_2": add(commune_x, "Lý Văn Phin", born=born),
        "ascii": add(commune_x, "Nguyen Van An", born=born, personal_id=pid("M", born, 7)),
        "registration": add(commune_x, "Hờ A Sềnh", born=born, personal_id=pid("M", born, 8), birth_registered="no"),
    }
    # The services refuse a number another child carries; records from before that check may still share one.
    Child.objects.filter(pk=children["twin_id_2"].pk).update(personal_id=pid("M", born, 6))
    # Records the check must also flag: not touched for two years; turned 16 without the daily check noticing.
    Child.objects.filter(pk=children["clean"].pk).update(updated_at=timezone.now() - timedelta(days=800))
    old = add(commune_x, "Lò Văn Tám", born=years_ago(15), personal_id=pid("M", years_ago(16, days=2), 9))
    Child.objects.filter(pk=old.pk).update(birth_date=years_ago(16, days=2))
    children["old"] = old
    return children


def test_a_check_finds_every_kind_of_problem(register, commune_x):
    result = findings.check_commune(commune_x)
    assert result.children == 11 and result.opened > 0
    assert codes(register["clean"]) == {"stale"}
    assert codes(register["no_id"]) == {"id_missing"}
    assert codes(register["sex"]) == {"id_sex_mismatch"}
    assert codes(register["year"]) == {"id_year_mismatch"}
    assert codes(register["short"]) == {"name_incomplete"}
    assert codes(register["no_carer"]) == {"carer_missing", "ethnicity_missing"}
    assert codes(register["twin_id_1"]) == codes(register["twin_id_2"]) == {"id_shared"}
    assert codes(register["ascii"]) == {"name_no_diacritics"}
    assert codes(register["registration"]) == {"birth_registration_contradiction"}
    assert codes(register["old"]) == {"over_16_active"}
    with translation.override("vi"):  # rendered in the reader's language from the stored code and parameters
        message = Finding.objects.get(child=register["sex"]).text
        stale = Finding.objects.get(child=register["clean"], code="stale").text
    assert "giới tính Nam" in message and "hồ sơ ghi Nữ" in message
    assert "12 tháng" in stale

    summary = CommuneSummary.objects.get(commune=commune_x)
    assert summary.children == 11 and summary.checked_at is not None
    assert summary.missing_id == 1 and summary.id_contradiction == 4 and summary.stale == 1 and summary.over_16 == 1
    assert summary.children_with_findings == 11
    assert summary.open_findings == sum(summary.counts.values()) == Finding.objects.filter(
        resolved_at__isnull=True).count()


def test_stale_months_are_configurable(register, commune_x, settings):
    settings.TREEM_QUALITY_STALE_MONTHS = 36
    findings.check_commune(commune_x)
    assert "stale" not in codes(register["clean"])
    findings.check_commune(commune_x, months=6)
    assert "stale" in codes(register["clean"])


def test_a_later_check_resolves_what_was_fixed_and_keeps_the_rest(register, commune_x, worker_x):
    findings.check_commune(commune_x)
    kept = Finding.objects.get(child=register["sex"], code="id_sex_mismatch")
    fixed = Finding.objects.get(child=register["no_id"], code="id_missing")
    born = register["no_id"].birth_date
    registry.child_update(actor=worker_x, child=register["no_id"], data={"personal_id": pid("M", born, 77)},
                          version=None)
    registry.child_mark_in_error(actor=worker_x, child=register["short"], reason="Nhập nhầm")
    result = findings.check_commune(commune_x)
    fixed.refresh_from_db()
    assert fixed.resolved_at is not None
    assert Finding.objects.get(pk=kept.pk).resolved_at is None  # same row, first detection date kept
    assert Finding.objects.get(pk=kept.pk).detected_at == kept.detected_at
    assert codes(register["short"]) == set()  # left the register
    assert result.resolved == 2 and result.opened == 0
    assert CommuneSummary.objects.get(commune=commune_x).children == 10


def test_the_check_runs_as_a_background_job_from_the_commune_page(client, worker_x, register, commune_x,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(worker_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/children/quality/check/", {"unit": commune_x.code})
    job = Job.objects.get(kind="quality.check")
    assert response.status_code == 302 and response["Location"] == f"/children/quality/job/{job.pk}/"
    assert job.status == JobStatus.DONE and job.result["url"] == f"/children/quality/commune/{commune_x.code}/"
    assert job.result["children"] == 11
    page = client.get(response["Location"]).content.decode()
    assert "Xem kết quả" in page and "100%" in page

    page = client.get(f"/children/quality/commune/{commune_x.code}/").content.decode()
    assert "Chưa có số định danh cá nhân" in page  # the kind, in Vietnamese
    assert "Số định danh cá nhân mâu thuẫn với hồ sơ" in page  # the category
    assert f'href="/children/{register["sex"].pk}/"' in page  # links to the child page
    page = client.get(f"/children/quality/commune/{commune_x.code}/?code=id_missing").content.decode()
    assert "Giàng A Páo" in page and "Lò Thị Ơn" not in page


def test_leaders_read_but_cannot_run_checks(client, leader, register, commune_x):
    findings.check_commune(commune_x)
    client.force_login(leader)
    assert client.get(f"/children/quality/commune/{commune_x.code}/").status_code == 200
    assert client.post("/children/quality/check/", {"unit": commune_x.code}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.check_start(actor=leader, communes=[commune_x])
    assert not Job.objects.exists()


def test_a_worker_cannot_see_another_communes_findings(client, worker_y, register, commune_x):
    findings.check_commune(commune_x)
    client.force_login(worker_y)
    assert client.get(f"/children/quality/commune/{commune_x.code}/").status_code == 404
    assert client.post("/children/quality/check/", {"unit": commune_x.code}).status_code == 404
    assert client.get("/children/quality/province/12/").status_code == 404
    client_api = api(worker_y)
    assert client_api.get("/api/v1/quality/findings/").json()["results"] == []
    assert client_api.get(f"/api/v1/quality/findings/?commune={commune_x.code}").json()["results"] == []
    some = Finding.objects.first()
    assert client_api.get(f"/api/v1/quality/findings/{some.pk}/").status_code == 404


def test_the_api_lists_the_callers_findings(worker_x, register, commune_x):
    findings.check_commune(commune_x)
    rows = api(worker_x).get(f"/api/v1/quality/findings/?commune={commune_x.code}&code=id_missing").json()
    assert [r["child"] for r in rows["results"]] == [str(register["no_id"].pk)]
    assert rows["results"][0]["severity"] == "warning" and rows["results"][0]["open"] is True
    assert api(worker_x).post("/api/v1/quality/findings/", {}).status_code == 405


def test_province_page_reads_precomputed_rows_in_constant_queries(client, province_officer, register, commune_x,
                                                                  commune_y, lai_chau, django_assert_max_num_queries):
    findings.check_commune(commune_x)
    client.force_login(province_officer)
    client.get(f"/children/quality/province/{lai_chau.code}/")  # warm the session and scope caches
    with django_assert_max_num_queries(12) as few:
        page = client.get(f"/children/quality/province/{lai_chau.code}/?sort=-findings").content.decode()
    communes = Unit.objects.filter(level=UnitLevel.COMMUNE, province=lai_chau, system="current").count()
    assert communes > 30 and len(few.captured_queries) <= 12  # one row per commune, no query per row
    assert page.count('href="/children/quality/commune/') == communes
    assert page.index(commune_x.name) < page.index(commune_y.name)  # the commune with findings first
    assert "chưa kiểm tra" in page  # communes never checked are shown as such
    by_name = client.get(f"/children/quality/province/{lai_chau.code}/?sort=name").content.decode()
    names = sorted(Unit.objects.filter(level=UnitLevel.COMMUNE, province=lai_chau, system="current")
                   .values_list("name_folded", "name"))
    assert by_name.index(names[0][1]) < by_name.index(names[-1][1])
    assert client.get(f"/children/quality/province/{lai_chau.code}/?sort=bogus").status_code == 200


def test_index_sends_each_reader_to_her_level(client, worker_x, province_officer, lai_chau, commune_x, reference):
    client.force_login(worker_x)
    assert client.get("/children/quality/")["Location"] == f"/children/quality/commune/{commune_x.code}/"
    client.force_login(province_officer)
    assert client.get("/children/quality/")["Location"] == f"/children/quality/province/{lai_chau.code}/"
    home = client.get("/").content.decode()
    assert "Chất lượng dữ liệu" in home


def test_over_16_is_found_only_on_the_active_register(reference, commune_x):
    child = add(commune_x, "Lò Văn Tám", born=years_ago(15))
    Child.objects.filter(pk=child.pk).update(birth_date=years_ago(17))
    findings.check_commune(commune_x)
    assert "over_16_active" in codes(child)
    Child.objects.filter(pk=child.pk).update(status=ChildStatus.OVER_16)
    findings.check_commune(commune_x)
    assert codes(child) == set()
