"""Audit fixes: one personal ID per child (API, linkage, merges), the cleaning round's checks and counts, carers seen
only through visible children, the configurable population-registry adapter, and sub-groups that can be retired."""

import os
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from tests.registry.registry_fixtures import api, pid, years_ago
from tests.registry.test_dq_cleaning import add, columns_of, exported, row_of
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import reference as registry_reference
from treem.registry import services as registry
from treem.registry.forms import CircumstanceForm
from treem.registry.models import (
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildStatus,
    CircumstanceGroup,
    CircumstanceSubgroup,
)
from treem.registry.quality import linkage
from treem.registry.quality import services as quality
from treem.registry.quality.duplicates import canonical
from treem.registry.quality.models import (
    CleaningRound,
    Correction,
    CorrectionMethod,
    CorrectionStatus,
    DuplicatePair,
    LinkageRun,
    RunStatus,
)
from treem.registry.selectors import groups_in_force

TAKEN_ELSEWHERE = "đã được ghi cho một trẻ khác ở xã/phường khác"


# ---------------------------------------------------------------- 1. one personal ID per child


def test_the_api_refuses_a_personal_id_another_child_carries(worker_x, commune_x, commune_y, reference):
    born = years_ago(6)
    mine = registry.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Văn Páo", "sex": "M", "birth_date": born, "personal_id": pid("M", born, 11)})
    theirs = registry.child_create(actor=SYSTEM, commune=commune_y, data={
        "full_name": "Giàng Thị Mai", "sex": "F", "birth_date": born, "personal_id": pid("F", born, 12)})
    client = api(worker_x)
    new = {"commune": commune_x.code, "full_name": "Tòng Văn Sáng", "sex": "M", "birth_date": born.isoformat()}

    same_commune = client.post("/api/v1/children/", {**new, "personal_id": mine.personal_id}, format="json")
    assert same_commune.status_code == 400
    [message] = same_commune.json()["personal_id"]
    assert message.startswith(f"Số định danh {mine.personal_id} đã có trong sổ của trẻ Lò Văn Páo, sinh ngày "
                              f"{born.strftime('%d/%m/%Y')} (Xã Bình Lư)")
    elsewhere = client.post("/api/v1/children/", {**new, "personal_id": theirs.personal_id}, format="json")
    assert elsewhere.status_code == 400
    [message] = elsewhere.json()["personal_id"]
    assert TAKEN_ELSEWHERE in message and "Giàng" not in message  # not visible to commune X: not named
    assert not Child.objects.filter(full_name="Tòng Văn Sáng").exists()

    other = client.post("/api/v1/children/", new, format="json").json()
    taken = client.patch(f"/api/v1/children/{other['id']}/", {"personal_id": theirs.personal_id, "version": 1},
                         format="json")
    assert taken.status_code == 400 and TAKEN_ELSEWHERE in taken.json()["personal_id"][0]
    assert Child.objects.get(pk=other["id"]).personal_id == ""

    # A number on a record found in error is free again.
    registry.child_mark_in_error(actor=SYSTEM, child=theirs, reason="Nhập thử")
    assert client.patch(f"/api/v1/children/{other['id']}/", {"personal_id": theirs.personal_id, "version": 1},
                        format="json").status_code == 200


def test_records_already_sharing_a_number_can_still_be_corrected(worker_x, commune_x, reference):
    born = years_ago(6)
    first = registry.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Văn Páo", "sex": "M", "birth_date": born, "personal_id": pid("M", born, 21)})
    second = registry.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Văn Pình", "sex": "M", "birth_date": born})
    Child.objects.filter(pk=second.pk).update(personal_id=first.personal_id)  # an old import
    second.refresh_from_db()
    edited = registry.child_update(actor=worker_x, child=second, version=None,
                                   data={"personal_id": second.personal_id, "village": "Bản Hon"})
    assert edited.village == "Bản Hon"


def test_accepting_a_linkage_correction_refuses_a_number_another_child_carries(client, worker_x, commune_x,
                                                                                commune_y, reference):
    born = date(2019, 8, 21)
    child = add(commune_x, "Giàng A Páo", born)
    holder = add(commune_y, "Giàng A Chứ", born, personal_id=pid("M", born, 202))
    run = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename="x.csv",
                                    content=b"", status=RunStatus.DONE)
    correction = Correction.objects.create(
        run=run, child=child, commune=commune_x, province_id=commune_x.province_id, field="personal_id",
        current_value="", proposed_value=holder.personal_id, method=CorrectionMethod.BY_MATCH, probability=0.97)
    with pytest.raises(ValidationError) as refused:
        quality.correction_accept(actor=worker_x, correction=correction)
    assert TAKEN_ELSEWHERE in refused.value.message_dict["personal_id"][0]
    client.force_login(worker_x)
    response = client.post(f"/children/quality/corrections/{correction.pk}/accept/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and TAKEN_ELSEWHERE in response.content.decode()
    assert Child.objects.get(pk=child.pk).personal_id == ""
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PROPOSED  # the officer still decides
    assert not AuditEvent.objects.filter(action__in=["quality.correction.accept", "registry.child.update"]).exists()


def test_a_merge_may_give_the_survivor_the_merged_records_number(worker_x, commune_x, reference):
    born = date(2017, 5, 20)
    without_id = add(commune_x, "Cầm Văn Sơn", born)
    with_id = add(commune_x, "Cầm Văn Sơn", born, personal_id=pid("M", born, 10))
    a, b = canonical(without_id.pk, with_id.pk)
    now = timezone.now()
    pair = DuplicatePair.objects.create(child_a_id=a, child_b_id=b, commune=commune_x, other_commune=commune_x,
                                        province_id=commune_x.province_id, probability=0.99, match_weight=12,
                                        detected_at=now, last_seen_at=now)
    survivor, other = ("a", "b") if a == without_id.pk else ("b", "a")
    kept = quality.children_merge(actor=worker_x, pair=pair, survivor=survivor, choices={"personal_id": other})
    assert kept.pk == without_id.pk and kept.personal_id == pid("M", born, 10)
    assert Child.objects.get(pk=with_id.pk).status == ChildStatus.MERGED


# ---------------------------------------------------------------- 2. the cleaning round


@pytest.fixture
def listed(reference, commune_x, commune_y):
    born = date(2017, 5, 20)
    return {
        "no_id": add(commune_x, "Giàng A Páo", date(2019, 8, 21)),
        "malformed": add(commune_x, "Tòng Văn Kiên", date(2014, 12, 2), personal_id="01221400030"),
        "no_ethnicity": add(commune_x, "Vàng Văn Sềnh", born, ethnicity="", personal_id=pid("M", born, 8)),
        "clean": add(commune_x, "Cầm Văn Sơn", born, personal_id=pid("M", born, 10)),
        "elsewhere": add(commune_y, "Sùng Thị Dế", born, sex="F", personal_id=pid("F", born, 99)),
    }


def upload(client, cleaning_round, workbook, tmp_path):
    path = tmp_path / "da-xac-minh.xlsx"
    workbook.save(path)
    with path.open("rb") as handle:
        client.post(f"/children/quality/cleaning/{cleaning_round.pk}/upload/", {"file": handle})
    cleaning_round.refresh_from_db()
    return {e.get("child") or e["id"]: e for e in cleaning_round.review}


def start_round(client, worker, commune):
    client.force_login(worker)
    client.post("/children/quality/cleaning/", {"commune": commune.code})
    cleaning_round = CleaningRound.objects.get()
    workbook, sheet, header_row = exported(client, cleaning_round)
    return cleaning_round, workbook, sheet, header_row, columns_of(sheet, header_row)


def test_a_child_whose_changes_were_all_skipped_is_not_counted_as_updated(client, worker_x, listed, commune_x,
                                                                        tmp_path):
    cleaning_round, workbook, sheet, header_row, cols = start_round(client, worker_x, commune_x)
    sheet.cell(row_of(sheet, header_row, cols, listed["no_ethnicity"]), cols["Dân tộc (đã xác minh)"]).value = "Dao"
    review = upload(client, cleaning_round, workbook, tmp_path)
    registry.child_update(actor=worker_x, child=listed["no_ethnicity"], data={"ethnicity": "Giáy"}, version=None)
    accepted = [c["id"] for c in review[str(listed["no_ethnicity"].pk)]["changes"]]
    summary = quality.cleaning_apply(actor=worker_x, cleaning_round=cleaning_round, accepted=set(accepted))
    assert summary["updated_children"] == 0 and summary["changes_applied"] == 0
    assert [s["why"] for s in summary["skipped"]] == ["changed since upload"]
    page = client.get(f"/children/quality/cleaning/{cleaning_round.pk}/review/").content.decode()
    assert "Dân tộc đã được sửa trong sổ sau khi tải tệp lên" in page
    assert Child.objects.get(pk=listed["no_ethnicity"].pk).ethnicity == "Giáy"


def test_verified_ids_are_checked_like_every_write(client, worker_x, listed, commune_x, commune_y, tmp_path):
    cleaning_round, workbook, sheet, header_row, cols = start_round(client, worker_x, commune_x)

    def verify(child, value):
        sheet.cell(row_of(sheet, header_row, cols, child), cols["Số định danh cá nhân (đã xác minh)"]).value = value

    girls_number = pid("F", date(2019, 8, 21), 202)
    verify(listed["no_id"], girls_number)  # well formed, but it says a girl: the record says a boy
    verify(listed["no_ethnicity"], listed["clean"].personal_id)  # another child's number
    later_taken = pid("M", date(2014, 12, 2), 303)
    verify(listed["malformed"], later_taken)  # free at upload, taken before the officer applies
    review = upload(client, cleaning_round, workbook, tmp_path)

    [sex] = review[str(listed["no_id"].pk)]["changes"]
    assert not sex["error"] and "giới tính Nữ" in sex["warnings"][0] and "hồ sơ ghi Nam" in sex["warnings"][0]
    [shared] = review[str(listed["no_ethnicity"].pk)]["changes"]
    assert shared["error"].startswith(f"Số định danh {listed['clean'].personal_id} đã có trong sổ của trẻ Cầm Văn "
                                      "Sơn")
    [free] = review[str(listed["malformed"].pk)]["changes"]
    assert not free["error"] and not free["warnings"]
    page = client.get(f"/children/quality/cleaning/{cleaning_round.pk}/review/").content.decode()
    assert "Cần kiểm tra:" in page and "đã có trong sổ của trẻ Cầm Văn Sơn" in page
    assert re.search(rf'value="{sex["id"]}" id="c{sex["id"]}"\s*>', page)  # not ticked: the officer decides
    assert re.search(rf'value="{shared["id"]}" id="c{shared["id"]}"\s*disabled>', page)

    add(commune_y, "Sùng A Tủa", date(2014, 12, 2), personal_id=later_taken)
    summary = quality.cleaning_apply(actor=worker_x, cleaning_round=cleaning_round,
                                     accepted={sex["id"], shared["id"], free["id"]})
    assert Child.objects.get(pk=listed["no_id"].pk).personal_id == girls_number  # the officer ticked it
    assert Child.objects.get(pk=listed["no_ethnicity"].pk).personal_id == pid("M", date(2017, 5, 20), 8)
    assert Child.objects.get(pk=listed["malformed"].pk).personal_id == "01221400030"
    assert summary["updated_children"] == 1 and summary["changes_applied"] == 1
    [skipped] = summary["skipped"]
    assert skipped["field"] == "personal_id" and TAKEN_ELSEWHERE in skipped["message"]


def test_new_rows_are_checked_for_duplicates_and_shared_numbers(client, worker_x, listed, commune_x, tmp_path):
    cleaning_round, workbook, sheet, _header_row, cols = start_round(client, worker_x, commune_x)
    rows = [("Cầm Văn Sơn", "20/05/2017", "Nam", ""),  # already on the register (not listed: nothing to check)
            ("Sùng Văn Dế", "20/05/2017", "Nữ", listed["elsewhere"].personal_id),  # a child of commune Y's number
            ("Thào Thị Dợ", "03/03/2021", "Nữ", "")]
    for row, (name, born, sex, number) in enumerate(rows, start=sheet.max_row + 1):
        sheet.cell(row, cols["Họ và tên"]).value = name
        sheet.cell(row, cols["Ngày sinh"]).value = born
        sheet.cell(row, cols["Giới tính"]).value = sex
        sheet.cell(row, cols["Dân tộc"]).value = "Thái"
        sheet.cell(row, cols["Số định danh cá nhân (đã xác minh)"]).value = number or None
    review = upload(client, cleaning_round, workbook, tmp_path)
    created = {e["name"]: e for e in review.values() if e["kind"] == "create"}
    again, shared, new = created["Cầm Văn Sơn"], created["Sùng Văn Dế"], created["Thào Thị Dợ"]
    assert not again["errors"]
    [warning] = again["warnings"]
    assert warning.startswith("Có thể đã có trong sổ: Cầm Văn Sơn, sinh ngày 20/05/2017 (")
    assert any(TAKEN_ELSEWHERE in e for e in shared["errors"])
    assert not new["errors"] and not new["warnings"]
    page = client.get(f"/children/quality/cleaning/{cleaning_round.pk}/review/").content.decode()
    assert "Có thể đã có trong sổ: Cầm Văn Sơn" in page
    assert re.search(rf'value="{again["id"]}" id="n{again["id"]}"\s*>', page)  # not ticked
    assert re.search(rf'value="{new["id"]}" id="n{new["id"]}"\s*checked>', page)

    summary = quality.cleaning_apply(actor=worker_x, cleaning_round=cleaning_round,
                                     accepted={again["id"], shared["id"], new["id"]})
    assert summary["created_children"] == 2  # the officer decided the first one is another child
    assert Child.objects.filter(full_name="Cầm Văn Sơn").count() == 2
    assert not Child.objects.filter(full_name="Sùng Văn Dế").exists()


# ---------------------------------------------------------------- 3. carers through the API


@pytest.fixture
def carers(reference, commune_x, commune_y):
    born = years_ago(7)
    here = registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Lò Văn Páo", "sex": "M", "birth_date": born})
    there = registry.child_create(actor=SYSTEM, commune=commune_y, data={
        "full_name": "Lò Thị Mai", "sex": "F", "birth_date": born})
    shared = registry.carer_link(actor=SYSTEM, child=here, full_name="Lò Thị Xoa", phone="0912345678",
                                 relation="mother", primary=True).carer
    ChildCarer.objects.create(child=there, carer=shared, relation="mother")  # the same mother, two communes
    only_there = registry.carer_link(actor=SYSTEM, child=there, full_name="Vàng A Dua", relation="father").carer
    other_here = registry.carer_link(actor=SYSTEM, child=here, full_name="Lò Văn Tài", phone="0387654321",
                                     relation="father").carer
    return {"here": here, "there": there, "shared": shared, "only_there": only_there, "other_here": other_here}


def test_a_carer_shows_only_the_children_the_caller_may_see(worker_x, carers):
    client = api(worker_x)
    hidden = str(carers["there"].pk)
    listing = client.get("/api/v1/carers/")
    assert listing.status_code == 200 and hidden not in listing.content.decode()
    by_name = {c["full_name"]: c for c in listing.json()["results"]}
    assert set(by_name) == {"Lò Thị Xoa", "Lò Văn Tài"}
    assert [link["child"] for link in by_name["Lò Thị Xoa"]["children"]] == [str(carers["here"].pk)]
    detail = client.get(f"/api/v1/carers/{carers['shared'].pk}/")
    assert detail.status_code == 200 and hidden not in detail.content.decode()
    of_child = client.get(f"/api/v1/children/{carers['here'].pk}/carers/")
    assert of_child.status_code == 200 and hidden not in of_child.content.decode()
    assert client.get(f"/api/v1/carers/{carers['only_there'].pk}/").status_code == 404


def test_carers_can_be_filtered_by_name_phone_commune_and_child(worker_x, province_officer, carers, commune_x,
                                                               commune_y):
    client = api(worker_x)

    def names(**params):
        body = client.get("/api/v1/carers/", params).json()
        assert set(body) >= {"count", "next", "previous", "results"}
        return sorted(c["full_name"] for c in body["results"])

    assert names(q="lo thi xoa") == ["Lò Thị Xoa"]
    assert names(q="XOA") == ["Lò Thị Xoa"]
    assert names(q="0912 345 678") == ["Lò Thị Xoa"]
    assert names(q="+84 387 654 321") == ["Lò Văn Tài"]
    assert names(q="654321") == ["Lò Văn Tài"]
    assert names(q="vang a dua") == []  # a carer of commune Y only
    assert names(commune=commune_x.code) == ["Lò Thị Xoa", "Lò Văn Tài"]
    assert names(commune=commune_y.code) == []
    assert names(child=str(carers["here"].pk), q="tai") == ["Lò Văn Tài"]
    province = api(province_officer).get("/api/v1/carers/", {"commune": commune_y.code}).json()["results"]
    assert sorted(c["full_name"] for c in province) == ["Lò Thị Xoa", "Vàng A Dua"]
    shared = next(c for c in province if c["full_name"] == "Lò Thị Xoa")
    assert len(shared["children"]) == 2  # the province sees both of her children


# ---------------------------------------------------------------- 4. the population-registry adapter


class FixedRegistry(linkage.CsvPopulationRegistry):
    """An adapter that answers from records held in code rather than from the run's file."""

    @classmethod
    def for_run(cls, run):
        born = date(2016, 4, 9)
        return cls([linkage.PopulationRecord(pid("F", born, 101), "Lò Thị Thuỷ", born, "F", "Thái", "03390")])


class NotARegistry:
    @classmethod
    def for_run(cls, run):
        return cls()

    def lookup_by_id(self, ids):
        return {}


def test_the_adapter_is_chosen_by_a_setting(settings, commune_x, reference):
    born = date(2016, 4, 9)
    child = add(commune_x, "Lò Thị Thủy", born, sex="F", personal_id=pid("F", born, 101))
    run = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename="x.csv",
                                    content=b"not an extract")
    assert django_settings.TREEM_POPULATION_REGISTRY == "treem.registry.quality.linkage.CsvPopulationRegistry"
    assert linkage.registry_class() is linkage.CsvPopulationRegistry
    settings.TREEM_POPULATION_REGISTRY = f"{__name__}.FixedRegistry"
    assert isinstance(linkage.registry_for(run), FixedRegistry)
    stats = linkage.run_linkage(run)
    assert stats["by_id"] == 1
    assert Correction.objects.get(child=child, field="full_name").proposed_value == "Lò Thị Thuỷ"

    settings.TREEM_POPULATION_REGISTRY = f"{__name__}.NotARegistry"
    with pytest.raises(ImproperlyConfigured, match=r"NotARegistry.*PopulationRegistry"):
        linkage.registry_for(run)
    settings.TREEM_POPULATION_REGISTRY = "treem.registry.quality.linkage.nothing_here"
    with pytest.raises(ImproperlyConfigured, match="cannot be imported"):
        linkage.registry_class()
    failed = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename="x.csv",
                                       content=b"")
    with pytest.raises(ImproperlyConfigured):
        linkage.run_linkage(failed)
    failed.refresh_from_db()
    assert failed.status == RunStatus.FAILED and "TREEM_POPULATION_REGISTRY" in failed.error


def test_the_setting_is_read_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.TREEM_POPULATION_REGISTRY)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "TREEM_POPULATION_REGISTRY": "adapters.population.ApiRegistry"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=django_settings.BASE_DIR)
    assert out.stdout.strip() == "adapters.population.ApiRegistry"


# ---------------------------------------------------------------- 5. sub-groups that can be retired


def test_a_sub_group_dropped_from_the_fixture_is_ended_not_deleted(db):
    registry_reference.load_reference()
    data = registry_reference.fixture()
    group_a = next(g for g in data["groups"] if g["code"] == "a")
    group_a["subgroups"] = [s for s in group_a["subgroups"] if s["code"] != "a4"]
    counts = registry_reference.load_reference(data)
    assert counts["ended"] == 1
    dropped = CircumstanceSubgroup.objects.get(group__code="a", code="a4")
    assert dropped.valid_to == timezone.localdate()
    assert CircumstanceSubgroup.objects.get(group__code="a", code="a3").valid_to is None
    assert registry_reference.load_reference(data) == {"created": 0, "updated": 0, "ended": 0}  # idempotent
    registry_reference.load_reference()  # listed again: in force again
    dropped.refresh_from_db()
    assert dropped.valid_to is None


def test_circumstances_name_only_groups_and_sub_groups_in_force(worker_x, commune_x, reference):
    child = registry.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Văn Páo", "sex": "M", "birth_date": date(2015, 3, 1)})
    ended_on = timezone.localdate() - timedelta(days=30)
    CircumstanceSubgroup.objects.filter(group__code="a", code="a3").update(valid_to=ended_on)
    CircumstanceSubgroup.objects.filter(group__code="a", code="a2").update(
        valid_from=timezone.localdate() + timedelta(days=10))
    CircumstanceGroup.objects.filter(code="o").update(valid_to=ended_on)

    with pytest.raises(ValidationError) as refused:
        registry.circumstance_add(actor=worker_x, child=child, group="a", subgroup="a3")
    assert refused.value.message_dict["subgroup"] == [
        f"Nhóm nhỏ a3 không có hiệu lực vào ngày {timezone.localdate().strftime('%d/%m/%Y')}: hãy chọn nhóm nhỏ có "
        "hiệu lực vào ngày đó."]
    with pytest.raises(ValidationError, match="Nhóm nhỏ a2 không có hiệu lực"):
        registry.circumstance_add(actor=worker_x, child=child, group="a", subgroup="a2")
    with pytest.raises(ValidationError) as refused:
        registry.circumstance_add(actor=worker_x, child=child, group="o")
    assert "Nhóm o không có hiệu lực" in refused.value.message_dict["group"][0]
    response = api(worker_x).post("/api/v1/circumstances/", {"child": str(child.pk), "group": "a",
                                                             "subgroup": "a3"}, format="json")
    assert response.status_code == 400 and "Nhóm nhỏ a3 không có hiệu lực" in response.json()["subgroup"][0]
    assert not ChildCircumstance.objects.filter(child=child).exists()

    # Started while the sub-group was in force: still recorded as it was.
    started = ended_on - timedelta(days=100)
    item = registry.circumstance_add(actor=worker_x, child=child, group="a", subgroup="a3", started_on=started)
    assert item.subgroup.code == "a3"

    form = CircumstanceForm(groups=list(groups_in_force()))
    offered = [code for code, _label in form.fields["subgroup"].widget.choices]
    assert "a1" in offered and "a3" not in offered and "a2" not in offered
    assert "o" not in [code for code, _label in form.fields["group"].choices]
    group_a = api(worker_x).get("/api/v1/circumstance-groups/a/").json()
    a3 = next(s for s in group_a["subgroups"] if s["code"] == "a3")
    assert a3["valid_to"] == ended_on.isoformat()
