"""The upload gate (treem.core.uploads): decompression bombs are refused before anything is materialised.

The bombs are built here with zipfile, streamed so that the test itself never holds them uncompressed."""

import io
import json
import os
import re
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from treem.core import uploads
from treem.registry.importing import ImportProblem, read_file
from treem.registry.models import ImportBatch, ImportStatus
from treem.registry.quality.models import LinkageRun
from treem.registry.quality.tabular import TableError, read_table

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def workbook_bytes(cells: dict[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    for ref, value in (cells or {"A1": "Họ và tên", "B1": "Ngày sinh", "A2": "Lò Thị Ơn", "B2": "01/02/2018"}).items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WORKBOOK = workbook_bytes()


def replace_members(data: bytes, replace: dict, extra: dict | None = None) -> bytes:
    """The same ZIP with some members replaced; a value may be bytes or an iterable of chunks (streamed in)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                      compresslevel=9) as target:
        for info in source.infolist():
            content = replace.get(info.filename)
            if content is None:
                target.writestr(info.filename, source.read(info.filename))
            elif isinstance(content, bytes):
                target.writestr(info.filename, content)
            else:
                with target.open(info.filename, "w", force_zip64=True) as member:
                    for chunk in content:
                        member.write(chunk)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "A1") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/>'
            f"<sheetData>{rows}</sheetData></worksheet>").encode()


def one_big_cell(size: int):
    """A sheet whose cell A2 holds `size` characters, as chunks."""
    yield (f'<?xml version="1.0"?><worksheet xmlns="{SHEET_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
           f'<t>Họ và tên</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>').encode()
    for _ in range(size // MB):
        yield b"A" * MB
    yield b"A" * (size % MB)
    yield b"</t></is></c></row></sheetData></worksheet>"


def bomb(size: int) -> bytes:
    return replace_members(workbook_bytes(), {SHEET: one_big_cell(size)})


def refused(code: str, call, *args, **kwargs) -> uploads.UploadRefused:
    with pytest.raises(uploads.UploadRefused) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value.messages
    return error.value


# ---------------------------------------------------------------- the bombs of the attack


def test_a_300_mb_cell_with_the_default_limits_is_refused_from_the_central_directory(tmp_path):
    content = bomb(300 * MB)
    assert len(content) < 400 * 1024  # a 300 MB cell compresses to ~300 KB
    tracemalloc.start()
    try:
        with pytest.raises(TableError) as error:
            read_table(content, "danh-sach.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "Tệp giải nén vượt quá 250 MB" in str(error.value)
    assert peak < 5 * MB  # nothing was decompressed, let alone materialised


def test_the_bomb_never_reaches_memory_measured_in_a_separate_process(tmp_path):
    """The peak resident memory of a fresh process that reads the 300 MB-cell file (Rust and libxml2 allocations
    included, which tracemalloc does not see) stays far below the cell's size."""
    path = tmp_path / "bom.xlsx"
    path.write_bytes(bomb(300 * MB))
    script = (
        "import json, resource, sys, django\n"
        "django.setup()\n"
        "from treem.registry.quality.tabular import TableError, read_table\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    read_table(open(sys.argv[1], 'rb').read(), 'bom.xlsx')\n"
        "    outcome = 'read'\n"
        "except TableError as exc:\n"
        "    outcome = str(exc)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'outcome': outcome, 'grown_kb': after - before}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["outcome"] != "read"
    assert report["grown_kb"] * 1024 < 50 * MB


def test_a_cell_over_excels_limit_is_refused_while_streaming(settings):
    settings.UPLOAD_ZIP_MAX_RATIO = 10_000  # within every ZIP limit: only the sheet scan can see it
    content = bomb(3 * MB)
    with pytest.raises(TableError) as error:
        read_table(content, "danh-sach.xlsx")
    assert "Trang tính “Danh sách”: ô A2 chứa 3.145.728 ký tự, vượt quá giới hạn 32.767 ký tự" in str(error.value)


def test_a_shared_string_over_the_limit_is_refused():
    shared = (f'<?xml version="1.0"?><sst xmlns="{SHEET_NS}"><si><t>Họ và tên</t></si><si><t>{"x" * 40000}</t></si>'
              "</sst>").encode()
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    content = replace_members(workbook_bytes(), {SHEET: sheet_xml(rows, "A1:A2")},
                              extra={"xl/sharedStrings.xml": shared})
    with pytest.raises(TableError, match=re.escape("chứa hơn 32.767 ký tự")):
        read_table(content, "danh-sach.xlsx")


def test_a_cell_in_column_xfd_is_a_clear_error_not_a_16384_wide_row():
    content = workbook_bytes({"A1": "Họ và tên", "B1": "Ngày sinh", "A2": "Lò Thị Ơn", "XFD2": "x", "XFD3": "y"})
    with pytest.raises(TableError) as error:
        read_table(content, "danh-sach.xlsx")
    assert "Trang tính “Danh sách”: ô XFD3" in str(error.value)  # the sheet's <dimension ref="A1:XFD3">
    assert "cột thứ 16.384, vượt quá giới hạn 200 cột" in str(error.value)


def test_cells_beyond_the_limit_without_a_dimension_or_reference_are_caught_while_reading(settings):
    settings.UPLOAD_SHEET_MAX_COLUMNS = 5
    cells = "".join(f'<c t="inlineStr"><is><t>v{i}</t></is></c>' for i in range(8))  # no r="": counted
    content = replace_members(workbook_bytes(), {SHEET: sheet_xml(f'<row r="1">{cells}</row>', "A1")})
    with pytest.raises(TableError, match=re.escape("ô F1 nằm ở cột thứ 6, vượt quá giới hạn 5 cột")):
        read_table(content, "danh-sach.xlsx")


def test_the_dimension_alone_refuses_a_sheet_wider_or_longer_than_the_limits():
    limits = uploads.SheetLimits(rows=1000)
    wide = replace_members(workbook_bytes(), {SHEET: sheet_xml("", "A1:XFD1")})
    refused("sheet_columns", uploads.scan_workbook, wide, uploads.XLSX, limits)
    long = replace_members(workbook_bytes(), {SHEET: sheet_xml("", "A1:B1048576")})
    refused("sheet_rows", uploads.scan_workbook, long, uploads.XLSX, limits)


def test_rows_beyond_the_import_limit_are_refused_before_calamine(settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 10
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Trẻ {n}</t></is></c></row>' for n in range(1, 60))
    content = replace_members(workbook_bytes(), {SHEET: sheet_xml(rows)})
    with pytest.raises(ImportProblem, match=re.escape("vượt giới hạn 10 dòng")):
        read_file(content, "danh-sach.xlsx")


def test_an_ods_with_a_cell_far_to_the_right_is_refused():
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    content_xml = (
        f'<?xml version="1.0"?><office:document-content xmlns:office="{office}" xmlns:table="{table}" '
        f'xmlns:text="{text}"><office:body><office:spreadsheet><table:table table:name="Danh sách"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>Họ và tên</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="16000"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content_xml)
    with pytest.raises(TableError, match=re.escape("cột thứ 16.002, vượt quá giới hạn 200 cột")):
        read_table(out.getvalue(), "danh-sach.ods")


def test_a_zip_with_too_many_members_is_refused_before_zipfile_lists_them():
    content = replace_members(workbook_bytes(), {}, extra={f"xl/media/image{i}.png": b"" for i in range(1000)})
    with pytest.raises(TableError, match=re.escape("Tệp gồm 1.009 thành phần, vượt quá giới hạn 1.000 thành phần")):
        read_table(content, "danh-sach.xlsx")


def test_a_renamed_exe_is_refused_whatever_its_name():
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    with pytest.raises(TableError, match=re.escape("không phải bảng tính")):
        read_table(exe, "danh-sach.xlsx")
    refused("file_content", uploads.receive_spreadsheet, SimpleUploadedFile("danh-sach.xlsx", exe), max_bytes=MB)
    refused("file_content", uploads.receive, SimpleUploadedFile("ds.xlsx", exe), allowed={".xlsx"}, max_bytes=MB)


def test_the_extension_must_agree_with_the_content():
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    error = refused("file_content", uploads.receive_spreadsheet, SimpleUploadedFile("ds.xlsx", ods.getvalue()),
                    max_bytes=MB)
    assert error.messages == ["Nội dung tệp không phải là tệp XLSX."]
    checked = uploads.receive_spreadsheet(SimpleUploadedFile("ds.xlsx", workbook_bytes()), max_bytes=MB)
    assert checked.kind == uploads.XLSX and checked.report()["members"] == 9
    legacy = "Tên;Ngày sinh\n".encode("cp1258")  # a CSV in the Windows Vietnamese code page is still a CSV
    assert uploads.receive_spreadsheet(SimpleUploadedFile("ds.csv", legacy), max_bytes=MB).extension == ".csv"


# ---------------------------------------------------------------- ZIP inspection and the bounded reader


def test_the_ratio_limit_refuses_a_highly_compressed_member(settings):
    content = replace_members(workbook_bytes(), {}, extra={"xl/media/zeros.bin": b"\x00" * (5 * MB)})
    error = refused("zip_ratio", uploads.inspect_zip, content, uploads.zip_limits(uploads.XLSX))
    assert "bom nén" in error.messages[0] and "vượt quá giới hạn 100 lần" in error.messages[0]


def lie_about_sizes(data: bytes, name: str, size: int) -> bytes:
    """Set a member's declared uncompressed size (local header and central directory) to `size`."""
    data = bytearray(data)
    encoded = name.encode()
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46:position + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, position + 24, size)
            local = struct.unpack_from("<I", data, position + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def test_declared_sizes_are_not_trusted(settings):
    """A member that says 1 KB but unzips to 2 MB passes the central-directory check (its ratio looks fine) and is
    refused while it is read, having produced no more than what it declared."""
    content = replace_members(workbook_bytes(), {SHEET: one_big_cell(2 * MB)})
    liar = lie_about_sizes(content, SHEET, 1024)
    summary = uploads.inspect_zip(liar, uploads.zip_limits(uploads.XLSX))
    assert summary.unzipped < 64 * 1024
    refused("zip_damaged", uploads.inspect_zip, liar, uploads.zip_limits(uploads.XLSX), verify=True)
    with pytest.raises(TableError, match=re.escape("Tệp nén bị hỏng")):
        read_table(liar, "danh-sach.xlsx")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        refused("zip_member", uploads.read_member, archive, SHEET, MB)  # a reader that stops at its limit


limits_strategy = st.builds(uploads.ZipLimits, unzipped=st.integers(0, 20_000), member=st.integers(0, 10_000),
                            ratio=st.integers(1, 50), members=st.integers(0, 12), ratio_floor=st.integers(0, 5_000))
members_strategy = st.lists(
    st.tuples(st.text("abcxyz/._", min_size=1, max_size=12), st.integers(0, 8_000), st.booleans(), st.booleans()),
    max_size=14)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=members_strategy, limits=limits_strategy, verify=st.booleans())
def test_zip_inspection_refuses_exactly_what_exceeds_a_limit(members, limits, verify):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index, (name, size, repetitive, deflated) in enumerate(members):
            content = b"a" * size if repetitive else os.urandom(size)
            archive.writestr(f"{index}/{name}", content,
                             compress_type=zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED)
        infos = archive.infolist()
    data = out.getvalue()
    too_many = len(infos) > limits.members
    too_big = sum(i.file_size for i in infos) > limits.unzipped
    member_too_big = any(i.file_size > limits.member for i in infos)
    too_compressed = any(i.file_size > limits.ratio_floor and i.file_size / max(i.compress_size, 1) > limits.ratio
                         for i in infos)
    try:
        summary = uploads.inspect_zip(data, limits, verify=verify)
    except uploads.UploadRefused as exc:
        assert too_many or too_big or member_too_big or too_compressed, exc.code
        expected = ("zip_members" if too_many else "unzipped_size" if too_big else None)
        if expected:
            assert exc.code == expected
    else:
        assert not (too_many or too_big or member_too_big or too_compressed)
        assert summary.members == len(infos) and summary.unzipped == sum(i.file_size for i in infos)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_zips_never_crash_the_gate(data):
    original = bytearray(WORKBOOK)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    content = bytes(original[: data.draw(st.integers(0, len(original)))])
    try:
        uploads.detect(content)
        uploads.scan_workbook(content, uploads.XLSX, uploads.SheetLimits(rows=100))
    except uploads.UploadRefused:
        pass


# ---------------------------------------------------------------- DOCX through the plan parser


def docx_with_document_xml(size: int) -> bytes:
    from docx import Document

    word = Document()
    word.add_paragraph("Kế hoạch")
    out = io.BytesIO()
    word.save(out)
    paragraph = "<w:p><w:r><w:t>Kế hoạch bảo vệ trẻ em năm 2026.</w:t></w:r></w:p>".encode()
    head = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            b'main"><w:body>')

    def chunks():
        yield head
        for _ in range(size // len(paragraph)):
            yield paragraph
        yield b"</w:body></w:document>"

    return replace_members(out.getvalue(), {"word/document.xml": chunks()})


def test_a_docx_with_a_huge_document_xml_is_refused_before_python_docx_reads_it():
    from treem.plans.parser import PlanParseError, extract_text

    with pytest.raises(PlanParseError) as error:
        extract_text(docx_with_document_xml(60 * MB), "ke-hoach.docx")
    assert "Tệp giải nén vượt quá 50 MB" in str(error.value)
    with pytest.raises(PlanParseError) as error:
        extract_text(docx_with_document_xml(11 * MB), "ke-hoach.docx")
    assert "Một phần của tệp khi giải nén vượt quá 10 MB" in str(error.value)


def test_the_plan_parse_stops_at_its_time_limit(settings):
    from treem.plans.parser import PlanParseError, extract_text

    settings.UPLOAD_PARSE_SECONDS = 0
    with pytest.raises(PlanParseError, match=re.escape("Đọc tệp mất hơn 0 giây nên đã dừng")):
        extract_text(docx_with_document_xml(10_000), "ke-hoach.docx")


# ---------------------------------------------------------------- through the web views


def test_the_register_import_page_refuses_a_renamed_exe_without_keeping_it(client, worker_x, commune_x):
    client.force_login(worker_x)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    response = client.post("/children/import/", {"commune": commune_x.code,
                                                  "file": SimpleUploadedFile("danh-sach.xlsx", exe)})
    assert response.status_code == 200 and "Nội dung tệp không phải là tệp XLSX." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_register_import_page_says_a_sheet_is_too_wide(client, worker_x, commune_x):
    client.force_login(worker_x)
    content = workbook_bytes({"A1": "Họ và tên", "B1": "Ngày sinh", "A2": "Lò Thị Ơn", "XFD2": "x"})
    client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile("ds.xlsx", content)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and "vượt quá giới hạn 200 cột" in batch.error
    assert "vượt quá giới hạn 200 cột" in client.get(f"/children/import/{batch.pk}/").content.decode()


def test_the_register_import_page_refuses_a_zip_bomb_in_the_request(client, worker_x, commune_x, settings):
    settings.UPLOAD_SPREADSHEET_UNZIPPED_MAX_BYTES = 2 * MB
    client.force_login(worker_x)
    response = client.post("/children/import/", {"commune": commune_x.code,
                                                  "file": SimpleUploadedFile("ds.xlsx", bomb(3 * MB))})
    assert "Tệp giải nén vượt quá 2 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_population_extract_page_refuses_a_bomb_and_keeps_nothing(client, worker_x, commune_x):
    client.force_login(worker_x)
    content = replace_members(workbook_bytes(), {}, extra={f"xl/media/image{i}.png": b"" for i in range(1000)})
    response = client.post("/children/quality/linkage/", {"commune": commune_x.code,
                                                          "file": SimpleUploadedFile("trich-xuat.xlsx", content)},
                           follow=True)
    assert "vượt quá giới hạn 1.000 thành phần" in response.content.decode()
    assert not LinkageRun.objects.exists()


def test_a_large_population_extract_is_read_by_the_job_not_the_request(client, worker_x, commune_x, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 100
    client.force_login(worker_x)
    content = workbook_bytes({"A1": "Họ và tên", "B1": "x", "XFD2": "x"})  # refused only by reading the sheet
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/children/quality/linkage/", {"commune": commune_x.code,
                                                   "file": SimpleUploadedFile("trich-xuat.xlsx", content)})
    run = LinkageRun.objects.get()  # stored and queued at once: the sheet was not parsed in the request
    run.refresh_from_db()
    assert run.status == "failed" and "vượt quá giới hạn 200 cột" in run.error
