"""Duplicates in the register: the batch run, "not the same child" remembered across runs, the merge screen and the
merge service (both histories kept, related rows moved), and scope attacks through the UI and the API."""

from datetime import date

import pytest

from tests.registry.registry_fixtures import api, pid, years_ago
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.core.models import Job, JobStatus
from treem.registry import services as registry
from treem.registry.models import Child, ChildCarer, ChildCircumstance, ChildStatus, Measurement
from treem.registry.quality import duplicates, findings
from treem.registry.quality.models import CommuneSummary, DuplicatePair, Finding, PairStatus
from treem.registry.quality.synthetic import generate_children


def add(commune, name, born, sex="M", carer="", pid_tail=None, **data) -> Child:
    if pid_tail is not None:
        data["personal_id"] = pid(sex, born, pid_tail)
    child = registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": name, "sex": sex, "birth_date": born, "ethnicity": "Kinh", **data})
    if carer:
        registry.carer_link(actor=SYSTEM, child=child, full_name=carer, relation="mother", primary=True)
    return child


def others(commune, n=25, seed=3):
    """Distinct children (no planted duplicates) so the matcher has a register to compare against."""
    records, _ = generate_children(n, [commune.code], 12, seed=seed, as_of=years_ago(0))
    for r in records:
        add(commune, r["full_name"], r["birth_date"], sex=r["sex"], carer=r["carer_name"],
            village=r["village"], personal_id=r["personal_id"] or "")


@pytest.fixture
def same_child(reference, commune_x, worker_x):
    """One child typed twice (with and without diacritics, the second time without ID), and twins."""
    born = date(2017, 3, 4)
    first = add(commune_x, "Nguyễn Văn Đức", born, carer="Trần Thị Hoa", pid_tail=11, village="Bản Nà Khuồng")
    second = add(commune_x, "Nguyen Van Duc", born, carer="Tran Thi Hoa", village="Bản Nà Khuồng",
                 address="Tổ 3", school="Trường Tiểu học Bình Lư")
    registry.circumstance_add(actor=worker_x, child=first, group="d", started_on="01/01/2020")
    registry.circumstance_add(actor=worker_x, child=second, group="d", started_on="01/06/2021")
    registry.circumstance_add(actor=worker_x, child=second, group="n", started_on="01/06/2022")
    registry.measurement_add(actor=worker_x, child=second, measured_on="01/06/2024", height_cm="120", weight_kg="22")
    registry.carer_link(actor=worker_x, child=second, full_name="Nguyễn Văn Tài", relation="father")
    twin_a = add(commune_x, "Lò Văn Minh", date(2018, 5, 6), carer="Lò Thị Ơn", village="Bản Nà Khuồng")
    twin_b = add(commune_x, "Lò Văn Long", date(2018, 5, 6), carer="Lò Thị Ơn", village="Bản Nà Khuồng")
    others(commune_x)
    return first, second, twin_a, twin_b


def open_pairs():
    return list(DuplicatePair.objects.filter(status=PairStatus.OPEN))


def test_a_run_stores_the_likely_pair_in_canonical_order_and_leaves_twins_alone(
        client, worker_x, same_child, commune_x, django_capture_on_commit_callbacks):
    first, second, _twin_a, _twin_b = same_child
    client.force_login(worker_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/children/quality/duplicates/run/", {"unit": commune_x.code})
    job = Job.objects.get(kind="quality.duplicates")
    assert response["Location"] == f"/children/quality/job/{job.pk}/" and job.status == JobStatus.DONE
    assert job.result["new"] == 1 and job.result["url"] == f"/children/quality/duplicates/?unit={commune_x.code}"
    assert job.message == "Tìm thấy 1 cặp có thể trùng"  # the progress bar's last words, in Vietnamese
    job_page = client.get(response["Location"]).content.decode()
    assert '<h1 class="h3">Tìm hồ sơ trùng</h1>' in job_page and "Tìm thấy 1 cặp có thể trùng" in job_page
    [pair] = open_pairs()
    assert {pair.child_a_id, pair.child_b_id} == {first.pk, second.pk} and pair.child_a_id < pair.child_b_id
    assert pair.probability >= 0.9 and "ngày sinh trùng khớp" in pair.explanation
    labels = [label for label, _weight in pair.contributions]
    assert "tên trùng khớp" in labels and "tên người chăm sóc trùng khớp" in labels
    assert CommuneSummary.objects.get(commune=commune_x).duplicate_pairs == 1
    page = client.get(job.result["url"]).content.decode()
    assert "Nguyen Van Duc" in page and f"/children/quality/duplicates/{pair.pk}/" in page
    assert "Lò Văn Minh" not in page  # twins are two children


def test_not_the_same_child_is_remembered_across_runs(client, worker_x, same_child, commune_x):
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    client.force_login(worker_x)
    response = client.post(f"/children/quality/duplicates/{pair.pk}/not-same/", {"note": "Hai anh em họ"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == PairStatus.NOT_SAME and pair.decided_by == worker_x and pair.decision_note == "Hai anh em họ"
    again = duplicates.run_duplicates([commune_x])
    assert again["remembered"] == 1 and again["new"] == 0 and not open_pairs()
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME
    event = AuditEvent.objects.get(action="quality.duplicatepair.not_same")
    assert event.actor == worker_x and event.unit == commune_x
    page = client.get(f"/children/quality/duplicates/{pair.pk}/").content.decode()
    assert "Không phải cùng một trẻ" in page and 'name="survivor"' not in page  # decided: no more choices


def test_the_merge_screen_shows_both_records_side_by_side(client, worker_x, same_child, commune_x):
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    client.force_login(worker_x)
    page = client.get(f"/children/quality/duplicates/{pair.pk}/").content.decode()
    assert "Cùng một trẻ?" in page and "Hồ sơ A" in page and "Hồ sơ B" in page
    assert "Nguyễn Văn Đức" in page and "Nguyen Van Duc" in page
    assert 'name="choice_full_name"' in page and 'name="choice_birth_date"' not in page  # same birth date: no choice
    assert "ngày sinh trùng khớp" in page and "dq-weight-plus" in page
    assert AuditEvent.objects.filter(action="registry.child.view", object_id=str(pair.child_a_id)).exists()


def test_merge_keeps_both_histories_and_moves_related_rows(client, worker_x, same_child, commune_x):
    first, second, *_ = same_child
    findings.check_commune(commune_x)
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    side = {pair.child_a_id: "a", pair.child_b_id: "b"}
    keep, gone = side[first.pk], side[second.pk]
    client.force_login(worker_x)
    response = client.post(f"/children/quality/duplicates/{pair.pk}/merge/", {
        "survivor": keep, "choice_full_name": keep, "choice_address": gone, "choice_school": gone,
        "version_a": Child.objects.get(pk=pair.child_a_id).version,
        "version_b": Child.objects.get(pk=pair.child_b_id).version})
    assert response.status_code == 302 and response["Location"] == f"/children/quality/children/{first.pk}/history/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.full_name == "Nguyễn Văn Đức" and first.address == "Tổ 3"  # picked field by field
    assert first.school == "Trường Tiểu học Bình Lư" and first.personal_id == pid("M", first.birth_date, 11)
    assert second.status == ChildStatus.MERGED and second.merged_into_id == first.pk
    # Related rows moved; the circumstance recorded on both stays open once (the earlier start).
    assert not ChildCircumstance.objects.filter(child=second).exists()
    groups = {(c.group.code, c.ended_on is None) for c in ChildCircumstance.objects.filter(child=first)}
    assert groups == {("d", True), ("d", False), ("n", True)}
    assert Measurement.objects.filter(child=first).count() == 1
    carers = sorted(link.carer.full_name for link in ChildCarer.objects.filter(child=first))
    assert carers == ["Nguyễn Văn Tài", "Trần Thị Hoa"]  # "Tran Thi Hoa" is the same carer, not linked twice
    assert ChildCarer.objects.filter(child=first, primary=True).count() == 1
    # One audit event on each record, with the full before/after.
    merge = AuditEvent.objects.get(action="registry.child.merge")
    assert merge.object_id == str(first.pk) and merge.actor == worker_x
    assert merge.summary["merged"] == str(second.pk)
    assert merge.summary["before"]["merged"]["full_name"] == "Nguyen Van Duc"
    assert merge.summary["after"]["survivor"]["address"] == "Tổ 3"
    assert merge.summary["moved"]["measurements"]["moved"] == 1
    merged_into = AuditEvent.objects.get(action="registry.child.merged_into")
    assert merged_into.object_id == str(second.pk) and merged_into.summary["merged_into"] == str(first.pk)
    # Both histories are reachable from the survivor: its own events and the merged record's.
    page = client.get(response["Location"]).content.decode()
    assert "trên hồ sơ đã gộp Nguyen Van Duc" in page
    second_events = AuditEvent.objects.filter(object_id=str(second.pk), object_type="registry.child").exclude(
        action="registry.child.view").count()
    assert second_events >= 4 and page.count("trên hồ sơ đã gộp") == second_events
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED and pair.survivor_id == first.pk
    # The merged record's findings are closed; a later run proposes nothing about it.
    assert not Finding.objects.filter(child=second, resolved_at__isnull=True).exists()
    assert duplicates.run_duplicates([commune_x])["new"] == 0


def test_a_stale_version_merges_nothing(client, worker_x, same_child, commune_x):
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    client.force_login(worker_x)
    response = client.post(f"/children/quality/duplicates/{pair.pk}/merge/", {
        "survivor": "a", "version_a": 99, "version_b": 1}, follow=True)
    assert "Người khác đã sửa hồ sơ này" in response.content.decode()  # registry.services.VersionConflict
    assert not Child.objects.filter(status=ChildStatus.MERGED).exists()
    assert DuplicatePair.objects.get().status == PairStatus.OPEN


def test_another_communes_pairs_are_out_of_reach(client, worker_y, same_child, commune_x):
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    client.force_login(worker_y)
    assert client.get(f"/children/quality/duplicates/{pair.pk}/").status_code == 404
    assert client.post(f"/children/quality/duplicates/{pair.pk}/merge/", {"survivor": "a"}).status_code == 404
    assert client.post(f"/children/quality/duplicates/{pair.pk}/not-same/").status_code == 404
    assert "Nguyen Van Duc" not in client.get("/children/quality/duplicates/").content.decode()
    assert client.get(f"/children/quality/duplicates/?unit={commune_x.code}").status_code == 404
    assert client.post("/children/quality/duplicates/run/", {"unit": commune_x.code}).status_code == 404
    other = api(worker_y)
    assert other.get("/api/v1/quality/duplicates/").json()["results"] == []
    assert other.get(f"/api/v1/quality/duplicates/{pair.pk}/").status_code == 404
    assert other.post(f"/api/v1/quality/duplicates/{pair.pk}/not-same/").status_code == 404
    assert DuplicatePair.objects.get().status == PairStatus.OPEN


def test_a_leader_reads_but_cannot_merge_or_decide(client, leader, same_child, commune_x):
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    client.force_login(leader)
    page = client.get(f"/children/quality/duplicates/{pair.pk}/").content.decode()
    assert "Nguyen Van Duc" in page and 'name="survivor"' not in page
    assert client.post(f"/children/quality/duplicates/{pair.pk}/merge/", {"survivor": "a"}).status_code == 403
    assert client.post(f"/children/quality/duplicates/{pair.pk}/not-same/").status_code == 403
    assert api(leader).get("/api/v1/quality/duplicates/").json()["count"] == 1
    assert api(leader).post(f"/api/v1/quality/duplicates/{pair.pk}/not-same/").status_code == 403
    assert DuplicatePair.objects.get().status == PairStatus.OPEN
    assert not Child.objects.filter(status=ChildStatus.MERGED).exists()


def test_a_pair_across_two_communes_is_the_provinces_to_decide(client, worker_x, province_officer, reference,
                                                              commune_x, commune_y):
    born = date(2016, 11, 30)
    here = add(commune_x, "Phạm Ngọc Anh", born, sex="F", carer="Vũ Thị Mai", pid_tail=5)
    there = add(commune_y, "Pham Ngoc Anh", born, sex="F", carer="Vu Thi Mai")
    others(commune_x, 15, seed=4)
    others(commune_y, 15, seed=5)
    assert duplicates.run_duplicates([commune_x])["pairs"] == 0  # one commune: the other record is not compared
    duplicates.run_duplicates([commune_x, commune_y])
    [pair] = open_pairs()
    assert pair.cross_commune and {pair.commune_id, pair.other_commune_id} == {commune_x.pk, commune_y.pk}
    client.force_login(worker_x)
    assert client.get(f"/children/quality/duplicates/{pair.pk}/").status_code == 404
    assert api(worker_x).get("/api/v1/quality/duplicates/").json()["results"] == []
    client.force_login(province_officer)
    assert "hai xã" in client.get("/children/quality/duplicates/?unit=12").content.decode()
    keep = "a" if pair.child_a_id == here.pk else "b"
    response = client.post(f"/children/quality/duplicates/{pair.pk}/merge/", {"survivor": keep})
    assert response.status_code == 302
    there.refresh_from_db()
    assert there.status == ChildStatus.MERGED and there.merged_into_id == here.pk
    body = api(province_officer).get("/api/v1/quality/duplicates/?status=merged").json()
    assert [p["id"] for p in body["results"]] == [str(pair.pk)]
    assert body["results"][0]["contributions"][0]["label"]


def test_the_api_decides_not_the_same_child(worker_x, same_child, commune_x):
    duplicates.run_duplicates([commune_x])
    [pair] = open_pairs()
    client = api(worker_x)
    listed = client.get(f"/api/v1/quality/duplicates/?commune={commune_x.code}").json()["results"]
    assert [p["id"] for p in listed] == [str(pair.pk)] and listed[0]["child_a"]["id"] == str(pair.child_a_id)
    response = client.post(f"/api/v1/quality/duplicates/{pair.pk}/not-same/", {"note": "khác cha mẹ"})
    assert response.status_code == 200 and response.json()["status"] == "not_same"
    again = client.post(f"/api/v1/quality/duplicates/{pair.pk}/not-same/")
    assert again.status_code == 400
