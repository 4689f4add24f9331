"""The layout of Decree 30/2020/NĐ-CP, Appendix I, shared by the Word and the HTML/PDF writers: page, margins,
columns, type sizes (the print CSS in templates_src/official.css uses the same numbers), and the helpers that measure
and break the header, motto rule and signature lines."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .document import OfficialDocument

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

CSS_PATH = Path(__file__).parent.parent / "templates_src" / "official.css"


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


