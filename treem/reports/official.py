"""Official documents (văn bản hành chính) in the format of Decree 30/2020/NĐ-CP, Appendix I.

One structure, `OfficialDocument`, rendered three ways from the same layout rules:

* `render_docx(doc)`: a Word file officials can still edit before signing (python-docx);
* `render_html(doc)`: HTML with print CSS, for on-screen preview;
* `render_pdf(doc)`: that HTML printed by WeasyPrint.

Also the Vietnamese number and date formats these documents use (decimal comma, "ngày 05 tháng 01 năm 2026") and the
yearly document numbering ("05/BC-UBND"); the numbers are `treem.core.formats` under the names documents use.

Layout (Decree 30, Appendix I): A4; margins top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm; Times New Roman.
Top: a two-column table, issuing body and number on the left, national title, motto and place/date on the right.
Then the document type in bold capitals, the subject (trích yếu) in bold, a short rule, a justified body with a
first-line indent, and at the bottom the recipients ("Nơi nhận:") on the left and the signature block on the right.
Pages after the first carry their number centred in the top margin.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from treem.core.formats import format_number, format_percent, parse_decimal_vi

# -- layout constants (mm, pt) -------------------------------------------------------------------------------------
# The print CSS in templates_src/official.css uses the same numbers.

FONT = "Times New Roman"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165
HEADER_COLUMNS_MM = (62, 103)  # issuing body | national title (13 pt bold Times needs ~95 mm)
FOOTER_COLUMNS_MM = (80, 85)  # recipients | signature
CELL_PADDING_MM = 1.9  # Word's default left/right cell margin (0.19 cm)
FIRST_LINE_INDENT_MM = 12.7  # the decree allows 1 cm to 1.27 cm
SIGNATURE_SPACE_MM = 28  # room for the signature and the seal

SIZE_BODY = 14  # body text 13-14
SIZE_HEADER = 13  # issuing body, national title: 12-13; number: 13
SIZE_MOTTO = 14  # motto 13-14
SIZE_TABLE = 13
SIZE_RECIPIENTS_LABEL = 12  # "Nơi nhận:" 12, bold italic
SIZE_RECIPIENTS = 11  # the list: 11
SIZE_PAGE_NUMBER = 13

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_LABEL = "Nơi nhận:"
MM_PER_PT = 25.4 / 72

CSS_PATH = Path(__file__).parent / "templates_src" / "official.css"


# -- the document -------------------------------------------------------------------------------------------------


@dataclass
class Heading:
    """A heading, numbered by the author: level 1 "I. KẾT QUẢ", level 2 "1. Công tác ...", level 3 "a) ..."."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Bullet:
    """A "- ..." item; the dash is added when the text lacks it."""

    text: str


@dataclass
class Table:
    """Cells are text: format numbers with format_decimal_vi / format_percent_vi first."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def __post_init__(self):
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"table row {row!r} has {len(row)} cells, the header has {len(self.header)}")


Block = Heading | Paragraph | Bullet | Table
_BLOCK_TYPES: dict[str, type] = {"heading": Heading, "paragraph": Paragraph, "bullet": Bullet, "table": Table}


@dataclass
class Signature:
    """authority: "TM. ỦY BAN NHÂN DÂN", "KT. GIÁM ĐỐC" (may be several lines, "\\n"-separated; empty when the head
    signs in their own name); title: "PHÓ GIÁM ĐỐC"; name: "Nguyễn Văn A"."""

    authority: str = ""
    title: str = ""
    name: str = ""


@dataclass
class OfficialDocument:
    issuing_body: str  # "SỞ Y TẾ"; put "\n" where a long name should break
    number: str  # "05/BC-SYT", shown as "Số: 05/BC-SYT"
    place: str  # "An Giang"
    date: date
    doc_type: str  # "BÁO CÁO", "KẾ HOẠCH"; empty for a dispatch (công văn), whose subject goes under the number
    title: str = ""  # trích yếu
    body: list[Block] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    recipients: list[str] = field(default_factory=list)  # "- Như trên;", "- Lưu: VT."
    issuing_body_parent: str = ""  # "UBND TỈNH AN GIANG"

    def __post_init__(self):
        if isinstance(self.signature, Mapping):
            self.signature = Signature(**self.signature)

    @property
    def is_dispatch(self) -> bool:
        """A công văn has no type name; its subject is written "V/v ..." under the number."""
        return not self.doc_type.strip()

    @property
    def place_and_date(self) -> str:
        return f"{self.place}, {format_date_vi_long(self.date)}"

    @classmethod
    def from_dict(cls, data: Mapping) -> OfficialDocument:
        """From JSON-like data: date as ISO text, blocks as {"type": "heading"|"paragraph"|"bullet"|"table", ...}."""
        values = dict(data)
        if isinstance(values["date"], str):
            values["date"] = date.fromisoformat(values["date"])
        values["body"] = [block_from_dict(b) for b in values.get("body", [])]
        values["signature"] = Signature(**values.get("signature", {}))
        return cls(**values)

    def to_dict(self) -> dict:
        return {
            "issuing_body_parent": self.issuing_body_parent,
            "issuing_body": self.issuing_body,
            "number": self.number,
            "place": self.place,
            "date": self.date.isoformat(),
            "doc_type": self.doc_type,
            "title": self.title,
            "body": [block_to_dict(b) for b in self.body],
            "signature": vars(self.signature).copy(),
            "recipients": list(self.recipients),
        }


def block_from_dict(data: Mapping) -> Block:
    values = dict(data)
    kind = values.pop("type")
    if kind not in _BLOCK_TYPES:
        raise ValueError(f"unknown block type {kind!r}; expected one of {sorted(_BLOCK_TYPES)}")
    return _BLOCK_TYPES[kind](**values)


def block_to_dict(block: Block) -> dict:
    kind = next(name for name, cls in _BLOCK_TYPES.items() if isinstance(block, cls))
    return {"type": kind, **vars(block)}


# -- Vietnamese numbers and dates ---------------------------------------------------------------------------------


# One formatter and one parser of Vietnamese numbers, in treem.core.formats; the names documents have always used
# are the same objects.
format_decimal_vi = format_number
format_percent_vi = format_percent


def format_date_vi_long(d: date) -> str:
    """Long Vietnamese date: "ngày 05 tháng 01 năm 2026".

    Decree 30, Appendix I: a day below 10 and the months 1 and 2 take a leading zero (so that "1" cannot be turned into
    "11" or "12" by hand); March to September do not: "ngày 15 tháng 3 năm 2026".
    """
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


# -- numbering ----------------------------------------------------------------------------------------------------

_SERIAL = re.compile(r"^\s*(?:Số\s*:?\s*)?(\d+)\s*/")


def format_document_number(serial: int, kind_code: str = "BC", body_code: str = "UBND") -> str:
    """5 -> "05/BC-UBND": two digits at least (Decree 30 writes numbers below 10 with a leading zero)."""
    return f"{serial:02d}/{kind_code}-{body_code}"


def next_document_number(
    existing_numbers_this_year: Iterable[str], kind_code: str = "BC", body_code: str = "UBND"
) -> str:
    """The next number of the issuing body's register for the current year: highest serial + 1, "01" when none.

    Pass the numbers of one register sequence for one year, which is what makes the count restart at 01 each
    year. Decree 30 numbers administrative documents in one yearly sequence per issuing body (the office register),
    so the serials are taken from every number given, whatever its kind code; an office that keeps a separate
    sequence per kind passes only that kind's numbers. Entries that do not start with "<digits>/" are ignored.
    """
    serials = [int(m.group(1)) for text in existing_numbers_this_year if (m := _SERIAL.match(text))]
    return format_document_number(max(serials, default=0) + 1, kind_code, body_code)


def next_document_number_on(
    issued: Iterable[tuple[date, str]], on: date, kind_code: str = "BC", body_code: str = "UBND"
) -> str:
    """next_document_number for a document dated `on`, given (date, number) pairs of every year."""
    return next_document_number([number for day, number in issued if day.year == on.year], kind_code, body_code)


# -- shared layout helpers ----------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    """Vietnamese typed with some input methods arrives decomposed (base letter + combining marks); fonts then
    place the marks badly and search breaks. Decree 30 requires the Unicode TCVN 6909:2001 precomposed form."""
    return unicodedata.normalize("NFC", text or "")


def _upper(text: str) -> str:
    return _nfc(text).upper()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in _nfc(text).split("\n") if line.strip()]


def _estimate_width_mm(text: str, size_pt: float) -> float:
    """Rough printed width of bold Times text, from the average advance widths of Liberation Serif Bold 2.1
    (metric-compatible with Times) over the Vietnamese alphabet. Only used to size the short horizontal rules."""
    return sum(_char_em(c) for c in text) * size_pt * MM_PER_PT


def _char_em(c: str) -> float:
    if c.isupper():
        return 0.71
    if c in " ,.;:":
        return 0.25
    if c in "-/()":
        return 0.33
    return 0.50


def _rule_length_mm(lines: list[str], size_pt: float, available_mm: float) -> float:
    """Decree 30: the rule under the issuing body and under the subject is 1/3 to 1/2 of the text line; we take
    0.45 of the longest line (lines that would wrap count as the full width)."""
    longest = max((_estimate_width_mm(line, size_pt) for line in lines), default=0)
    return round(max(12.0, 0.45 * min(longest, available_mm)), 1)


def _motto_rule_mm() -> float:
    """The rule under the motto is as long as the motto line."""
    return round(_estimate_width_mm(MOTTO, SIZE_MOTTO), 1)


def _bullet_text(text: str) -> str:
    text = _nfc(text).strip()
    return text if text.startswith(("-", "+", "•")) else f"- {text}"


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,%/+\s-]+", text.strip()))


def _issuer_lines(doc: OfficialDocument) -> list[str]:
    return _lines(_upper(doc.issuing_body))


def _issuer_size(doc: OfficialDocument) -> int:
    """13 pt, or 12 pt (the decree allows 12-13) when a line of the issuing body would not fit its column at 13."""
    available = HEADER_COLUMNS_MM[0] - 2 * CELL_PADDING_MM
    lines = [_upper(doc.issuing_body_parent), *_issuer_lines(doc)]
    fits = all(_estimate_width_mm(line, SIZE_HEADER) <= available for line in lines)
    return SIZE_HEADER if fits else SIZE_HEADER - 1


def _signature_top_lines(doc: OfficialDocument) -> list[str]:
    """Authority lines (TM./KT./TL./Q. ...) then the signer's title, all in capitals."""
    return _lines(_upper(doc.signature.authority)) + _lines(_upper(doc.signature.title))


# -- HTML (preview and PDF) ---------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(_nfc(text))


def render_html(doc: OfficialDocument, standalone: bool = True) -> str:
    """The document as HTML with the print CSS; `standalone=False` gives only the <article> for embedding in a
    page (include official.css yourself)."""
    article = "\n".join(
        [
            '<article class="official-document" lang="vi">',
            _html_header(doc),
            _html_type_and_title(doc),
            '<section class="od-content">',
            *(_html_block(block) for block in doc.body),
            "</section>",
            _html_footer(doc),
            "</article>",
        ]
    )
    if not standalone:
        return article
    title = _e(" ".join(part for part in (doc.doc_type, doc.number, doc.title) if part))
    css = CSS_PATH.read_text(encoding="utf-8")
    return (
        f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f"<style>\n{css}</style>\n</head>\n<body>\n{article}\n</body>\n</html>\n"
    )


def _html_header(doc: OfficialDocument) -> str:
    issuer, size = _issuer_lines(doc), _issuer_size(doc)
    rule_mm = _rule_length_mm(issuer, size, HEADER_COLUMNS_MM[0] - 2 * CELL_PADDING_MM)
    font = f' style="font-size: {size}pt"'
    parent = f'<p class="od-parent"{font}>{_e(_upper(doc.issuing_body_parent))}</p>' if doc.issuing_body_parent else ""
    issuer_html = "".join(f'<p class="od-issuer"{font}>{_e(line)}</p>' for line in issuer)
    subject = f'<p class="od-subject">V/v {_e(doc.title)}</p>' if doc.is_dispatch and doc.title else ""
    return (
        '<table class="od-header"><tr>'
        f'<td class="od-left">{parent}{issuer_html}<div class="od-rule" style="width: {rule_mm}mm"></div></td>'
        f'<td class="od-right"><p class="od-national-title">{NATIONAL_TITLE}</p>'
        f'<p class="od-motto"><span>{MOTTO}</span></p></td>'
        "</tr><tr>"
        f'<td class="od-left"><p class="od-number">Số: {_e(doc.number)}</p>{subject}</td>'
        f'<td class="od-right"><p class="od-place-date">{_e(doc.place_and_date)}</p></td>'
        "</tr></table>"
    )


def _html_type_and_title(doc: OfficialDocument) -> str:
    if doc.is_dispatch:
        return ""
    parts = [f'<h1 class="od-type">{_e(_upper(doc.doc_type))}</h1>']
    if doc.title:
        parts.append(f'<p class="od-title">{_e(doc.title)}</p>')
    rule_mm = _rule_length_mm([_nfc(doc.title or doc.doc_type)], SIZE_BODY, TEXT_WIDTH_MM)
    parts.append(f'<div class="od-rule" style="width: {rule_mm}mm"></div>')
    return "\n".join(parts)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        tag = {1: "h2", 2: "h3"}.get(block.level, "h4")
        return f"<{tag}>{_e(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        text = _e(block.text)
        text = f"<strong>{text}</strong>" if block.bold else text
        text = f"<em>{text}</em>" if block.italic else text
        return f"<p>{text}</p>"
    if isinstance(block, Bullet):
        return f'<p class="od-bullet">{_e(_bullet_text(block.text))}</p>'
    if isinstance(block, Table):
        return _html_table(block)
    raise TypeError(f"not a document block: {block!r}")


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{_e(cell)}</th>" for cell in table.header)
    rows = []
    for row in table.rows:
        cells = "".join(
            f'<td class="od-num">{_e(str(cell))}</td>' if _looks_numeric(str(cell)) else f"<td>{_e(str(cell))}</td>"
            for cell in row
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html_footer(doc: OfficialDocument) -> str:
    recipients = "".join(f'<p class="od-recipient">{_e(item)}</p>' for item in doc.recipients)
    label = f'<p class="od-recipients-label">{RECIPIENTS_LABEL}</p>' if doc.recipients else ""
    top = _signature_top_lines(doc)
    authority = "".join(f'<p class="od-authority">{_e(line)}</p>' for line in top)
    return (
        '<table class="od-footer"><tr>'
        f'<td class="od-recipients">{label}{recipients}</td>'
        f'<td class="od-signature">{authority}<div class="od-signature-space"></div>'
        f'<p class="od-signer-name">{_e(doc.signature.name)}</p></td>'
        "</tr></table>"
    )


def render_pdf(doc: OfficialDocument) -> bytes:
    """PDF through WeasyPrint. Fonts: Times New Roman when installed, else Liberation Serif 2.x (metric-compatible
    with Times; Debian package fonts-liberation2: the older fonts-liberation 1.07 lacks most Vietnamese letters,
    which then fall back to DejaVu Serif and look patchy), else DejaVu Serif."""
    from weasyprint import HTML  # imported here: loading pango/cairo is slow and only the PDF needs it

    return HTML(string=render_html(doc)).write_pdf()


# -- DOCX ---------------------------------------------------------------------------------------------------------


def render_docx(doc: OfficialDocument) -> bytes:
    word = Document()
    _docx_page_setup(word, doc)
    _docx_header(word, doc)
    _docx_type_and_title(word, doc)
    for block in doc.body:
        _docx_block(word, block)
    _docx_footer(word, doc)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _docx_page_setup(word, doc: OfficialDocument) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)

    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(SIZE_BODY)
    _set_all_font_slots(normal.element.get_or_add_rPr())
    _set_language(normal.element.get_or_add_rPr(), "vi-VN")
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    # Page numbers centred in the top margin, not on the first page.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_page_field(number)

    word.core_properties.title = _nfc(" ".join(p for p in (doc.doc_type, doc.number, doc.title) if p))
    word.core_properties.language = "vi-VN"


def _docx_header(word, doc: OfficialDocument) -> None:
    left_mm, right_mm = HEADER_COLUMNS_MM
    table = _layout_table(word, rows=2, widths_mm=HEADER_COLUMNS_MM)
    issuer_cell, nation_cell = table.rows[0].cells
    number_cell, date_cell = table.rows[1].cells

    issuer, size = _issuer_lines(doc), _issuer_size(doc)
    if doc.issuing_body_parent:
        _cell_text(issuer_cell, _upper(doc.issuing_body_parent), size)
    for line in issuer:
        _cell_text(issuer_cell, line, size, bold=True)
    _cell_rule(issuer_cell, _rule_length_mm(issuer, size, left_mm - 2 * CELL_PADDING_MM), left_mm)

    _cell_text(nation_cell, NATIONAL_TITLE, SIZE_HEADER, bold=True)
    _cell_text(nation_cell, MOTTO, SIZE_MOTTO, bold=True)
    _cell_rule(nation_cell, _motto_rule_mm(), right_mm)

    _cell_text(number_cell, f"Số: {_nfc(doc.number)}", SIZE_HEADER, space_before=6)
    if doc.is_dispatch and doc.title:
        _cell_text(number_cell, f"V/v {_nfc(doc.title)}", 12, space_before=4)
    _cell_text(date_cell, doc.place_and_date, SIZE_BODY, italic=True, space_before=6)


def _docx_type_and_title(word, doc: OfficialDocument) -> None:
    if doc.is_dispatch:
        word.add_paragraph().paragraph_format.space_after = Pt(6)  # a dispatch goes straight to its text
        return
    _doc_text(word, _upper(doc.doc_type), bold=True, space_before=18)
    if doc.title:
        _doc_text(word, _nfc(doc.title), bold=True)
    length = _rule_length_mm([_nfc(doc.title or doc.doc_type)], SIZE_BODY, TEXT_WIDTH_MM)
    rule = _rule_paragraph(word.add_paragraph(), length, TEXT_WIDTH_MM)
    rule.paragraph_format.space_after = Pt(12)


def _docx_block(word, block: Block) -> None:
    if isinstance(block, Heading):
        _body_paragraph(word, block.text, bold=True, italic=block.level >= 3)
    elif isinstance(block, Paragraph):
        _body_paragraph(word, block.text, bold=block.bold, italic=block.italic)
    elif isinstance(block, Bullet):
        _body_paragraph(word, _bullet_text(block.text))
    elif isinstance(block, Table):
        _docx_table(word, block)
    else:
        raise TypeError(f"not a document block: {block!r}")


def _body_paragraph(word, text: str, bold: bool = False, italic: bool = False) -> None:
    paragraph = word.add_paragraph()
    fmt = paragraph.paragraph_format
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.0  # "single" in Word is ~1.15 em, like the CSS line-height; the decree allows up to 1.5
    _styled_run(paragraph, _nfc(text), SIZE_BODY, bold=bold, italic=italic)


def _docx_table(word, table: Table) -> None:
    grid = word.add_table(rows=1 + len(table.rows), cols=len(table.header), style="Table Grid")
    _set_column_widths(grid, _column_widths_mm(table, TEXT_WIDTH_MM))
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        _cell_text(cell, _nfc(text), SIZE_TABLE, bold=True)
    for row, values in zip(grid.rows[1:], table.rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            text = _nfc(str(value))
            align = WD_ALIGN_PARAGRAPH.CENTER if _looks_numeric(text) else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cell, text, SIZE_TABLE, align=align)
    word.add_paragraph().paragraph_format.space_after = Pt(3)


def _column_widths_mm(table: Table, total_mm: float) -> list[float]:
    """Column widths for a data table, like a browser's automatic layout: every column gets at least its longest
    word (so "STT" or "Năm 2025" never break inside a word), and the rest of the width goes to the columns whose
    text would wrap, in proportion to how much more they need. (The HTML side leaves this to WeasyPrint.)"""
    padding = 2 * CELL_PADDING_MM + 1
    columns = [[_nfc(str(cell)) for cell in column] for column in zip(table.header, *table.rows, strict=True)]
    words = [[word for text in column for word in text.split()] or [""] for column in columns]
    minimum = [padding + max(_estimate_width_mm(w, SIZE_TABLE) for w in column) for column in words]
    natural = [padding + max(_estimate_width_mm(t, SIZE_TABLE) for t in column) for column in columns]
    if sum(natural) <= total_mm:
        return [round(total_mm * n / sum(natural), 1) for n in natural]
    if sum(minimum) >= total_mm:  # very long words: shrink everything to fit, Word will break inside words
        return [round(total_mm * m / sum(minimum), 1) for m in minimum]
    spare = total_mm - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    return [round(m + spare * w / (sum(wants) or 1), 1) for m, w in zip(minimum, wants, strict=True)]


def _docx_footer(word, doc: OfficialDocument) -> None:
    word.add_paragraph().paragraph_format.space_after = Pt(6)
    table = _layout_table(word, rows=1, widths_mm=FOOTER_COLUMNS_MM)
    _keep_row_on_one_page(table.rows[0])  # never leave the signer's name alone on the next page
    recipients_cell, signature_cell = table.rows[0].cells

    left = WD_ALIGN_PARAGRAPH.LEFT
    if doc.recipients:
        _cell_text(recipients_cell, RECIPIENTS_LABEL, SIZE_RECIPIENTS_LABEL, bold=True, italic=True, align=left)
    for item in doc.recipients:
        _cell_text(recipients_cell, _nfc(item), SIZE_RECIPIENTS, align=left)

    for line in _signature_top_lines(doc):
        _cell_text(signature_cell, line, SIZE_BODY, bold=True)
    space = _cell_text(signature_cell, "", SIZE_BODY)
    space.paragraph_format.space_before = Mm(SIGNATURE_SPACE_MM)
    _cell_text(signature_cell, _nfc(doc.signature.name), SIZE_BODY, bold=True)


# -- python-docx plumbing -----------------------------------------------------------------------------------------


def _styled_run(paragraph, text: str, size: float, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(text)
    run.font.name, run.font.size = FONT, Pt(size)
    run.font.bold, run.font.italic = bold, italic
    _set_all_font_slots(run._element.get_or_add_rPr())
    return run


def _set_all_font_slots(rpr) -> None:
    """python-docx sets only the ascii/hAnsi slots; set the complex-script and East-Asian ones too, or Word may show
    some characters in another font."""
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _set_language(rpr, tag: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _doc_text(word, text: str, size: float = SIZE_BODY, bold: bool = False, space_before: float = 0):
    """A centred line in the document body (type name, subject)."""
    paragraph = word.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    _styled_run(paragraph, text, size, bold=bold)
    return paragraph


def _layout_table(word, rows: int, widths_mm: tuple[float, ...]):
    """A borderless table (the default "Normal Table" style) with fixed column widths."""
    table = word.add_table(rows=rows, cols=len(widths_mm))
    _set_column_widths(table, widths_mm)
    return table


def _set_column_widths(table, widths_mm) -> None:
    """Fixed column widths. LibreOffice reads the table grid, Word the cell widths: set both."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _keep_row_on_one_page(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _next_paragraph(cell):
    """A new cell starts with one empty, unformatted paragraph: use it first, then add more."""
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.runs and first._p.pPr is None:
        return first
    return cell.add_paragraph()


def _cell_text(cell, text: str, size: float, bold=False, italic=False, align=None, space_before: float = 0):
    paragraph = _next_paragraph(cell)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if align is None else align
    paragraph.paragraph_format.space_before = Pt(space_before)
    if text:
        _styled_run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def _cell_rule(cell, length_mm: float, cell_width_mm: float) -> None:
    _rule_paragraph(_next_paragraph(cell), length_mm, cell_width_mm - 2 * CELL_PADDING_MM)


def _rule_paragraph(paragraph, length_mm: float, available_mm: float):
    """A short centred horizontal rule: an empty, 2-pt-high paragraph whose top border is shortened by equal left
    and right indents (a drawn line shape would float and drift when officials edit the text)."""
    indent = max(0.0, (available_mm - length_mm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(indent)
    fmt.first_line_indent = Mm(0)
    fmt.space_before, fmt.space_after = Pt(3), Pt(0)  # a small gap under the text, as in the CSS
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)

    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        top.set(qn(key), value)
    border.append(top)
    # pBdr must precede these siblings in the schema, or Word reports the file as damaged.
    paragraph._p.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr", "w:sectPr"
    )
    return paragraph


def _add_page_field(paragraph) -> None:
    """A PAGE field: Word and LibreOffice fill in the page number."""
    begin, instruction, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    end.set(qn("w:fldCharType"), "end")
    run = _styled_run(paragraph, "", SIZE_PAGE_NUMBER)
    run._r.extend([begin, instruction, end])


__all__ = [
    "Block",
    "Bullet",
    "Heading",
    "OfficialDocument",
    "Paragraph",
    "Signature",
    "Table",
    "block_from_dict",
    "block_to_dict",
    "format_date_vi_long",
    "format_decimal_vi",
    "format_document_number",
    "format_percent_vi",
    "next_document_number",
    "next_document_number_on",
    "parse_decimal_vi",
    "render_docx",
    "render_html",
    "render_pdf",
]
