"""The document as a Word file (python-docx) that officials can still edit before signing."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .document import Block, Bullet, Heading, OfficialDocument, Paragraph, Table
from .layout import (
    CELL_PADDING_MM,
    FIRST_LINE_INDENT_MM,
    FONT,
    FOOTER_COLUMNS_MM,
    HEADER_COLUMNS_MM,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    MOTTO,
    NATIONAL_TITLE,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    RECIPIENTS_LABEL,
    SIGNATURE_SPACE_MM,
    SIZE_BODY,
    SIZE_HEADER,
    SIZE_MOTTO,
    SIZE_PAGE_NUMBER,
    SIZE_RECIPIENTS,
    SIZE_RECIPIENTS_LABEL,
    SIZE_TABLE,
    TEXT_WIDTH_MM,
    _bullet_text,
    _estimate_width_mm,
    _issuer_lines,
    _issuer_size,
    _looks_numeric,
    _motto_rule_mm,
    _nfc,
    _rule_length_mm,
    _signature_top_lines,
    _upper,
)

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
