"""Linkage with the national population database through the file-based adapter, on real CSV and XLSX extracts:
matches by personal ID and by probabilistic match, proposals accepted (applied, audited) or rejected (remembered),
the background job, and scope attacks through the UI and the API."""

import csv
from datetime import date

import pytest

from tests.registry.quality_files import write_xlsx
from tests.registry.registry_fixtures import api, pid
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.core.models import Job, JobStatus
from treem.registry import services as registry
from treem.registry.models import Child
from treem.registry.quality import findings, linkage
from treem.registry.quality.models import Correction, CorrectionMethod, CorrectionStatus, Finding, LinkageRun
from treem.registry.quality.synthetic import generate_children

HEADER = ["personal_id", "full_name", "birth_date", "sex", "ethnicity", "commune_code", "father_name", "mother_name"]


def add(commune, name, born, sex="M", carer="", **data) -> Child:
    child = registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": name, "sex": sex, "birth_date": born, "ethnicity": data.pop("ethnicity", "Thái"), **data})
    if carer:
        registry.carer_link(actor=SYSTEM, child=child, full_name=carer, relation="mother", primary=True)
    return child


def person(pid_, name, born, sex, ethnicity="Thái", commune="03390", father="", mother=""):
    return [pid_, name, born.strftime("%d/%m/%Y"), "Nam" if sex == "M" else "Nữ", ethnicity, commune, father, mother]


@pytest.fixture
def world(reference, commune_x, tmp_path):
    """A commune register and the population extract the commune police would send back."""
    born_a, born_b, born_c = date(2016, 4, 9), date(2019, 8, 21), date(2014, 12, 2)
    children = {
        # Found by ID: the register has the day and month swapped and the given name spelled differently.
        "by_id": add(commune_x, "Lò Thị Thủy", date(2016, 9, 4), sex="F", carer="Lường Thị Ơn",
                     personal_id=pid("F", born_a, 101)),
        # No ID: matched by name, birth date, sex and mother.
        "no_id": add(commune_x, "Giàng A Páo", born_b, carer="Thào Thị Dợ", ethnicity=""),
        # A malformed ID (a digit short): matched the same way.
        "malformed": add(commune_x, "Tòng Văn Kiên", born_c, carer="Cầm Thị Xoan",
                         personal_id=pid("M", born_c, 303)[:-1]),
        # Not in the extract at all.
        "absent": add(commune_x, "Vàng Văn Sềnh", date(2020, 1, 15), carer="Vàng Thị Mai"),
    }
    rows = [
        person(pid("F", born_a, 101), "Lò Thị Thuỷ", born_a, "F", mother="Lường Thị Ơn"),
        person(pid("M", born_b, 202), "Giàng A Páo", born_b, "M", ethnicity="Mông", father="Giàng A Chứ",
               mother="Thào Thị Dợ"),
        person(pid("M", born_c, 303), "Tòng Văn Kiên", born_c, "M", mother="Cầm Thị Xoan"),
    ]
    # Other people of the commune, and the rest of the register, so the matcher works on a realistic extract.
    records, _ = generate_children(40, [commune_x.code], 12, seed=8, as_of=date.today())
    for number, r in enumerate(records):
        if number < 25:
            add(commune_x, r["full_name"], r["birth_date"], sex=r["sex"], carer=r["carer_name"],
                personal_id=r["personal_id"] or "", ethnicity=r["ethnicity"])
        rows.append(person(r["personal_id"] or pid(r["sex"], r["birth_date"], 900 + number), r["full_name"],
                           r["birth_date"], r["sex"], r["ethnicity"], mother=r["carer_name"]))
    path = tmp_path / "trich-xuat-dan-cu-03390.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return children, path


def proposals(child) -> dict[str, Correction]:
    return {c.field: c for c in Correction.objects.filter(child=child, status=CorrectionStatus.PROPOSED)}


def run_upload(client, commune, path, capture):
    with capture(execute=True), path.open("rb") as handle:
        response = client.post("/children/quality/linkage/", {"commune": commune.code, "file": handle})
    return response


def test_the_adapter_reads_an_extract_and_answers_both_questions(world):
    _children, path = world
    people = linkage.CsvPopulationRegistry.from_file(path, path.name)
    assert len(people.records) == 43
    found = people.lookup_by_id([pid("F", date(2016, 4, 9), 101), "000000000000"])
    assert list(found) == [pid("F", date(2016, 4, 9), 101)] and found[pid("F", date(2016, 4, 9), 101)].sex == "F"
    record = {"full_name": "Giàng A Páo", "birth_date": date(2019, 8, 21), "commune_code": "99999"}
    assert any(p.full_name == "Giàng A Páo" for p in people.candidates([record]))
    assert not people.candidates([{"full_name": "Không Có Ai", "birth_date": date(2001, 1, 1)}])


def test_a_comparison_proposes_corrections_by_id_and_by_match(client, worker_x, world, commune_x,
                                                              django_capture_on_commit_callbacks):
    children, path = world
    client.force_login(worker_x)
    response = run_upload(client, commune_x, path, django_capture_on_commit_callbacks)
    run = LinkageRun.objects.get()
    assert response["Location"] == f"/children/quality/linkage/{run.pk}/"
    job = Job.objects.get(kind="quality.linkage")
    assert job.status == JobStatus.DONE and job.result["url"] == response["Location"]
    assert run.summary["by_id"] >= 1 and run.summary["by_match"] >= 2 and run.summary["not_found"] >= 1

    by_id = proposals(children["by_id"])
    assert set(by_id) == {"birth_date", "full_name"}
    assert by_id["birth_date"].proposed_value == "2016-04-09" and by_id["birth_date"].method == CorrectionMethod.BY_ID
    assert by_id["full_name"].proposed_value == "Lò Thị Thuỷ"
    no_id = proposals(children["no_id"])
    assert no_id["personal_id"].proposed_value == pid("M", date(2019, 8, 21), 202)
    assert no_id["personal_id"].method == CorrectionMethod.BY_MATCH and no_id["personal_id"].probability >= 0.9
    assert no_id["ethnicity"].proposed_value == "Mông"  # a missing ethnic group is filled in
    assert proposals(children["malformed"])["personal_id"].proposed_value == pid("M", date(2014, 12, 2), 303)
    assert proposals(children["absent"]) == {}
    assert Child.objects.get(pk=children["no_id"].pk).personal_id == ""  # nothing applied yet

    page = client.get(response["Location"]).content.decode()
    assert "Lò Thị Thuỷ" in page and "09/04/2016" in page and "04/09/2016" in page
    assert "Đối chiếu xác suất" in page and "Chấp nhận" in page


def test_accepting_applies_the_change_and_rejecting_is_remembered(client, worker_x, world, commune_x,
                                                                  django_capture_on_commit_callbacks):
    children, path = world
    findings.check_commune(commune_x)
    client.force_login(worker_x)
    run_upload(client, commune_x, path, django_capture_on_commit_callbacks)
    fill_id = proposals(children["no_id"])["personal_id"]
    response = client.post(f"/children/quality/corrections/{fill_id.pk}/accept/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Đã chấp nhận" in response.content.decode()
    child = Child.objects.get(pk=children["no_id"].pk)
    assert child.personal_id == pid("M", date(2019, 8, 21), 202)
    update = AuditEvent.objects.get(action="registry.child.update", object_id=str(child.pk))
    assert update.actor == worker_x and update.summary["personal_id"] == ["", child.personal_id]
    assert AuditEvent.objects.filter(action="quality.correction.accept", actor=worker_x).count() == 1
    assert not Finding.objects.filter(child=child, code="id_missing", resolved_at__isnull=True).exists()

    spelling = proposals(children["by_id"])["full_name"]
    assert client.post(f"/children/quality/corrections/{spelling.pk}/reject/").status_code == 302
    spelling.refresh_from_db()
    assert spelling.status == CorrectionStatus.REJECTED and spelling.decided_by == worker_x
    assert Child.objects.get(pk=children["by_id"].pk).full_name == "Lò Thị Thủy"

    # A second comparison with the same extract: the rejected spelling is not proposed again, nor the applied ID.
    run_upload(client, commune_x, path, django_capture_on_commit_callbacks)
    second = LinkageRun.objects.order_by("-created_at").first()
    assert second.summary["remembered_rejections"] == 1
    assert not Correction.objects.filter(run=second, child=children["by_id"], field="full_name").exists()
    assert not Correction.objects.filter(run=second, child=children["no_id"], field="personal_id").exists()
    assert "birth_date" in proposals(children["by_id"])  # still waiting, not duplicated
    waiting = Correction.objects.get(child=children["by_id"], field="birth_date")  # not duplicated, shown again
    assert waiting.run == second and second.summary["new"] == 0


def test_a_proposal_for_a_record_changed_since_no_longer_applies(worker_x, world, commune_x):
    children, path = world
    run = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename=path.name,
                                    content=path.read_bytes())
    linkage.run_linkage(run)
    fill_id = proposals(children["no_id"])["personal_id"]
    registry.child_update(actor=worker_x, child=children["no_id"], version=None,
                          data={"personal_id": pid("M", date(2019, 8, 21), 555)})
    from treem.registry.quality import services

    with pytest.raises(services.QualityProblem):
        services.correction_accept(actor=worker_x, correction=fill_id)
    assert Correction.objects.get(pk=fill_id.pk).status == CorrectionStatus.OBSOLETE
    assert Child.objects.get(pk=children["no_id"].pk).personal_id.endswith("000555")


def test_an_xlsx_extract_with_vietnamese_headers(world, tmp_path, commune_x):
    children, _path = world
    born = date(2019, 8, 21)
    path = write_xlsx(tmp_path / "dan-cu.xlsx", {"Dân cư": [
        ["Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Mã xã thường trú", "Họ tên cha",
         "Họ tên mẹ"],
        [pid("M", born, 202), "Giàng A Páo", born, "Nam", "Mông", "03390", "Giàng A Chứ", "Thào Thị Dợ"],
    ]})
    people = linkage.CsvPopulationRegistry.from_file(path, path.name)
    assert people.records[0].birth_date == born and people.records[0].mother_name == "Thào Thị Dợ"
    record = linkage.match_record(Child.objects.select_related("commune").get(pk=children["no_id"].pk))
    found, stats = linkage.match_children([record], people)
    assert stats["by_match"] == 1 and {p.field for p in found} >= {"personal_id"}


def test_server_extracts_are_offered_only_for_the_users_communes(client, worker_x, worker_y, world, commune_x,
                                                                 settings, django_capture_on_commit_callbacks):
    _children, path = world
    settings.TREEM_POPULATION_DIR = path.parent
    client.force_login(worker_y)
    assert path.name not in client.get("/children/quality/linkage/").content.decode()
    response = client.post("/children/quality/linkage/", {"extract": path.name})
    assert response.status_code == 200 and not LinkageRun.objects.exists()
    client.force_login(worker_x)
    assert path.name in client.get("/children/quality/linkage/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/children/quality/linkage/", {"extract": path.name})
    run = LinkageRun.objects.get()
    assert run.commune == commune_x and run.summary["proposed"] >= 4


def test_another_communes_comparisons_are_out_of_reach(client, worker_y, leader, world, commune_x, worker_x):
    children, path = world
    run = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename=path.name,
                                    content=path.read_bytes())
    linkage.run_linkage(run)
    fill_id = proposals(children["no_id"])["personal_id"]
    client.force_login(worker_y)
    assert client.get(f"/children/quality/linkage/{run.pk}/").status_code == 404
    assert client.post(f"/children/quality/corrections/{fill_id.pk}/accept/").status_code == 404
    assert path.name not in client.get("/children/quality/linkage/").content.decode()
    other = api(worker_y)
    assert other.get("/api/v1/quality/corrections/").json()["results"] == []
    assert other.post(f"/api/v1/quality/corrections/{fill_id.pk}/accept/").status_code == 404
    assert api(leader).get("/api/v1/quality/corrections/").json()["count"] >= 4
    assert api(leader).post(f"/api/v1/quality/corrections/{fill_id.pk}/accept/").status_code == 403
    client.force_login(leader)
    assert client.post(f"/children/quality/corrections/{fill_id.pk}/accept/").status_code == 403
    assert Correction.objects.get(pk=fill_id.pk).status == CorrectionStatus.PROPOSED
    # The commune's own worker decides through the API.
    own = api(worker_x)
    listed = own.get(f"/api/v1/quality/corrections/?commune={commune_x.code}").json()
    assert str(fill_id.pk) in {c["id"] for c in listed["results"]}
    accepted = own.post(f"/api/v1/quality/corrections/{fill_id.pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    rejected = own.post(f"/api/v1/quality/corrections/{fill_id.pk}/reject/")
    assert rejected.status_code == 400
