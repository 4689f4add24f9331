"""The cleaning round with a real XLSX round trip (export, fill in with openpyxl as the commune police would, upload,
review, apply) and the re-check (phúc tra): reproducible samples, outcomes, error rates, who may do what."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.registry.registry_fixtures import pid
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import services as registry
from treem.registry.models import Child, ChildCarer
from treem.registry.quality import cleaning
from treem.registry.quality.models import CleaningRound, Recheck, RoundStatus

TODAY_YEAR = date.today().year


def add(commune, name, born, sex="M", carer="Lò Thị Ơn", **data) -> Child:
    child = registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": name, "sex": sex, "birth_date": born, "ethnicity": data.pop("ethnicity", "Thái"), **data})
    if carer:
        registry.carer_link(actor=SYSTEM, child=child, full_name=carer, relation="mother", primary=True)
    return child


@pytest.fixture
def register(reference, commune_x):
    born = date(2017, 5, 20)
    return {
        "no_id": add(commune_x, "Giàng A Páo", date(2019, 8, 21)),
        "malformed": add(commune_x, "Tòng Văn Kiên", date(2014, 12, 2), personal_id="01221400030"),
        "contradiction": add(commune_x, "Lò Thị Ơn", born, sex="F", personal_id=pid("M", born, 7)),
        "no_ethnicity": add(commune_x, "Vàng Văn Sềnh", born, ethnicity="", personal_id=pid("M", born, 8)),
        "no_carer": add(commune_x, "Lý Thị Mẩy", born, sex="F", carer="", personal_id=pid("F", born, 9)),
        "clean": add(commune_x, "Cầm Văn Sơn", born, personal_id=pid("M", born, 10)),
    }


def columns_of(sheet, header_row: int) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[header_row] if cell.value}


def exported(client, cleaning_round):
    response = client.get(f"/children/quality/cleaning/{cleaning_round.pk}/sheet.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header_row = next(row[0].row for row in sheet.iter_rows(max_row=10) if row[0].value == "STT")
    return workbook, sheet, header_row


def row_of(sheet, header_row, cols, child) -> int:
    return next(r for r in range(header_row + 1, sheet.max_row + 1)
                if sheet.cell(r, cols[cleaning.KEY_HEADER]).value == str(child.pk))


def test_the_list_holds_the_children_to_verify_and_prints(client, worker_x, register, commune_x):
    client.force_login(worker_x)
    response = client.post("/children/quality/cleaning/", {"commune": commune_x.code})
    cleaning_round = CleaningRound.objects.get()
    assert response["Location"] == f"/children/quality/cleaning/{cleaning_round.pk}/"
    listed = {item["child"] for item in cleaning_round.items}
    expected = {str(register[k].pk) for k in ("no_id", "malformed", "contradiction", "no_ethnicity", "no_carer")}
    assert listed == expected  # the clean record is not sent to the households
    page = client.get(response["Location"]).content.decode()
    assert "Danh sách trẻ em cần xác minh" in page and "dq-sheet" in page and "data-print" in page
    assert "Xác nhận của Công an xã (ký, đóng dấu)" in page and "Cầm Văn Sơn" not in page
    assert AuditEvent.objects.filter(action="quality.cleaninground.create", actor=worker_x).exists()


def test_the_sheet_round_trip_applies_only_what_was_confirmed(client, worker_x, register, commune_x, tmp_path):
    client.force_login(worker_x)
    client.post("/children/quality/cleaning/", {"commune": commune_x.code})
    cleaning_round = CleaningRound.objects.get()
    workbook, sheet, header_row = exported(client, cleaning_round)
    cols = columns_of(sheet, header_row)
    assert sheet.column_dimensions[sheet.cell(1, cols[cleaning.KEY_HEADER]).column_letter].hidden
    assert cleaning.POLICE_HEADER in cols and "Số định danh cá nhân (đã xác minh)" in cols
    assert sheet.cell(header_row + 1, cols["Số định danh cá nhân (đã xác minh)"]).number_format == "@"
    assert all(sheet.cell(r, cols["Họ và tên (đã xác minh)"]).value is None
               for r in range(header_row + 1, sheet.max_row + 1))

    # Steps 2-3: the households and the commune police fill in the verified values.
    def verify(child, header, value):
        sheet.cell(row_of(sheet, header_row, cols, child), cols[f"{header} (đã xác minh)"]).value = value

    verify(register["no_id"], "Số định danh cá nhân", pid("M", date(2019, 8, 21), 202))
    verify(register["no_id"], "Dân tộc", "H'Mông")
    verify(register["malformed"], "Số định danh cá nhân", pid("M", date(2014, 12, 2), 303))
    verify(register["malformed"], "Họ và tên", "Đúng")  # confirms the printed value
    verify(register["contradiction"], "Giới tính", "Nam")  # the ID was right, the sex was wrong
    verify(register["no_ethnicity"], "Dân tộc", "Dao")
    verify(register["no_carer"], "Họ tên cha/mẹ/người chăm sóc", "lý thị mai")
    verify(register["no_carer"], "Ngày sinh", "31/02/2017")  # not a date: shown as an error, never applied
    police = row_of(sheet, header_row, cols, register["no_id"])
    sheet.cell(police, cols[cleaning.POLICE_HEADER]).value = "Đã đối chiếu CSDL dân cư"
    new_row = sheet.max_row + 1
    sheet.cell(new_row, cols["Họ và tên"]).value = "Thào Thị Dợ"
    sheet.cell(new_row, cols["Ngày sinh (đã xác minh)"]).value = "03/03/2021"
    sheet.cell(new_row, cols["Giới tính"]).value = "Nữ"
    sheet.cell(new_row, cols["Dân tộc"]).value = "Mông"
    sheet.cell(new_row, cols["Họ tên cha/mẹ/người chăm sóc"]).value = "Thào A Chứ"
    path = tmp_path / "da-xac-minh.xlsx"
    workbook.save(path)

    # Step 4: upload; the review shows every change, nothing is applied yet.
    updates_before = AuditEvent.objects.filter(action="registry.child.update").count()
    with path.open("rb") as handle:
        response = client.post(f"/children/quality/cleaning/{cleaning_round.pk}/upload/", {"file": handle})
    assert response["Location"] == f"/children/quality/cleaning/{cleaning_round.pk}/review/"
    cleaning_round.refresh_from_db()
    assert cleaning_round.status == RoundStatus.REVIEWING
    assert Child.objects.get(pk=register["no_id"].pk).personal_id == ""
    assert AuditEvent.objects.filter(action="registry.child.update").count() == updates_before
    assert not Child.objects.filter(full_name="Thào Thị Dợ").exists()
    review = {e.get("child") or e["id"]: e for e in cleaning_round.review}
    no_id = review[str(register["no_id"].pk)]
    assert {c["field"]: c["new"] for c in no_id["changes"]} == {"personal_id": pid("M", date(2019, 8, 21), 202),
                                                                "ethnicity": "Mông"}
    assert no_id["police"] == "Đã đối chiếu CSDL dân cư"
    assert review[str(register["malformed"].pk)]["confirmed"] == ["full_name"]
    bad = next(c for c in review[str(register["no_carer"].pk)]["changes"] if c["field"] == "birth_date")
    assert "không tồn tại" in bad["error"]
    new = next(e for e in cleaning_round.review if e["kind"] == "create")
    assert new["data"]["full_name"] == "Thào Thị Dợ" and new["data"]["birth_date"] == "2021-03-03"
    assert not new["errors"]
    page = client.get(response["Location"]).content.decode()
    assert "Chưa có gì thay đổi trong sổ" in page and "Thêm trẻ mới" in page
    assert "01221400030" in page and pid("M", date(2014, 12, 2), 303) in page  # old -> new

    # Apply all but the ethnic group of the child without ID.
    accepted = [c["id"] for e in cleaning_round.review if e["kind"] == "update" for c in e["changes"]
                if (not c["error"] and c["field"] != "ethnicity") or c.get("typed") == "Dao"] + [new["id"]]
    response = client.post(f"/children/quality/cleaning/{cleaning_round.pk}/apply/", {"accept": accepted})
    assert response.status_code == 302
    child = Child.objects.get(pk=register["no_id"].pk)
    assert child.personal_id == pid("M", date(2019, 8, 21), 202) and child.ethnicity == "Thái"  # not ticked
    assert Child.objects.get(pk=register["malformed"].pk).personal_id == pid("M", date(2014, 12, 2), 303)
    assert Child.objects.get(pk=register["contradiction"].pk).sex == "M"
    assert Child.objects.get(pk=register["no_ethnicity"].pk).ethnicity == "Dao"
    no_carer = Child.objects.get(pk=register["no_carer"].pk)
    assert no_carer.birth_date == date(2017, 5, 20)
    assert ChildCarer.objects.get(child=no_carer).carer.full_name == "Lý Thị Mai"
    added = Child.objects.get(full_name="Thào Thị Dợ")
    assert added.source == "cleaning" and added.commune == commune_x and added.ethnicity == "Mông"
    assert ChildCarer.objects.get(child=added).carer.full_name == "Thào A Chứ"
    applied = AuditEvent.objects.get(action="quality.cleaninground.apply")
    assert applied.actor == worker_x and applied.summary["created_children"] == 1
    assert applied.summary["changes_applied"] == 5
    cleaning_round.refresh_from_db()
    assert cleaning_round.status == RoundStatus.APPLIED
    again = client.post(f"/children/quality/cleaning/{cleaning_round.pk}/apply/", {"accept": accepted}, follow=True)
    assert "mỗi đợt chỉ cập nhật một lần" in again.content.decode()
    assert Child.objects.filter(full_name="Thào Thị Dợ").count() == 1


def test_a_record_changed_after_printing_is_flagged_and_a_wrong_file_refused(client, worker_x, register, commune_x,
                                                                            tmp_path):
    client.force_login(worker_x)
    client.post("/children/quality/cleaning/", {"commune": commune_x.code})
    cleaning_round = CleaningRound.objects.get()
    workbook, sheet, header_row = exported(client, cleaning_round)
    cols = columns_of(sheet, header_row)
    row = row_of(sheet, header_row, cols, register["no_ethnicity"])
    sheet.cell(row, cols["Dân tộc (đã xác minh)"]).value = "Dao"
    path = tmp_path / "ds.xlsx"
    workbook.save(path)
    registry.child_update(actor=worker_x, child=register["no_ethnicity"], data={"ethnicity": "Giáy"}, version=None)
    with path.open("rb") as handle:
        client.post(f"/children/quality/cleaning/{cleaning_round.pk}/upload/", {"file": handle})
    cleaning_round.refresh_from_db()
    [change] = cleaning_round.review[0]["changes"]
    assert change["conflict"] and change["old"] == "Giáy" and change["listed"] == ""
    assert "Hồ sơ đã được sửa sau khi in danh sách" in client.get(
        f"/children/quality/cleaning/{cleaning_round.pk}/review/").content.decode()

    other = tmp_path / "khac.xlsx"
    other_book = load_workbook(path)
    other_book.active.delete_cols(cols[cleaning.KEY_HEADER])
    other_book.save(other)
    with other.open("rb") as handle:
        response = client.post(f"/children/quality/cleaning/{cleaning_round.pk}/upload/", {"file": handle},
                               follow=True)
    assert "không phải danh sách xác minh của đợt này" in response.content.decode()


def test_another_commune_cannot_reach_a_round(client, worker_x, worker_y, leader, register, commune_x, commune_y):
    client.force_login(worker_x)
    client.post("/children/quality/cleaning/", {"commune": commune_x.code})
    cleaning_round = CleaningRound.objects.get()
    client.force_login(worker_y)
    for url in ("", "sheet.xlsx", "review/"):
        assert client.get(f"/children/quality/cleaning/{cleaning_round.pk}/{url}").status_code == 404
    assert client.post(f"/children/quality/cleaning/{cleaning_round.pk}/apply/").status_code == 404
    assert client.post("/children/quality/cleaning/", {"commune": commune_x.code}).status_code == 404
    client.force_login(leader)
    assert client.get(f"/children/quality/cleaning/{cleaning_round.pk}/").status_code == 200
    assert client.post("/children/quality/cleaning/", {"commune": commune_x.code}).status_code == 403
    assert client.post(f"/children/quality/cleaning/{cleaning_round.pk}/apply/").status_code == 403


# ---------------------------------------------------------------- the re-check


@pytest.fixture
def population(reference, commune_x):
    return [add(commune_x, f"Lò Văn {name}", date(2015, 1, day), personal_id=pid("M", date(2015, 1, day), day))
            for day, name in enumerate(["An", "Bình", "Chung", "Dũng", "Hải", "Khánh", "Long", "Minh", "Nam",
                                        "Phong", "Quang", "Sơn", "Tài", "Thắng", "Toàn", "Vinh", "Xuân", "Yên",
                                        "Đạt", "Hùng"], start=1)]


def test_a_sample_is_reproducible_from_its_seed(client, province_officer, population, commune_x):
    client.force_login(province_officer)
    response = client.post("/children/quality/recheck/new/", {"commune": commune_x.code, "percent": "25",
                                                               "seed": "20250701"})
    first = Recheck.objects.get()
    assert response["Location"] == f"/children/quality/recheck/{first.pk}/"
    sample = [str(i.child_id) for i in first.items.order_by("position")]
    assert len(sample) == 5 and first.population_count == 20 and first.seed == 20250701
    assert cleaning.draw_sample(first.population, 5, first.seed) == sample
    assert cleaning.population_hash(cleaning.recheck_population(commune_x)) == first.population_sha256
    client.post("/children/quality/recheck/new/", {"commune": commune_x.code, "size": "5", "seed": "20250701"})
    second = Recheck.objects.exclude(pk=first.pk).get()
    assert [str(i.child_id) for i in second.items.order_by("position")] == sample
    other_seed = cleaning.draw_sample(first.population, 5, 7)
    assert other_seed != sample
    page = client.get(response["Location"]).content.decode()
    assert "Chọn lại từ hạt giống: đúng mẫu này" in page and "20250701" in page
    sheet = client.get(f"/children/quality/recheck/{first.pk}/sheet.xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert "20250701" in rows[1][0] and rows[3][8] == "Kết quả (Đúng/Sai)"


def test_outcomes_give_the_error_rate_per_commune(client, province_officer, population, commune_x):
    client.force_login(province_officer)
    client.post("/children/quality/recheck/new/", {"commune": commune_x.code, "size": "3", "seed": "1"})
    recheck = Recheck.objects.get()
    base = f"/children/quality/recheck/{recheck.pk}/items"
    assert client.post(f"{base}/1/", {"outcome": "correct"}).status_code == 302
    client.post(f"{base}/2/", {"outcome": "correct"})
    client.post(f"{base}/3/", {"outcome": "wrong", "wrong": ["birth_date", "personal_id"], "note": "sai ngày"})
    item = recheck.items.get(position=3)
    assert item.outcome == "wrong" and item.wrong_fields == ["birth_date", "personal_id"]
    response = client.post(f"{base}/2/", {"outcome": "wrong"}, follow=True)  # wrong without saying what
    assert "Hãy cho biết sai ở đâu" in response.content.decode()
    page = client.get("/children/quality/recheck/").content.decode()
    assert "33,3%" in page and commune_x.name in page
    assert AuditEvent.objects.filter(action="quality.recheck.record").count() == 3


def test_only_a_higher_level_draws_and_records_re_checks(client, worker_x, worker_y, leader, province_officer,
                                                         population, commune_x):
    client.force_login(worker_x)
    assert client.post("/children/quality/recheck/new/", {"commune": commune_x.code, "size": "3"}).status_code == 403
    client.force_login(province_officer)
    client.post("/children/quality/recheck/new/", {"commune": commune_x.code, "size": "3", "seed": "5"})
    recheck = Recheck.objects.get()
    client.force_login(worker_x)
    assert client.get(f"/children/quality/recheck/{recheck.pk}/").status_code == 200  # her commune: she may read
    assert client.post(f"/children/quality/recheck/{recheck.pk}/items/1/", {"outcome": "correct"}).status_code == 403
    client.force_login(leader)
    assert client.post(f"/children/quality/recheck/{recheck.pk}/items/1/", {"outcome": "correct"}).status_code == 403
    client.force_login(worker_y)
    assert client.get(f"/children/quality/recheck/{recheck.pk}/").status_code == 404
    assert client.get(f"/children/quality/recheck/{recheck.pk}/sheet.xlsx").status_code == 404
    assert commune_x.name not in client.get("/children/quality/recheck/").content.decode()
    assert recheck.items.filter(outcome="pending").count() == 3
