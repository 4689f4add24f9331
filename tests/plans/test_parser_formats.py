"""DOCX, PDF, TXT and Markdown input, and the files that must be refused with a clear message.

The seeds are turned into real files here: a DOCX written with python-docx (the letterhead as a two-column table,
dash bullets as Word's own "List Bullet" list, so the dashes are not in the text) and a PDF laid out by WeasyPrint
(justified, first-line indents, the lines wrapped by the layout engine). Both must give the same targets and tasks
as the text seed. The paragraphs of the files are the parser's own paragraphs of the seed; the seed tests check those.
"""

from __future__ import annotations

import html
import io
import json
import random
import zipfile
from pathlib import Path

import docx
import pytest
import weasyprint  # fail loudly, never skip: the PDF tests need a real text-layer PDF
from docx.oxml import parse_xml
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from treem.plans.parser import ParsedPlan, PlanParseError, extract_text, parse_plan_file, parse_plan_text
from treem.plans.parser.__main__ import main
from treem.plans.parser.normalize import is_all_caps, paragraphs_from_text
from treem.plans.parser.structure import HEADER, Block, build_outline
from treem.plans.parser.text import fold

from .test_parser_seeds import SEED_001, SEED_002

_MOTTO = ("cong hoa xa hoi", "doc lap - tu do")


def essentials(plan: ParsedPlan) -> tuple[list[tuple], list[tuple]]:
    """What must not depend on the file format: targets and tasks, with whitespace normalised."""
    targets = [
        (t.value, t.unit, t.direction, t.year, t.baseline.value if t.baseline else None, " ".join(t.text.split()))
        for t in plan.targets
    ]
    tasks = [(t.agency, t.role, " ".join(t.text.split())) for t in plan.tasks]
    return targets, tasks


def _letterhead(text: str) -> tuple[list[str], list[str], list[Block]]:
    """Split a seed into the letterhead's left column, its right column, and everything else."""
    _, paragraphs, _ = paragraphs_from_text(text)
    left, right, rest = [], [], []
    for block in build_outline(paragraphs):
        folded = fold(block.text)
        in_header = block.part == 0 and block.zone == HEADER
        if in_header and (folded.startswith(_MOTTO) or ", ngay" in folded):
            right.append(block.text)
        elif in_header and (folded.startswith("so") or (is_all_caps(block.text) and "ke hoach" not in folded)):
            left.append(block.text)
        else:
            rest.append(block)
    return left, right, rest


def _is_heading(block: Block) -> bool:
    return block.is_heading or block.paragraph.emphasised or is_all_caps(block.text)


def build_docx(text: str) -> bytes:
    left, right, rest = _letterhead(text)
    document = docx.Document()
    if left or right:
        table = document.add_table(rows=1, cols=2)
        for cell, column in zip(table.rows[0].cells, (left, right), strict=True):
            cell.paragraphs[0].text = column[0] if column else ""
            for line in column[1:]:
                cell.add_paragraph(line)
    for block in rest:
        marker = block.paragraph.marker
        if marker is not None and marker.kind == "bullet--":
            document.add_paragraph(block.paragraph.body, style="List Bullet")  # the dash comes from numbering.xml
        else:
            document.add_paragraph().add_run(block.text).bold = _is_heading(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_CSS = """
@page { size: A4; margin: 2cm 2cm 2cm 3cm; }
body { font-family: 'DejaVu Serif'; font-size: 12pt; text-align: justify; line-height: 1.3; }
p { text-indent: 1cm; margin: 0 0 6pt 0; }
p.heading { font-weight: bold; }
p.title { text-align: center; text-indent: 0; font-weight: bold; }
table { width: 100%; } td { text-align: center; vertical-align: top; font-size: 11pt; }
"""


def build_pdf(text: str) -> bytes:
    left, right, rest = _letterhead(text)
    parts = [f"<html><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"]
    if left or right:
        cells = "".join(f"<td>{'<br>'.join(html.escape(line) for line in column)}</td>" for column in (left, right))
        parts.append(f"<table><tr>{cells}</tr></table>")
    for block in rest:
        css_class = "title" if block.zone == HEADER else "heading" if _is_heading(block) else ""
        parts.append(f"<p class='{css_class}'>{html.escape(block.text)}</p>")
    parts.append("</body></html>")
    return weasyprint.HTML(string="".join(parts)).write_pdf()


@pytest.fixture(scope="module", params=[SEED_001, SEED_002], ids=["seed001", "seed002"])
def seed(request: pytest.FixtureRequest) -> tuple[str, ParsedPlan]:
    text = request.param.read_text(encoding="utf-8")
    return text, parse_plan_text(text)


# --- The same plan in every format ---------------------------------------------------------------------------------


def test_docx_gives_the_same_targets_and_tasks(seed: tuple[str, ParsedPlan], tmp_path: Path) -> None:
    text, expected = seed
    path = tmp_path / "plan.docx"
    path.write_bytes(build_docx(text))
    assert any(p.style.name == "List Bullet" for p in docx.Document(path).paragraphs)  # real Word list items
    plan = parse_plan_file(path)
    assert essentials(plan) == essentials(expected)
    assert plan.document.to_json() | {"source_lines": None} == expected.document.to_json() | {"source_lines": None}
    assert [i.number for i in plan.implements] == [i.number for i in expected.implements]
    assert [(d.month, d.day, d.year, d.recurrence) for d in plan.deadlines] == [
        (d.month, d.day, d.year, d.recurrence) for d in expected.deadlines
    ]


def test_pdf_gives_the_same_targets_and_tasks(seed: tuple[str, ParsedPlan], tmp_path: Path) -> None:
    text, expected = seed
    path = tmp_path / "plan.pdf"
    path.write_bytes(build_pdf(text))
    assert len(PdfReader(path).pages) >= 3
    plan = parse_plan_file(path)
    assert essentials(plan) == essentials(expected)
    assert plan.document.to_json() | {"source_lines": None} == expected.document.to_json() | {"source_lines": None}
    assert [i.number for i in plan.implements] == [i.number for i in expected.implements]
    assert [(d.month, d.day, d.recurrence) for d in plan.deadlines] == [
        (d.month, d.day, d.recurrence) for d in expected.deadlines
    ]


def test_pdf_source_lines_refer_to_the_extracted_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(build_pdf(SEED_002.read_text(encoding="utf-8")))
    lines = extract_text(path).split("\n")
    for task in parse_plan_file(path).tasks:
        first, last = task.source_lines
        assert " ".join(task.text.split()[:2]) in " ".join(lines[first - 1 : last])


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
     ("utf-16-le", b"")],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom"],
)
def test_text_encodings(encoding: str, prefix: bytes) -> None:
    text = SEED_002.read_text(encoding="utf-8")
    extracted = extract_text(prefix + text.encode(encoding), "plan.txt")
    assert extracted == text
    assert essentials(parse_plan_text(extracted)) == essentials(parse_plan_text(text))


def test_crlf_and_markdown_extension(tmp_path: Path) -> None:
    path = tmp_path / "chuong-trinh.md"
    path.write_bytes(SEED_001.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    assert essentials(parse_plan_file(path)) == essentials(parse_plan_file(SEED_001))


def test_type_is_decided_by_content_not_extension() -> None:
    text = SEED_002.read_text(encoding="utf-8")
    assert extract_text(text.encode("utf-8"), "mislabelled.pdf") == text
    docx_bytes = build_docx(text)
    assert "Sở Du lịch" in extract_text(docx_bytes, "mislabelled.txt")


def test_docx_table_cells_and_merged_cells() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Số: 12/KH-UBND"
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text(buffer.getvalue(), "x.docx")
    assert text.count("Số: 12/KH-UBND") == 1
    assert text.index("ỦY BAN") < text.index("CỘNG HÒA") < text.index("Số:")


def test_docx_automatic_numbering_becomes_markers() -> None:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Phòng, chống xâm hại trẻ em năm 2025")
    document.add_paragraph("IV. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("Sở Y tế", style="List Number")  # "1." is drawn by Word, it is not in the text
    document.add_paragraph("Chủ trì tổ chức khám sức khỏe cho trẻ em.", style="List Bullet")
    document.add_paragraph("Công an tỉnh", style="List Number")
    document.add_paragraph("Phòng ngừa xâm hại trẻ em.", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text(buffer.getvalue(), "kehoach.docx")
    assert "1. Sở Y tế" in text and "2. Công an tỉnh" in text and "- Phòng ngừa" in text
    plan = parse_plan_text(text)
    assert [(t.agency, t.text) for t in plan.tasks] == [
        ("Sở Y tế", "Chủ trì tổ chức khám sức khỏe cho trẻ em"),
        ("Công an tỉnh", "Phòng ngừa xâm hại trẻ em"),
    ]


def test_docx_text_boxes_are_read_once() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU")
    namespaces = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    box = "<w:txbxContent><w:p><w:r><w:t>Số: 99/KH-UBND</w:t></w:r></w:p></w:txbxContent>"
    paragraph._p.append(parse_xml(
        f"<w:r {namespaces}><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    ))
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text(buffer.getvalue(), "kehoach.docx")
    assert text.count("Số: 99/KH-UBND") == 1  # the VML fallback copy is skipped
    assert parse_plan_text(text).document.number == "99/KH-UBND"


# --- Files that must be refused ------------------------------------------------------------------------------------


def _scanned_pdf() -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(image).text((100, 100), "KE HOACH so 234/KH-UBND", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def test_scanned_pdf_is_refused_with_a_vietnamese_message() -> None:
    data = _scanned_pdf()
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text().strip() == ""  # really image-only
    with pytest.raises(PlanParseError) as raised:
        extract_text(data, "scan.pdf")
    assert str(raised.value).startswith("Tệp PDF không có lớp văn bản (có thể là bản quét)")
    assert raised.value.message_en.startswith("The PDF has no text layer")
    assert " ở " not in str(raised.value)  # every page is empty: no page count


def test_typed_cover_page_on_a_scanned_pdf_is_refused() -> None:
    writer = PdfWriter()
    writer.append(io.BytesIO(build_pdf("KẾ HOẠCH\n\nTrang bìa được đánh máy, phần còn lại là bản quét.")))
    for _ in range(3):
        writer.append(io.BytesIO(_scanned_pdf()))
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PlanParseError, match="không có lớp văn bản ở 3/4 trang"):
        extract_text(buffer.getvalue(), "kehoach.pdf")


def test_corrupt_docx() -> None:
    data = random.Random(7).randbytes(4000)
    with pytest.raises(PlanParseError, match="Tệp DOCX bị hỏng"):
        extract_text(data, "kehoach.docx")


def test_truncated_docx() -> None:
    data = build_docx(SEED_002.read_text(encoding="utf-8"))[:3000]
    with pytest.raises(PlanParseError, match="DOCX bị hỏng"):
        extract_text(data, "kehoach.docx")


def test_corrupt_pdf() -> None:
    data = b"%PDF-1.7\n" + random.Random(3).randbytes(3000)
    with pytest.raises(PlanParseError, match="PDF bị hỏng"):
        extract_text(data, "kehoach.pdf")


def test_password_protected_pdf() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(build_pdf("KẾ HOẠCH\n\nThử nghiệm mật khẩu cho văn bản.")))
    writer.encrypt(user_password="bi-mat", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PlanParseError, match="mật khẩu"):
        extract_text(buffer.getvalue(), "kehoach.pdf")


@pytest.mark.parametrize("content", [b"", b"   \r\n\n  ", b"\xef\xbb\xbf"], ids=["empty", "blank", "bom-only"])
def test_empty_file(content: bytes) -> None:
    with pytest.raises(PlanParseError, match="rỗng"):
        extract_text(content, "kehoach.txt")


def test_empty_docx() -> None:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(PlanParseError, match="không có nội dung"):
        extract_text(buffer.getvalue(), "trong.docx")


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "scan.png", "Tệp ảnh"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "kehoach.doc", "Word 97-2003"),
        (b"{\\rtf1\\ansi hello}", "kehoach.rtf", "RTF"),
        (_zip({"xl/workbook.xml": "<workbook/>"}), "bang.xlsx", "không phải văn bản Word"),
        (_zip({"content.xml": "<office/>", "mimetype": "x"}), "kehoach.odt", "OpenDocument"),
        (_zip({"xl/workbook.xml": "<workbook/>"}), "kehoach.docx", "DOCX bị hỏng"),
        (bytes(range(256)) * 8, "data.bin", "Không nhận dạng được định dạng"),
        (b"K\xd5 ho\xb9ch tri\xd3n khai " * 40, "tcvn3.txt", "bảng mã"),
    ],
    ids=["png", "doc", "rtf", "xlsx", "odt", "xlsx-named-docx", "binary", "legacy-encoding"],
)
def test_unsupported_types(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(PlanParseError, match=message):
        extract_text(data, filename)


def test_missing_file() -> None:
    with pytest.raises(PlanParseError, match="Không đọc được tệp"):
        parse_plan_file("/nonexistent/kehoach.pdf")


# --- Command line --------------------------------------------------------------------------------------------------


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(SEED_001), "--json"]) == 0
    output = capsys.readouterr().out
    assert "Sóc Trăng" in output  # ensure_ascii=False
    assert json.loads(output) == parse_plan_file(SEED_001).to_json()


def test_cli_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(SEED_002)]) == 0
    output = capsys.readouterr().out
    assert "Nhiệm vụ: 39, giao cho 19 cơ quan" in output


def test_cli_error_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_scanned_pdf())
    assert main([str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("Lỗi: Tệp PDF không có lớp văn bản")
