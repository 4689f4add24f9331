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

The package along its seams: `document` (the structure), `numbering` (numbers, dates, document numbers), `layout` (the
decree's page and type sizes and the helpers both writers share), `html` (preview and PDF), `word` (DOCX). Import from
here: `from treem.reports.official import OfficialDocument, render_docx`.
"""

from treem.core.formats import parse_decimal_vi

from .document import (
    Block,
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    block_from_dict,
    block_to_dict,
)
from .html import render_html, render_pdf
from .numbering import (
    format_date_vi_long,
    format_decimal_vi,
    format_document_number,
    format_percent_vi,
    next_document_number,
    next_document_number_on,
)
from .word import render_docx

__all__ = [
    "Block", "Bullet", "Heading", "OfficialDocument", "Paragraph", "Signature", "Table", "block_from_dict",
    "block_to_dict", "format_date_vi_long", "format_decimal_vi", "format_document_number", "format_percent_vi",
    "next_document_number", "next_document_number_on", "parse_decimal_vi", "render_docx", "render_html", "render_pdf",
]
