"""Official documents in the Decree 30/2020 format (treem.reports.official)."""

import io
import unicodedata
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from treem.reports.official import (
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    format_date_vi_long,
    format_decimal_vi,
    format_document_number,
    format_percent_vi,
    next_document_number,
    next_document_number_on,
    parse_decimal_vi,
    render_docx,
    render_html,
    render_pdf,
)

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@pytest.fixture(scope="module")
def report() -> OfficialDocument:
    return OfficialDocument(
        issuing_body_parent="UBND TỈNH AN GIANG",
        issuing_body="SỞ Y TẾ",
        number="05/BC-SYT",
        place="An Giang",
        date=date(2026, 1, 5),
        doc_type="Báo cáo",  # rendered in capitals
        title="Kết quả thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2025",
        body=[
            Paragraph("Thực hiện Kế hoạch số 234/KH-UBND của Ủy ban nhân dân tỉnh, Sở Y tế báo cáo như sau:"),
            Heading("I. KẾT QUẢ THỰC HIỆN", 1),
            Heading("1. Xã, phường phù hợp với trẻ em", 2),
            Paragraph(f"Tỷ lệ xã đạt chuẩn: {format_percent_vi(100 * 77 / 108)} (77/108 xã)."),
            Bullet("Tổ chức 45 buổi truyền thông về Tổng đài 111;"),
            Table(["STT", "Chỉ tiêu", "Năm 2025"], [["1", "Tỷ lệ suy dinh dưỡng thấp còi", "12,4%"]]),
            Paragraph("Trên đây là báo cáo của Sở Y tế./."),
        ],
        signature=Signature("KT. GIÁM ĐỐC", "Phó Giám đốc", "Nguyễn Văn An"),
        recipients=["- UBND tỉnh (b/c);", "- Ban Giám đốc;", "- Lưu: VT, BVTE."],
    )


@pytest.fixture(scope="module")
def docx_file(report):
    return Document(io.BytesIO(render_docx(report)))


@pytest.fixture(scope="module")
def pdf_reader(report):
    return PdfReader(io.BytesIO(render_pdf(report)))


def all_paragraphs(word):
    yield from word.paragraphs
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def paragraph_with(word, text):
    matches = [p for p in all_paragraphs(word) if p.text == text]
    assert matches, f"no paragraph {text!r}"
    return matches[0]


def run_style(paragraph):
    """(bold, italic, size in pt) shared by all runs of a paragraph."""
    styles = {(bool(r.font.bold), bool(r.font.italic), r.font.size.pt) for r in paragraph.runs if r.text}
    assert len(styles) == 1, styles
    return styles.pop()


# -- DOCX ------------------------------------------------------------------------------------------------------------


def test_docx_page_is_a4_with_decree_margins(docx_file):
    section = docx_file.sections[0]
    # Word stores twentieths of a point, so millimetres come back within a hair.
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert 19.9 <= section.top_margin.mm <= 25.1
    assert 19.9 <= section.bottom_margin.mm <= 25.1
    assert 29.9 <= section.left_margin.mm <= 35.1
    assert 14.9 <= section.right_margin.mm <= 20.1


def test_docx_header_table(docx_file):
    header = docx_file.tables[0]
    issuer, nation = header.rows[0].cells
    number, place_date = header.rows[1].cells
    assert [p.text for p in issuer.paragraphs if p.text] == ["UBND TỈNH AN GIANG", "SỞ Y TẾ"]
    assert [p.text for p in nation.paragraphs if p.text] == [NATIONAL_TITLE, MOTTO]
    assert number.text == "Số: 05/BC-SYT"
    assert place_date.text == "An Giang, ngày 05 tháng 01 năm 2026"


def test_docx_header_styles(docx_file):
    assert run_style(paragraph_with(docx_file, "UBND TỈNH AN GIANG")) == (False, False, 13)  # parent: not bold
    assert run_style(paragraph_with(docx_file, "SỞ Y TẾ")) == (True, False, 13)
    assert run_style(paragraph_with(docx_file, NATIONAL_TITLE)) == (True, False, 13)
    assert run_style(paragraph_with(docx_file, MOTTO)) == (True, False, 14)
    assert run_style(paragraph_with(docx_file, "Số: 05/BC-SYT")) == (False, False, 13)
    date_line = paragraph_with(docx_file, "An Giang, ngày 05 tháng 01 năm 2026")
    assert run_style(date_line) == (False, True, 14)
    assert date_line.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_docx_long_issuing_body_drops_to_12pt_and_keeps_chosen_line_breaks(report):
    word = Document(io.BytesIO(render_docx(replace(report, issuing_body="Sở Giáo dục và Đào tạo"))))
    assert run_style(paragraph_with(word, "SỞ GIÁO DỤC VÀ ĐÀO TẠO")) == (True, False, 12)
    assert run_style(paragraph_with(word, "UBND TỈNH AN GIANG")) == (False, False, 12)
    word = Document(io.BytesIO(render_docx(replace(report, issuing_body="SỞ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI"))))
    issuer = word.tables[0].rows[0].cells[0]
    assert [p.text for p in issuer.paragraphs if p.text][1:] == ["SỞ LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"]


def test_docx_rules_under_issuer_motto_and_title(docx_file):
    bordered = [
        p for p in all_paragraphs(docx_file) if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert len(bordered) == 3


def test_docx_every_run_is_times_new_roman(docx_file):
    runs = [r for p in all_paragraphs(docx_file) for r in p.runs if r.text]
    assert runs
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size.pt for r in runs} <= {11, 12, 13, 14}
    assert docx_file.styles["Normal"].font.name == "Times New Roman"


def test_docx_type_in_bold_capitals_and_title(docx_file):
    doc_type = paragraph_with(docx_file, "BÁO CÁO")
    assert run_style(doc_type) == (True, False, 14)
    assert doc_type.alignment == WD_ALIGN_PARAGRAPH.CENTER
    title = paragraph_with(docx_file, "Kết quả thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2025")
    assert run_style(title) == (True, False, 14)


def test_docx_body_is_justified_with_first_line_indent(docx_file):
    body = paragraph_with(docx_file, "Tỷ lệ xã đạt chuẩn: 71,3% (77/108 xã).")
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Mm(10) <= body.paragraph_format.first_line_indent <= Mm(12.7) + 1
    assert body.paragraph_format.space_after >= Pt(6)
    assert run_style(body) == (False, False, 14)
    assert run_style(paragraph_with(docx_file, "I. KẾT QUẢ THỰC HIỆN"))[0] is True
    assert paragraph_with(docx_file, "- Tổ chức 45 buổi truyền thông về Tổng đài 111;")


def test_docx_data_table(docx_file):
    table = docx_file.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Chỉ tiêu", "Năm 2025"]
    assert [c.text for c in table.rows[1].cells] == ["1", "Tỷ lệ suy dinh dưỡng thấp còi", "12,4%"]
    assert run_style(table.rows[0].cells[0].paragraphs[0])[0] is True


def test_docx_signature_and_recipients(docx_file):
    recipients, signature = docx_file.tables[-1].rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:",
        "- UBND tỉnh (b/c);",
        "- Ban Giám đốc;",
        "- Lưu: VT, BVTE.",
    ]
    assert run_style(recipients.paragraphs[0]) == (True, True, 12)
    assert {run_style(p) for p in recipients.paragraphs[1:]} == {(False, False, 11)}
    lines = [p for p in signature.paragraphs if p.text]
    assert [p.text for p in lines] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]
    assert {run_style(p) for p in lines} == {(True, False, 14)}
    # Room for the signature and seal between the title and the name.
    assert max(p.paragraph_format.space_before or 0 for p in signature.paragraphs) >= Mm(20)


def test_docx_page_numbers_from_page_two(docx_file):
    section = docx_file.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml


def test_docx_text_is_normalised_to_precomposed_unicode(report):
    decomposed = unicodedata.normalize("NFD", "Kế hoạch bảo vệ trẻ em")
    word = Document(io.BytesIO(render_docx(replace(report, title=decomposed))))
    assert paragraph_with(word, "Kế hoạch bảo vệ trẻ em")


def test_dispatch_has_subject_under_number_and_no_type(report):
    dispatch = replace(report, doc_type="", number="120/SYT-BVTE", title="triển khai Tháng hành động vì trẻ em")
    word = Document(io.BytesIO(render_docx(dispatch)))
    number_cell = word.tables[0].rows[1].cells[0]
    assert [p.text for p in number_cell.paragraphs] == ["Số: 120/SYT-BVTE", "V/v triển khai Tháng hành động vì trẻ em"]
    assert "V/v triển khai" in render_html(dispatch)
    assert "od-type" not in render_html(dispatch, standalone=False)


# -- HTML and PDF ----------------------------------------------------------------------------------------------------


def test_html_escapes_and_declares_vietnamese(report):
    page = render_html(replace(report, title="Trẻ em <dưới 6 tuổi> & gia đình"))
    assert '<html lang="vi">' in page
    assert "Trẻ em &lt;dưới 6 tuổi&gt; &amp; gia đình" in page
    assert "@page" in page
    article = render_html(report, standalone=False)
    assert article.startswith("<article") and "<style>" not in article


def pdf_text(reader) -> str:
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def test_pdf_keeps_vietnamese_text(pdf_reader):
    text = pdf_text(pdf_reader)
    for expected in (
        NATIONAL_TITLE,
        MOTTO,
        "ngày 05 tháng 01 năm 2026",
        "SỞ Y TẾ",
        "Số: 05/BC-SYT",
        "BÁO CÁO",
        "Nơi nhận:",
        "KT. GIÁM ĐỐC",
        "Nguyễn Văn An",
        "71,3%",
    ):
        assert expected in text


def test_pdf_page_is_a4(pdf_reader):
    for page in pdf_reader.pages:
        width_mm = float(page.mediabox.width) * 25.4 / 72
        height_mm = float(page.mediabox.height) * 25.4 / 72
        assert width_mm == pytest.approx(210, abs=0.5)
        assert height_mm == pytest.approx(297, abs=0.5)


def test_pdf_long_document_numbers_pages_from_two(report):
    long_report = replace(report, body=[Paragraph("Nội dung báo cáo chi tiết về công tác trẻ em. " * 12)] * 12)
    reader = PdfReader(io.BytesIO(render_pdf(long_report)))
    assert len(reader.pages) >= 2
    first, second = (page.extract_text().splitlines() for page in reader.pages[:2])
    assert "1" not in first  # no number on the first page
    assert "2" in second


# -- serialisation ---------------------------------------------------------------------------------------------------


def test_dict_round_trip(report):
    data = report.to_dict()
    assert data["date"] == "2026-01-05"
    assert data["body"][1] == {"type": "heading", "text": "I. KẾT QUẢ THỰC HIỆN", "level": 1}
    assert OfficialDocument.from_dict(data) == report


def test_signature_may_be_given_as_mapping(report):
    doc = replace(report, signature={"authority": "TM. ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Trần B"})
    assert doc.signature == Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần B")


def test_table_rows_must_match_the_header():
    with pytest.raises(ValueError):
        Table(["STT", "Chỉ tiêu"], [["1", "Tỷ lệ", "71,3%"]])


def test_unknown_block_type_is_refused(report):
    data = report.to_dict()
    data["body"] = [{"type": "image", "src": "x.png"}]
    with pytest.raises(ValueError):
        OfficialDocument.from_dict(data)


# -- numbers, dates, numbering ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (71.296, 1, "71,3"),
        (71.25, 1, "71,3"),  # half up on the decimal value, not binary rounding
        (Decimal("97.2"), 1, "97,2"),
        (0.05, 2, "0,05"),
        (1234.5, 1, "1.234,5"),
        (3321, 0, "3.321"),
        (1_000_000, 0, "1.000.000"),
        (-12.345, 2, "-12,35"),
        (-0.04, 1, "0,0"),
        (12, 1, "12,0"),
    ],
)
def test_format_decimal_vi(value, digits, expected):
    assert format_decimal_vi(value, digits) == expected


def test_format_percent_and_no_grouping():
    assert format_percent_vi(100 * 77 / 108) == "71,3%"
    assert format_percent_vi(12, 0) == "12%"
    assert format_decimal_vi(1234.5, 1, grouping=False) == "1234,5"


def test_parse_decimal_vi():
    assert parse_decimal_vi("1.234,5") == Decimal("1234.5")
    assert parse_decimal_vi(" 71,3% ") == Decimal("71.3")
    assert parse_decimal_vi("-3") == Decimal(-3)
    # an English decimal point is read as one, never as thousands ("1.5" is not fifteen)
    assert parse_decimal_vi("1.5") == Decimal("1.5")
    for bad in ("1,2,3", "1.234.5", "1,234.5", "abc", ""):
        with pytest.raises(ValueError):
            parse_decimal_vi(bad)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False), st.integers(0, 4))
def test_format_decimal_vi_round_trips(value, digits):
    text = format_decimal_vi(value, digits)
    assert parse_decimal_vi(text) == value.quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_format_decimal_vi_round_trips_floats(value):
    assert abs(parse_decimal_vi(format_decimal_vi(value, 2)) - Decimal(repr(value))) <= Decimal("0.005")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 9), "ngày 09 tháng 02 năm 2026"),
        (date(2026, 3, 15), "ngày 15 tháng 3 năm 2026"),  # Decree 30: only months 1 and 2 take a zero
        (date(2025, 11, 10), "ngày 10 tháng 11 năm 2025"),
    ],
)
def test_format_date_vi_long(day, expected):
    assert format_date_vi_long(day) == expected


def test_next_document_number():
    assert next_document_number([]) == "01/BC-UBND"
    assert next_document_number(["01/BC-UBND", "02/KH-UBND"], "BC", "UBND") == "03/BC-UBND"
    assert next_document_number(["09/BC-SYT"], "KH", "SYT") == "10/KH-SYT"
    assert next_document_number(["Số: 99/BC-UBND", "draft", "/BC-UBND"]) == "100/BC-UBND"
    assert format_document_number(5, "BC", "SYT") == "05/BC-SYT"


def test_numbering_restarts_each_year():
    issued = [(date(2025, 12, 30), "57/BC-UBND"), (date(2025, 12, 31), "58/BC-UBND")]
    assert next_document_number_on(issued, date(2025, 12, 31)) == "59/BC-UBND"
    assert next_document_number_on(issued, date(2026, 1, 2)) == "01/BC-UBND"
    issued.append((date(2026, 1, 2), "01/BC-UBND"))
    assert next_document_number_on(issued, date(2026, 1, 5)) == "02/BC-UBND"
