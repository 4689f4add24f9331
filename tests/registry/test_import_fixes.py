"""Import audit fixes, each on real files: a personal ID never renames another child, the preview says what an update
changes, the "Ngày sinh" over "Nam | Nữ" layout imports, Excel serial dates written as text, one warning per missing
column, 9-digit numbers, failed background imports that can be retried, find-duplicates on every written date and one
message for a formula cell."""

import io
import json
from datetime import date, timedelta
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from tests.registry.quality_files import write_xlsx
from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    csv_bytes,
    fail_inserting,
    pid,
    reference_fixture,
    rows_for_file,
    xlsx_bytes,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.core.paging import paginate
from treem.registry import importing
from treem.registry.imports import batches as import_batches
from treem.registry.models import Carer, Child, ChildCarer, ImportBatch, ImportStatus
from treem.registry.quality import columns as c
from treem.registry.quality.__main__ import main as quality_main
from treem.registry.quality.dates import from_excel_serial, parse_date
from treem.registry.quality.personal_id import check_personal_id, make_personal_id, normalize_personal_id
from treem.registry.quality.rows import validate_row

MAI_BORN = years_ago(9)
MAI_ID = pid("F", MAI_BORN, 456, province="011")
SHORT_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Thôn/bản"]


def counts():
    return (Child.objects.count(), Carer.objects.count(), ChildCarer.objects.count(),
            # changes to the register: not reads (logged too), nor the import's own steps (upload, preview, columns)
            AuditEvent.objects.filter(action__startswith="registry.").exclude(action__endswith=".view")
            .exclude(action__endswith=".list").exclude(action__in=IMPORT_STEPS).count())


IMPORT_STEPS = ["registry.import.upload", "registry.import.preview", "registry.import.columns",
                "registry.import.commit_queued"]


def plan_of(content, filename, commune):
    return importing.plan_import(importing.read_file(content, filename), commune, content=content)


def run_json(*args) -> dict:
    out = StringIO()
    call_command("import_children", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ---------------------------------------------------------------- 1. a personal ID never renames another child


def test_an_id_of_a_child_with_another_name_is_a_reject_not_a_rename(commune_x, add_child):
    mai = add_child("Trần Thị Mai", sex="F", born=MAI_BORN, personal_id=MAI_ID)
    content = csv_bytes(rows_for_file([("Phạm Thị Hoa", MAI_BORN, "Nữ", "Kinh", MAI_ID, "Bản 1", "", "")]))
    before = counts()
    plan, summary = importing.import_file(content, "ds.csv", commune=commune_x, actor=SYSTEM, commit=True)
    assert summary["reject"] == 1 and summary["update"] == 0
    assert plan.rows[0].errors == [
        f"Dòng 2: số định danh {MAI_ID} đã ghi cho trẻ khác (họ và tên không khớp: sổ ghi Trần Thị Mai, tệp ghi "
        "Phạm Thị Hoa). Hãy kiểm tra số này thuộc trẻ nào."]
    mai.refresh_from_db()
    assert mai.full_name == "Trần Thị Mai" and mai.version == 1
    assert counts()[:3] == before[:3]


def test_an_id_of_a_child_with_another_birth_date_is_a_reject(commune_x, add_child):
    mai = add_child("Trần Thị Mai", sex="F", born=MAI_BORN, personal_id=MAI_ID)
    other_day = MAI_BORN + timedelta(days=1)
    content = csv_bytes(rows_for_file([("Trần Thị Mai", other_day, "Nữ", "Kinh", MAI_ID, "Bản 1", "", "")]))
    plan, _summary = importing.import_file(content, "ds.csv", commune=commune_x, actor=SYSTEM, commit=True)
    assert plan.rows[0].action == "reject"
    assert plan.rows[0].errors == [
        f"Dòng 2: số định danh {MAI_ID} đã ghi cho trẻ khác (ngày sinh không khớp: sổ ghi {d(MAI_BORN)}, tệp ghi "
        f"{d(other_day)}). Hãy kiểm tra số này thuộc trẻ nào."]
    mai.refresh_from_db()
    assert mai.birth_date == MAI_BORN and mai.version == 1


def test_the_same_name_with_its_accents_is_a_correction_with_a_warning(commune_x, add_child):
    mai = add_child("Tran Thi Mai", sex="F", born=MAI_BORN, personal_id=MAI_ID)
    content = csv_bytes(rows_for_file([("TRẦN  thị mai", MAI_BORN, "Nữ", "", MAI_ID, "", "", "")]))
    plan, summary = importing.import_file(content, "ds.csv", commune=commune_x, actor=SYSTEM, commit=True)
    assert summary["update"] == 1 and plan.rows[0].changes == {"full_name": ["Tran Thi Mai", "Trần Thị Mai"]}
    assert ("Dòng 2: họ tên trong sổ “Tran Thi Mai” sẽ được sửa thành “Trần Thị Mai” (cùng tên, thêm hoặc sửa dấu)."
            in plan.rows[0].warnings)
    mai.refresh_from_db()
    assert mai.full_name == "Trần Thị Mai" and mai.name_folded == "tran thi mai"


# ---------------------------------------------------------------- 2. what an update changes


@pytest.fixture
def duc(add_child):
    born = years_ago(7)
    return add_child("Nguyễn Văn Đức", born=born, personal_id=pid("M", born, 1), village="Bản Cũ")


def _update_file(duc) -> bytes:
    return csv_bytes([[1, "Nguyễn Văn Đức", duc.birth_date, "Nam", duc.personal_id, "Bản Nà Khuồng"],
                      [2, "Lò Thị Ơn", years_ago(4), "Nữ", "", "Bản Hô Ta"]], header=SHORT_HEADER)


def test_the_command_line_json_says_what_an_update_changes(tmp_path, commune_x, duc):
    path = tmp_path / "ds.csv"
    path.write_bytes(_update_file(duc))
    rows = run_json(str(path), "--commune", commune_x.code)["rows"]
    assert rows[0] == {"row": 2, "action": "update", "errors": [], "warnings": [], "child": "Nguyễn Văn Đức",
                       "changes": {"village": ["Bản Cũ", "Bản Nà Khuồng"]}}
    assert rows[1]["action"] == "create" and rows[1]["child"] is None and rows[1]["changes"] == {}
    out = StringIO()
    call_command("import_children", str(path), "--commune", commune_x.code, stdout=out)
    assert "Dòng 2: update (Nguyễn Văn Đức)\n  - Thôn/bản/ấp: Bản Cũ → Bản Nà Khuồng" in out.getvalue()


def test_the_batch_report_keeps_the_changes_and_old_reports_still_read(commune_x, worker_x, duc):
    batch = importing.batch_create(actor=worker_x, commune=commune_x, filename="ds.csv", content=_update_file(duc))
    importing.batch_preview(batch)
    batch.refresh_from_db()
    assert batch.report[0] == [2, "update", [], [], {"child": "Nguyễn Văn Đức",
                                                     "changes": {"village": ["Bản Cũ", "Bản Nà Khuồng"]}}]
    assert batch.report[1][:3] == [3, "create", []] and len(batch.report[1]) == 4
    rows = importing.report_rows(batch.report)
    assert rows[0]["child"] == "Nguyễn Văn Đức" and rows[0]["changes"] == ["Thôn/bản/ấp: Bản Cũ → Bản Nà Khuồng"]
    old = importing.report_rows([[2, "update", [], []]])  # kept before the changes were recorded
    assert old == [{"row": 2, "action": "update", "errors": [], "warnings": [], "child": "", "changes": []}]


def test_changes_read_with_vietnamese_labels_and_dates():
    assert importing.change_lines({"birth_date": ["2016-07-09", "2016-07-10"], "sex": ["M", "F"],
                                   "village": [None, "Bản 1"], "carer": [None, "Lò Văn Sơn"],
                                   "birth_registered": ["no", "yes"]}) == [
        "Ngày sinh: 09/07/2016 → 10/07/2016", "Giới tính: Nam → Nữ", "Thôn/bản/ấp: — → Bản 1",
        "Họ tên cha/mẹ/người chăm sóc: — → Lò Văn Sơn", "Đã đăng ký khai sinh: Không → Có"]


def _render_preview(batch, user, show="all") -> str:
    """The preview page as import_detail renders it once it reads the report with importing.report_rows."""
    request = RequestFactory().get(f"/children/import/{batch.pk}/", {"show": show})
    request.user = user
    page, querystring_base = paginate(request, importing.report_rows(batch.report), per_page=100)
    return render_to_string("registry/import_detail.html", {
        "batch": batch, "page": page, "querystring_base": querystring_base, "show": show, "job": None,
        "field_choices": [], "mapping_rows": [], "missing_labels": [], "columns": [], "done_url": ""}, request=request)


def test_the_preview_template_shows_the_changes_and_renders_old_reports(commune_x, worker_x, duc):
    batch = importing.batch_create(actor=worker_x, commune=commune_x, filename="ds.csv", content=_update_file(duc))
    importing.batch_preview(batch)
    page = _render_preview(batch, worker_x)
    assert "Trong sổ: Nguyễn Văn Đức" in page and "Thôn/bản/ấp: Bản Cũ → Bản Nà Khuồng" in page
    batch.report = [row[:4] for row in batch.report]
    page = _render_preview(batch, worker_x)
    assert "Trong sổ:" not in page and "→ Bản Nà Khuồng" not in page and "<td>2</td>" in page


def test_the_preview_page_shows_the_changes(client, commune_x, worker_x, duc):
    client.force_login(worker_x)
    client.post("/children/import/", {"commune": commune_x.code,
                                      "file": SimpleUploadedFile("ds.csv", _update_file(duc))})
    batch = ImportBatch.objects.get()
    page = client.get(f"/children/import/{batch.pk}/?show=update").content.decode()
    assert "Thôn/bản/ấp: Bản Cũ → Bản Nà Khuồng" in page


# ---------------------------------------------------------------- 3. "Ngày sinh" over "Nam | Nữ"


def test_birth_dates_written_under_nam_or_nu_import_end_to_end(tmp_path, commune_x, reference):
    boy, girl = years_ago(5), years_ago(7)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI"])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", None, "Dân tộc", "Họ tên cha/mẹ/người chăm sóc"])
    sheet.append([None, None, "Nam", "Nữ", None, None])
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"):
        sheet.merge_cells(cells)
    sheet.append([1, "Lò Văn Páo", boy, None, "Thái", "Lò Văn Sơn"])  # a date cell
    sheet.append([2, "Lò Thị Ơn", None, d(girl), "Thái", "Lò Văn Sơn"])  # a date typed as text
    sheet.append([3, "Lò Văn Tâm", "x", None, "Thái", "Lò Văn Sơn"])  # a mark without a date
    sheet["C4"].number_format = "dd/mm/yyyy"
    path = tmp_path / "nam-nu.xlsx"
    book.save(path)

    result = run_json(str(path), "--commune", commune_x.code)
    assert [(r["row"], r["action"]) for r in result["rows"]] == [(4, "create"), (5, "create"), (6, "reject")]
    assert result["rows"][2]["errors"] == ["Dòng 6, cột 'Ngày sinh': thiếu ngày sinh"]
    assert result["columns"] == {"Họ và tên": "full_name", "Nam": "male_mark", "Nữ": "female_mark",
                                 "Dân tộc": "ethnicity", "Họ tên cha/mẹ/người chăm sóc": "carer_name"}
    result = run_json(str(path), "--commune", commune_x.code, "--commit")
    assert result["committed"] is True
    assert sorted(Child.objects.values_list("full_name", "sex", "birth_date")) == [
        ("Lò Thị Ơn", "F", girl), ("Lò Văn Páo", "M", boy)]


# ---------------------------------------------------------------- 4. Excel serial dates written as text


SERIAL_DAYS = st.dates(min_value=from_excel_serial(10000), max_value=date.today() + timedelta(days=365))


@given(SERIAL_DAYS, st.sampled_from(["{}", "{}.0", " {} "]))
def test_a_serial_date_written_as_text_parses_back(day, form):
    assert parse_date(form.format((day - date(1899, 12, 30)).days)) == day


def test_serial_text_and_bare_years():
    assert parse_date("42500") == parse_date("42500.0") == date(2016, 5, 10) == parse_date(42500)
    with pytest.raises(ValueError, match=r"chỉ có năm sinh 2016; cần ngày sinh đầy đủ"):
        parse_date("2016")
    with pytest.raises(ValueError, match="không đọc được ngày '99999'"):
        parse_date("99999")  # 2173: not a birth date
    row = {c.FULL_NAME: "Lò Văn Páo", c.SEX: "Nam", c.BIRTH_DATE: "42500"}
    result = validate_row(row, date(2025, 6, 1), 4)
    assert result.ok and result.data["birth_date"] == date(2016, 5, 10)
    assert [(i.code, i.message) for i in result.warnings] == [(
        "birth_date_serial", "Dòng 4, cột 'Ngày sinh': ô ghi '42500' được đọc là số ngày kiểu Excel, tức ngày "
        "10/05/2016; hãy kiểm tra và định dạng cột này là ngày (Date)")]
    result = validate_row({**row, c.BIRTH_DATE: "2016"}, date(2025, 6, 1), 4)
    assert [(i.code, i.message) for i in result.errors] == [(
        "birth_date_year_only", "Dòng 4, cột 'Ngày sinh': chỉ có năm sinh 2016; cần ngày sinh đầy đủ (ngày/tháng/năm)")]


def test_a_csv_with_serial_dates_imports(commune_x, reference):
    born = years_ago(6)
    serial = (born - date(1899, 12, 30)).days
    content = csv_bytes([[1, "Lò Văn Páo", str(serial), "Nam", "", "Bản 1"],
                         [2, "Lò Thị Ơn", f"{serial}.0", "Nữ", "", "Bản 1"]], header=SHORT_HEADER)
    plan, summary = importing.import_file(content, "ds.csv", commune=commune_x, actor=SYSTEM, commit=True)
    assert summary["create"] == 2 and all(any("số ngày kiểu Excel" in w for w in r.warnings) for r in plan.rows)
    assert set(Child.objects.values_list("birth_date", flat=True)) == {born}


# ---------------------------------------------------------------- 5. a missing column is said once


def test_a_column_the_file_lacks_is_one_file_warning_not_one_per_row(client, commune_x, worker_x, reference):
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Thôn/bản"]
    content = csv_bytes([[1, "Lò Văn Páo", years_ago(5), "Nam", "Bản 1"],
                         [2, "Lò Thị Ơn", years_ago(6), "Nữ", "Bản 2"]], header=header)
    plan = plan_of(content, "ds.csv", commune_x)
    assert [r.warnings for r in plan.rows] == [[], []]
    summary = plan.summary()
    assert summary["warnings"] == 0
    assert summary["file_warnings"] == [
        "Tệp không có cột “Số định danh cá nhân”: thông tin này không được nhập cho trẻ nào.",
        "Tệp không có cột “Dân tộc”: thông tin này không được nhập cho trẻ nào.",
        "Tệp không có cột “Họ tên cha/mẹ/người chăm sóc”: thông tin này không được nhập cho trẻ nào."]

    client.force_login(worker_x)
    client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("ds.csv", content)})
    batch = ImportBatch.objects.get()
    page = client.get(f"/children/import/{batch.pk}/").content.decode()  # the "problems" view
    assert "Tệp không có cột “Dân tộc”" in page and "Không có dòng nào." in page
    client.post(f"/children/import/{batch.pk}/commit/")
    # The children still carry the data-quality flag of a missing personal ID.
    assert list(Child.objects.values_list("quality_flags", flat=True)) == [["id_missing"], ["id_missing"]]


def test_an_empty_cell_of_a_column_the_file_has_still_warns_on_the_row():
    row = {c.FULL_NAME: "Lò Văn Páo", c.SEX: "Nam", c.BIRTH_DATE: "04/03/2015"}
    assert validate_row(row, date(2025, 6, 1)).warnings == []
    empty = {**row, c.PERSONAL_ID: "", c.ETHNICITY: "", c.CARER_NAME: ""}
    assert [i.code for i in validate_row(empty, date(2025, 6, 1)).warnings] == [
        "id_missing", "ethnicity_missing", "carer_missing"]


# ---------------------------------------------------------------- 6. 9-digit numbers


def test_a_nine_digit_number_is_an_old_identity_card():
    for value in (123456789, 123456789.0):
        assert normalize_personal_id(value) == ("123456789", False)
        findings = check_personal_id(value)
        assert [f.code for f in findings] == ["id_length"] and "CMND" in findings[0].message
    assert normalize_personal_id(1215012345) == ("001215012345", True)


@given(st.integers(min_value=0, max_value=10**14))
def test_only_ten_and_eleven_digit_numbers_get_their_zeros_back(number):
    text, restored = normalize_personal_id(number)
    assert restored == (len(str(number)) in (10, 11))
    assert text == (f"{number:012d}" if restored else str(number))
    assert normalize_personal_id(float(number)) == (text, restored) or float(number) != number


@given(st.sampled_from(["001", "012", "079", "096"]), st.sampled_from(["M", "F"]), st.integers(1900, 2399),
       st.randoms(use_true_random=False))
def test_an_id_stored_as_a_number_normalises_back(province, sex, year, rng):
    personal_id = make_personal_id(province, sex, year, rng)
    assert normalize_personal_id(int(personal_id)) == (personal_id, True)
    assert normalize_personal_id(f" {personal_id[:3]}.{personal_id[3:6]} {personal_id[6:]} ") == (personal_id, False)


# ---------------------------------------------------------------- 7. failed background imports can be retried


def test_a_failed_background_commit_changes_nothing_and_can_be_retried(client, worker_x, commune_x, tmp_path, settings,
                                                                      reference, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 0  # every file goes to the background
    born = years_ago(5)
    content = xlsx_bytes(tmp_path, rows_for_file([
        ("Lò Văn Páo", born, "Nam", "Thái", pid("M", born, 1), "Bản 1", "Lò Văn Sơn", "0912345678")]))
    client.force_login(worker_x)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("ds.xlsx", content)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PREVIEWED
    fail_inserting(monkeypatch, ChildCarer)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/children/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.job.status == "failed"
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.error.startswith("Lưu không thành công do một lỗi ngoài dự kiến; chưa có gì được lưu.")
    assert counts() == before
    page = client.get(f"/children/import/{batch.pk}/").content.decode()
    assert "Lưu không thành công" in page and "Lưu 1 dòng hợp lệ" in page

    monkeypatch.undo()  # the disk has room again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/children/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.error == "" and Child.objects.count() == 1


def test_an_unexpected_failure_of_a_background_check_fails_the_batch(client, worker_x, commune_x, tmp_path, settings,
                                                                    reference, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 0

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(import_batches, "plan_import", broken)  # where the batch flow finds it
    client.force_login(worker_x)
    content = xlsx_bytes(tmp_path, rows_for_file([("Lò Văn Páo", years_ago(5), "Nam", "", "", "", "", "")]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("ds.xlsx", content)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and batch.job.status == "failed"
    assert batch.error.startswith("Không kiểm tra được tệp do một lỗi ngoài dự kiến.")
    assert "Không kiểm tra được tệp" in client.get(f"/children/import/{batch.pk}/").content.decode()


def test_a_commit_refused_in_the_background_goes_back_to_checked(commune_x, worker_x, reference, duc):
    from treem.core.jobs import job_start
    from treem.registry import services

    batch = importing.batch_create(actor=worker_x, commune=commune_x, filename="ds.csv", content=_update_file(duc))
    importing.batch_preview(batch)
    services.child_update(actor=SYSTEM, child=duc, data={"grade": "2A"}, version=1)  # meanwhile
    job = job_start(actor=worker_x, kind="registry.import.commit", runner="treem.registry.importing.run_commit",
                    params={"batch_id": str(batch.pk)}, unit=commune_x)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING)
    original = import_batches.plan_import

    def plan_then_change(*args, **kwargs):  # the register changes between the check and the save
        plan = original(*args, **kwargs)
        Child.objects.filter(pk=duc.pk).update(version=9)
        return plan

    import_batches.plan_import = plan_then_change
    try:
        with pytest.raises(importing.ImportProblem):
            importing.run_commit(job, str(batch.pk))
    finally:
        import_batches.plan_import = original
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and "Chưa có gì được lưu" in batch.error


# ---------------------------------------------------------------- 8. find-duplicates on every written date


def test_find_duplicates_compares_dates_of_children_16_and_over_or_not_yet_born(tmp_path, capsys):
    path = write_xlsx(tmp_path / "ds.xlsx", {"DS": [
        ["Họ và tên", "Ngày sinh", "Giới tính", "Họ tên mẹ"],
        ["Nguyễn Văn An", date(2009, 3, 4), "Nam", "Trần Thị Hoa"],
        ["Nguyen Van An", "04/03/2009", "nam", "Tran Thi Hoa"],
        ["Lê Thị Bình", date(2030, 5, 6), "Nữ", "Phạm Thị Cúc"],
        ["Le Thi Binh", "06/05/2030", "nữ", "Pham Thi Cuc"],
        ["Hoàng Văn Dũng", date(2016, 1, 2), "Nam", "Vũ Thị Em"],
    ]})
    assert quality_main(["find-duplicates", str(path), "--json", "--today", "2025-06-01"]) == 0
    pairs = json.loads(capsys.readouterr().out)["pairs"]
    assert sorted((p["row_a"], p["row_b"]) for p in pairs) == [(2, 3), (4, 5)]


# ---------------------------------------------------------------- 9. a formula cell gets one message


def test_a_formula_cell_without_a_cached_value_gets_only_the_formula_message(tmp_path, commune_x, reference):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc"])
    sheet.append(['="Lò Văn "&"Tâm"', d(years_ago(5)), "Nam", "=B2"])  # openpyxl keeps no cached value
    sheet.append(["Lò Thị Ơn", d(years_ago(6)), "Nữ", "Thái"])
    out = io.BytesIO()
    book.save(out)
    plan = plan_of(out.getvalue(), "ds.xlsx", commune_x)
    assert [r.action for r in plan.rows] == ["reject", "create"]
    assert plan.rows[0].errors == [
        "Dòng 2, cột 'Họ và tên': ô chứa công thức; hãy sao chép cột rồi dán lại dưới dạng giá trị (Dán giá trị - "
        "Paste Values).",
        "Dòng 2, cột 'Dân tộc': ô chứa công thức; hãy sao chép cột rồi dán lại dưới dạng giá trị (Dán giá trị - "
        "Paste Values)."]
    assert not any("Dân tộc" in w for w in plan.rows[0].warnings)
