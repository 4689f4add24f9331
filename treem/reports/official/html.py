"""The document as HTML with print CSS (on-screen preview) and as PDF (that HTML printed by WeasyPrint)."""

from __future__ import annotations

import html

from .document import Block, Bullet, Heading, OfficialDocument, Paragraph, Table
from .layout import (
    CELL_PADDING_MM,
    CSS_PATH,
    HEADER_COLUMNS_MM,
    MOTTO,
    NATIONAL_TITLE,
    RECIPIENTS_LABEL,
    SIZE_BODY,
    TEXT_WIDTH_MM,
    _bullet_text,
    _issuer_lines,
    _issuer_size,
    _looks_numeric,
    _nfc,
    _rule_length_mm,
    _signature_top_lines,
    _upper,
)

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


