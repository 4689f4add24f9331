"""Import from real XLSX, ODS and CSV files built here: preview without side effects, atomic commit, idempotent
re-import, rejected rows as a real spreadsheet, and a clear message for every kind of bad input."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    HEADER,
    add_child_fixture,
    csv_bytes,
    fail_inserting,
    ods_bytes,
    pid,
    reference_fixture,
    rows_for_file,
    xlsx_bytes,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import importing
from treem.registry.models import Carer, Child, ChildCarer, ChildStatus, ImportBatch, ImportStatus

B1, B2, B3 = years_ago(5), years_ago(9), years_ago(2)
GOOD = [
    ("nguyễn văn  đức", B1, "Nam", "Kinh", pid("M", B1, 1), "Bản Nà Khuồng", "Nguyễn Thị Hoa", "0912345678"),
    ("Lò Thị Ơn", B2, "Nữ", "Thái", pid("F", B2, 2), "Bản Hô Ta", "Lò Văn Sơn", "+84 98 765 4321"),
    ("GIÀNG A PÁO", B3, "nam", "H'Mông", "", "Bản Pắc Ta", "Giàng Thị Mỷ", ""),
]
BAD = [
    ("", B1, "Nam", "Kinh", "", "Bản 1", "", ""),  # no name
    ("Vàng A Dế", date.today() + timedelta(days=10), "Nam", "Mông", "", "Bản 1", "", ""),  # born in the future
    ("Vàng Thị Già", years_ago(17), "Nữ", "Mông", "", "Bản 1", "", ""),  # 17 years old
]


def counts():
    return (Child.objects.count(), Carer.objects.count(), ChildCarer.objects.count(),
            # changes to the register: not reads (logged too), nor the import's own steps (upload, preview, columns)
            AuditEvent.objects.filter(action__startswith="registry.").exclude(action__endswith=".view")
            .exclude(action__endswith=".list").exclude(action__in=IMPORT_STEPS).count())


IMPORT_STEPS = ["registry.import.upload", "registry.import.preview", "registry.import.columns",
                "registry.import.commit_queued"]


def plan_of(content, filename, commune, **kw):
    table = importing.read_file(content, filename, kw.pop("sheet", None))
    return importing.plan_import(table, commune, content=content, **kw)


def test_xlsx_preview_commit_and_reimport_through_the_web(client, worker_x, commune_x, tmp_path, reference):
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD + BAD))
    client.force_login(worker_x)
    before = counts()
    response = client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile(
        "danh sach.xlsx", content)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/children/import/{batch.pk}/"
    assert counts() == before  # the preview writes nothing to the register
    page = client.get(f"/children/import/{batch.pk}/").content.decode()
    assert batch.summary == {"create": 3, "update": 0, "unchanged": 0, "reject": 3, "total": 6,
                             "warnings": batch.summary["warnings"]}
    # Row numbers as in the spreadsheet: title, blank line, header, then data from row 4.
    assert "Dòng 7, cột &#x27;Họ và tên&#x27;: thiếu họ và tên" in page
    assert "Dòng 8, cột &#x27;Ngày sinh&#x27;" in page and "ở tương lai" in page
    assert "Dòng 9" in page and "không còn là trẻ em" in page
    assert "Lưu 3 dòng hợp lệ" in page

    response = client.post(f"/children/import/{batch.pk}/commit/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    duc = Child.objects.get(name_folded="nguyen van duc")
    assert duc.full_name == "Nguyễn Văn Đức" and duc.birth_date == B1 and duc.import_batch == batch
    assert duc.carer_links.get().carer.phone == "0912345678"
    assert Child.objects.get(name_folded="lo thi on").carer_links.get().carer.phone == "0987654321"
    assert Child.objects.get(name_folded="giang a pao").ethnicity == "Mông"
    assert Child.objects.get(name_folded="giang a pao").quality_flags == ["id_missing"]
    assert duc.quality_flags == [] and not duc.has_quality_issues
    assert AuditEvent.objects.filter(action="registry.import.commit", object_id=str(batch.pk)).exists()
    history = client.get(f"/children/{duc.pk}/").content.decode()
    assert "Nhập từ bảng tính" in history and "danh sach.xlsx" in history

    # The same file again: every row unchanged, nothing written.
    snapshot = sorted(Child.objects.values_list("pk", "version", "updated_at"))
    before = counts()
    client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("lan2.xlsx", content)})
    again = ImportBatch.objects.order_by("-created_at").first()
    assert again.summary["unchanged"] == 3 and again.summary["create"] == again.summary["update"] == 0
    client.post(f"/children/import/{again.pk}/commit/")
    assert sorted(Child.objects.values_list("pk", "version", "updated_at")) == snapshot
    assert counts()[:3] == before[:3]


def test_rejected_rows_come_back_as_a_real_spreadsheet_with_an_error_column(client, worker_x, commune_x, tmp_path,
                                                                           reference):
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD[:1] + BAD))
    batch = importing.batch_create(actor=worker_x, commune=commune_x, filename="ds.xlsx", content=content)
    importing.batch_preview(batch)
    client.force_login(worker_x)
    response = client.get(f"/children/import/{batch.pk}/rejected.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, "Lỗi"]
    assert len(rows) == 1 + len(BAD)
    assert rows[2][1] == "Vàng A Dế" and "tương lai" in rows[2][-1] and "Dòng 6" in rows[2][-1]
    assert AuditEvent.objects.filter(action="registry.import.rejected_download").count() == 1




def test_the_blank_template_is_the_import_format_and_keeps_ids_and_dates_as_typed(client, worker_x, leader,
                                                                                 commune_x, reference):
    from treem.registry.quality import columns as cols

    client.force_login(worker_x)
    response = client.get("/children/import/")
    assert 'href="/children/import/template.xlsx"' in response.content.decode()
    response = client.get("/children/import/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Danh sách"]
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    mapping, unknown = cols.map_headers(headers)
    assert not unknown and sorted(mapping.values()) == sorted(cols.CANONICAL_FIELDS)
    id_column = headers.index("Số định danh cá nhân") + 1
    assert "12 chữ số" in sheet.cell(1, id_column).comment.text
    formats = {col: d.number_format for d in sheet.column_dimensions.values() if d.min
               for col in range(d.min, d.max + 1)}
    # Text columns: the ID's leading 0 stays, and 05/09/2019 is not read as 9 May by an English Excel.
    assert formats[id_column] == formats[headers.index("Ngày sinh") + 1] == "@"
    # Filled as a worker types it (text cells), then imported.
    born = years_ago(6)
    number = pid("F", born, 7)
    assert number.startswith("0")
    values = {"Họ và tên": "lò thị  mai", "Giới tính": "Nữ", "Ngày sinh": born.strftime("%d/%m/%Y"),
              "Dân tộc": "Thái", "Số định danh cá nhân": number, "Thôn/bản/ấp": "Bản Nà Khuồng"}
    sheet.append([values.get(h, "1" if h == "STT" else None) for h in headers])
    filled = io.BytesIO()
    book.save(filled)
    _plan, summary = importing.import_file(filled.getvalue(), "mau.xlsx", commune=commune_x, actor=worker_x,
                                           commit=True)
    assert summary["create"] == 1 and summary["reject"] == 0
    child = Child.objects.get(personal_id=number)
    assert child.full_name == "Lò Thị Mai" and child.birth_date == born and child.village == "Bản Nà Khuồng"
    # A reader who may not import does not get the form either.
    client.force_login(leader)
    assert client.get("/children/import/template.xlsx").status_code == 403


@pytest.mark.parametrize("kind", ["ods", "csv"])
def test_ods_and_csv_import_and_reimport(kind, tmp_path, commune_x, reference):
    rows = rows_for_file(GOOD)
    content = ods_bytes(tmp_path, rows) if kind == "ods" else csv_bytes(rows)
    plan, summary = importing.import_file(content, f"ds.{kind}", commune=commune_x, actor=SYSTEM, commit=True)
    assert summary["create"] == 3 and summary["reject"] == 0, [r.as_json() for r in plan.rows]
    assert sorted(Child.objects.values_list("name_folded", flat=True)) == ["giang a pao", "lo thi on",
                                                                          "nguyen van duc"]
    _plan, again = importing.import_file(content, f"ds.{kind}", commune=commune_x, actor=SYSTEM, commit=True)
    assert again["unchanged"] == 3 and Child.objects.count() == 3


def test_updates_match_by_personal_id_then_by_name_and_birth_date(commune_x, add_child, reference):
    by_id = add_child("Nguyễn Văn Đức", born=B1, personal_id=pid("M", B1, 1), village="Bản Cũ")
    by_name = add_child("Lò Thị Ơn", sex="F", born=B2)
    content = csv_bytes(rows_for_file(GOOD[:2]))
    _plan, summary = importing.import_file(content, "ds.csv", commune=commune_x, actor=SYSTEM, commit=True)
    assert summary == {"create": 0, "update": 2, "unchanged": 0, "reject": 0, "total": 2, "warnings": 0}
    by_id.refresh_from_db()
    by_name.refresh_from_db()
    assert by_id.village == "Bản Nà Khuồng" and by_id.version == 2
    assert by_name.personal_id == pid("F", B2, 2) and by_name.carer_links.count() == 1
    event = AuditEvent.objects.get(action="registry.child.update", object_id=str(by_id.pk))
    assert event.summary["village"] == ["Bản Cũ", "Bản Nà Khuồng"] and event.summary["row"] == 2
    # A name typed without diacritics never replaces the written one.
    plain = csv_bytes(rows_for_file([("Nguyen Van Duc", *GOOD[0][1:])]))
    _plan, summary = importing.import_file(plain, "ds.csv", commune=commune_x, actor=SYSTEM)
    assert summary["unchanged"] == 1


def test_commit_is_atomic(commune_x, reference, monkeypatch):
    content = csv_bytes(rows_for_file(GOOD))
    fail_inserting(monkeypatch, ChildCarer)
    before = counts()
    with pytest.raises(RuntimeError):
        importing.import_file(content, "ds.csv", commune=commune_x, actor=SYSTEM, commit=True)
    assert counts() == before


def test_without_commit_nothing_is_written(commune_x, reference):
    before = counts()
    _plan, summary = importing.import_file(csv_bytes(rows_for_file(GOOD)), "ds.csv", commune=commune_x, actor=SYSTEM)
    assert summary["create"] == 3 and counts() == before


def test_one_personal_id_for_two_children(commune_x, commune_y, add_child, reference):
    shared = pid("M", B1, 77)
    rows = rows_for_file([
        ("Nguyễn Văn Đức", B1, "Nam", "Kinh", shared, "Bản 1", "", ""),
        ("Trần Văn Nam", B2, "Nam", "Kinh", shared, "Bản 1", "", ""),  # same number, another child
        ("Nguyễn Văn Đức", B1, "Nam", "Kinh", shared, "Bản 1", "", ""),  # the first row again
    ])
    plan = plan_of(csv_bytes(rows), "ds.csv", commune_x)
    assert [r.action for r in plan.rows] == ["create", "reject", "reject"]
    assert "cũng có ở dòng 2" in plan.rows[1].errors[0] and "lặp lại dòng 2" in plan.rows[2].errors[0]

    add_child("Hoàng Văn Khác", born=B3, personal_id=pid("M", B3, 5))
    add_child("Lý Văn Xa", commune=commune_y, born=B2, personal_id=pid("M", B2, 6))
    rows = rows_for_file([
        ("Nguyễn Thị Lạ", B1, "Nữ", "Kinh", pid("M", B3, 5), "Bản 1", "", ""),  # the register has another child
        ("Lý Văn Xa", B2, "Nam", "Dao", pid("M", B2, 6), "Bản 1", "", ""),  # on another commune's register
    ])
    plan = plan_of(csv_bytes(rows), "ds.csv", commune_x)
    assert [r.action for r in plan.rows] == ["reject", "reject"]
    assert (f"số định danh {pid('M', B3, 5)} đã ghi cho trẻ khác (họ tên và ngày sinh không khớp: sổ ghi Hoàng Văn "
            f"Khác, {B3:%d/%m/%Y}, tệp ghi Nguyễn Thị Lạ, {B1:%d/%m/%Y})") in plan.rows[0].errors[0]
    assert "thuộc một trẻ trong sổ của xã khác" in plan.rows[1].errors[0]


def test_formula_cells_are_rejected(tmp_path, commune_x, reference):
    path = tmp_path / "congthuc.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DS")
    for col, header in enumerate(HEADER):
        sheet.write_string(0, col, header)
    sheet.write_row(1, 0, [1, "Lò Văn Sơn", "01/02/2018", "Nam", "Thái", "", "Bản 1", "Lò Thị Xoa", ""])
    sheet.write_row(2, 0, [2, "", "01/02/2019", "Nam", "Thái", "", "Bản 1", "", ""])
    sheet.write_formula(2, 1, '="Lò Văn "&"Tâm"', None, "Lò Văn Tâm")  # a real formula cell
    sheet.write_row(3, 0, [3, "Lò Thị Hoa", "01/02/2020", "Nữ", "Thái", "", "Bản 1", "", ""])
    sheet.write_string(3, 7, "=HYPERLINK(\"http://x\")")  # a formula pasted as text
    book.close()
    content = path.read_bytes()
    plan = plan_of(content, "congthuc.xlsx", commune_x)
    assert [r.action for r in plan.rows] == ["create", "reject", "reject"]
    assert "Dòng 3, cột 'Họ và tên': ô chứa công thức" in plan.rows[1].errors[0]
    assert "công thức" in plan.rows[2].errors[0]


def _encrypted_office_file() -> bytes:
    """The start of an encrypted OOXML file: a Compound File container naming the EncryptedPackage and
    EncryptionInfo streams (what Excel writes when a password is set)."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    return header + directory + b"\x00" * 2048


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"", "trong.xlsx", "trống"),
    (b"PK\x03\x04 not really a zip file at all", "hong.xlsx", "bị hỏng"),
    (_encrypted_office_file(), "matkhau.xlsx", "mật khẩu"),
    (b"\x00\x01\x02\x03" * 100, "anh.png", "không phải bảng tính"),
    ("Họ và tên;Ngày sinh;Giới tính\n".encode(), "chi-tieu-de.csv", "chỉ có dòng tiêu đề"),
])
def test_bad_files_get_a_clear_message_and_change_nothing(content, filename, message, commune_x, reference):
    before = counts()
    with pytest.raises(importing.ImportProblem) as problem:
        importing.import_file(content, filename, commune=commune_x, actor=SYSTEM, commit=True)
    assert message in str(problem.value)
    assert counts() == before


def test_enormous_files(settings, tmp_path, commune_x, reference):
    settings.REGISTRY_IMPORT_MAX_BYTES = 2000
    content = csv_bytes(rows_for_file(GOOD * 20))
    with pytest.raises(importing.ImportProblem, match=r"Hãy chia thành các tệp nhỏ hơn"):
        importing.read_file(content, "lon.csv")
    settings.REGISTRY_IMPORT_MAX_BYTES = 10_000_000
    settings.REGISTRY_IMPORT_MAX_ROWS = 10
    with pytest.raises(importing.ImportProblem, match=r"hơn 10 dòng"):
        importing.read_file(content, "lon.csv")


def test_wrong_sheet(tmp_path, commune_x, reference):
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD))
    with pytest.raises(importing.ImportProblem, match=r"không có trang tính 'Trang 2'\. Các trang có trong tệp: Danh"):
        importing.import_file(content, "ds.xlsx", commune=commune_x, actor=SYSTEM, sheet="Trang 2")


def test_unknown_headers_ask_for_a_mapping(client, worker_x, commune_x, tmp_path, reference):
    header = ["TT", "Tên khai sinh", "Sinh nhật", "Phái", "Ghi chép riêng"]
    rows = [[1, "Lò Văn Sơn", "01/02/2018", "Nam", "x"], [2, "Lò Thị Ơn", "03/04/2019", "Nữ", "y"]]
    content = xlsx_bytes(tmp_path, rows, header=header, title=False)
    client.force_login(worker_x)
    client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("la.xlsx", content)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.NEEDS_MAPPING and batch.summary["missing"] == ["full_name", "birth_date"]
    page = client.get(f"/children/import/{batch.pk}/").content.decode()
    assert "Không tìm thấy một số cột" in page and "Tên khai sinh" in page
    response = client.post(f"/children/import/{batch.pk}/mapping/", {
        "col_1": "full_name", "col_2": "birth_date", "col_3": "sex", "col_4": ""})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED and batch.summary["create"] == 2
    assert not Child.objects.exists()


def test_large_files_are_checked_and_saved_by_a_background_job(client, worker_x, commune_x, tmp_path, settings,
                                                              reference, django_capture_on_commit_callbacks):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 0  # every file counts as large
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD))
    client.force_login(worker_x)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("ds.xlsx", content)})
    batch = ImportBatch.objects.select_related("job").get()
    assert batch.job.kind == "registry.import.preview" and batch.job.status == "done"
    assert batch.status == ImportStatus.PREVIEWED and not Child.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/children/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.job.kind == "registry.import.commit" and batch.job.status == "done"
    assert batch.job.result["url"] == f"/children/import/{batch.pk}/"
    assert batch.status == ImportStatus.COMMITTED and Child.objects.count() == 3


def test_a_running_job_shows_a_progress_bar(client, worker_x, commune_x, tmp_path, settings, reference):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 0
    client.force_login(worker_x)
    client.post("/children/import/", {"commune": commune_x.code,
                                      "file": SimpleUploadedFile("ds.xlsx", xlsx_bytes(tmp_path, rows_for_file(GOOD)))})
    batch = ImportBatch.objects.get()  # the job waits for the transaction's commit, which a test never does
    page = client.get(f"/children/import/{batch.pk}/").content.decode()
    assert "<progress" in page and f"/jobs/{batch.job.pk}/" in page


def test_rows_of_children_no_longer_active_are_not_touched(commune_x, add_child, reference):
    child = add_child("Nguyễn Văn Đức", born=B1, personal_id=pid("M", B1, 1))
    from treem.registry import services

    services.child_mark_deceased(actor=SYSTEM, child=child, died_on=date.today())
    plan = plan_of(csv_bytes(rows_for_file(GOOD[:1])), "ds.csv", commune_x)
    assert plan.rows[0].action == "reject" and "Đã mất" in plan.rows[0].errors[0]
    assert Child.objects.get().status == ChildStatus.DECEASED


def test_a_really_encrypted_workbook_through_the_web(client, worker_x, commune_x, tmp_path, reference):
    from msoffcrypto.format import ooxml  # a hard dependency (encrypted exports): never skipped
    plain = io.BytesIO(xlsx_bytes(tmp_path, rows_for_file(GOOD)))
    encrypted = io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt("matkhau", encrypted)
    client.force_login(worker_x)
    before = counts()
    client.post("/children/import/", {"commune": commune_x.code,
                                      "file": SimpleUploadedFile("matkhau.xlsx", encrypted.getvalue())})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and "mật khẩu" in batch.error
    assert "mật khẩu" in client.get(f"/children/import/{batch.pk}/").content.decode()
    assert counts() == before


def test_large_files_are_checked_on_several_processes_with_the_same_result(settings, commune_x, reference):
    content = csv_bytes(rows_for_file(GOOD + BAD))
    settings.REGISTRY_IMPORT_PROCESSES = 1
    one = plan_of(content, "ds.csv", commune_x)
    settings.REGISTRY_IMPORT_PROCESSES = 2
    settings.REGISTRY_IMPORT_PARALLEL_ROWS = 2
    two = plan_of(content, "ds.csv", commune_x)
    assert [r.as_json() for r in two.rows] == [r.as_json() for r in one.rows]
    assert [r.action for r in two.rows] == ["create"] * 3 + ["reject"] * 3


def test_a_record_changed_between_check_and_save_stops_the_import(commune_x, add_child, reference):
    from treem.registry import services

    child = add_child("Nguyễn Văn Đức", born=B1, personal_id=pid("M", B1, 1), village="Bản Cũ")
    content = csv_bytes(rows_for_file(GOOD))
    plan = plan_of(content, "ds.csv", commune_x)
    assert plan.rows[0].action == "update"
    services.child_update(actor=SYSTEM, child=child, data={"grade": "2A"}, version=1)  # someone else, meanwhile
    before = counts()
    with pytest.raises(importing.ImportProblem, match=r"Chưa có gì được lưu"):
        importing.write_plan(plan, actor=SYSTEM, commune=commune_x)
    child.refresh_from_db()
    assert child.village == "Bản Cũ" and child.grade == "2A" and counts()[0] == before[0]
