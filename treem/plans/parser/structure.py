"""The outline of a document: its parts, the header and tail of each part, and the heading each paragraph sits under.

A file often holds more than one document: seed 001 is a dispatch (công văn) followed by the Party programme it
forwards. Each new document starts with a genre line in capitals ("CHƯƠNG TRÌNH", "KẾ HOẠCH") after the previous
one's signature block; those are the *parts*. Part 0 is the document the file is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalize import Paragraph, ends_sentence, is_all_caps
from .text import fold

HEADER, BODY, TAIL = "header", "body", "tail"

# Genre words as printed in capitals on the genre line, mapped to how the JSON names them.
GENRES = {
    "KẾ HOẠCH": "Kế hoạch",
    "CHƯƠNG TRÌNH": "Chương trình",
    "QUYẾT ĐỊNH": "Quyết định",
    "CHỈ THỊ": "Chỉ thị",
    "NGHỊ QUYẾT": "Nghị quyết",
    "NGHỊ ĐỊNH": "Nghị định",
    "THÔNG TƯ": "Thông tư",
    "BÁO CÁO": "Báo cáo",
    "THÔNG BÁO": "Thông báo",
    "HƯỚNG DẪN": "Hướng dẫn",
    "ĐỀ ÁN": "Đề án",
    "PHƯƠNG ÁN": "Phương án",
    "TỜ TRÌNH": "Tờ trình",
    "KẾT LUẬN": "Kết luận",
    "CÔNG VĂN": "Công văn",
    "CÔNG ĐIỆN": "Công điện",
    "QUY CHẾ": "Quy chế",
    "QUY ĐỊNH": "Quy định",
    "PHỤ LỤC": "Phụ lục",
}
PLAN_GENRES = {"Kế hoạch", "Chương trình", "Đề án", "Phương án"}

_GENRE_LINE = re.compile(r"^(?P<genre>" + "|".join(GENRES) + r")(?![^\W\d_])")
_TAIL_START = re.compile(r"^(?:nơi nhận|kt\.|tm\.|t/m|tl\.|tuq\.|q\.|thừa lệnh|thay mặt)", re.IGNORECASE)
_BODY_OPENERS = ("can cu", "thuc hien", "kinh gui", "quan triet", "trien khai", "de ", "nham ", "theo ")

# Section roles, read from the (folded) heading text. Checked in this order.
SECTION_ROLES = [
    ("organisation", ("to chuc thuc hien", "phan cong nhiem vu", "phan cong trach nhiem", "trach nhiem thuc hien")),
    ("targets", ("muc tieu", "chi tieu")),
    ("reporting", ("bao cao",)),
    ("status", ("tinh hinh", "thuc trang", "ket qua", "dac diem", "danh gia")),
]


def genre_of_line(text: str) -> str | None:
    """ "KẾ HOẠCH" or "CHƯƠNG TRÌNH CỦA BAN THƯỜNG VỤ ..." -> the genre; only when printed in capitals."""
    match = _GENRE_LINE.match(text)
    return GENRES[match.group("genre")] if match else None


def genre_remainder(text: str) -> str:
    """What follows the genre word on the genre line: the title when it was printed on the same line."""
    match = _GENRE_LINE.match(text)
    return text[match.end() :].strip(" :.-") if match else ""


@dataclass
class Block:
    paragraph: Paragraph
    index: int
    part: int = 0
    zone: str = BODY
    is_heading: bool = False
    headings: list[Paragraph] = field(default_factory=list)  # enclosing headings, outermost first
    roles: frozenset[str] = frozenset()  # section roles of the enclosing headings

    @property
    def text(self) -> str:
        return self.paragraph.text


def _is_heading(paragraph: Paragraph) -> bool:
    marker = paragraph.marker
    body = paragraph.body
    if marker is not None and marker.kind == "roman":
        return True
    if marker is not None and marker.is_bullet:
        return False
    if paragraph.md_heading or (is_all_caps(paragraph.text) and len(paragraph.text) < 200):
        return True
    if marker is not None and paragraph.emphasised and len(body) < 400:
        return True  # a numbered line printed in bold
    if marker is not None and marker.kind in ("arabic", "arabic_multi", "letter"):
        # "1. Mục tiêu tổng quát", "2.1. Mục tiêu 1: Về chăm sóc trẻ em": short, no full stop inside.
        return len(body) < 250 and not ends_sentence(body) and ". " not in body
    return False


def _heading_kind(paragraph: Paragraph) -> str:
    if paragraph.marker is not None:
        return paragraph.marker.kind
    return "markdown" if paragraph.md_heading else "caps"


def section_roles(heading: Paragraph) -> set[str]:
    """Roles named in the first words of a heading: "IV. TỔ CHỨC THỰC HIỆN", "V. CHẾ ĐỘ THÔNG TIN, BÁO CÁO".

    Only the first words count: "1. Lồng ghép các mục tiêu về trẻ em vào ..." is a task, not the objectives.
    """
    opening = " ".join(fold(heading.body).split()[:6])
    return {role for role, keys in SECTION_ROLES if any(key in opening for key in keys)}


def _starts_body(paragraph: Paragraph) -> bool:
    folded = fold(paragraph.text)
    if paragraph.marker is not None and paragraph.marker.kind == "roman":
        return True
    if folded.startswith(("so:", "so ", "v/v")) or "v/v" in folded[:200]:
        return False  # "Số: 3452/UBND-VX V/v ..." belongs to the header however long it is
    return folded.startswith(_BODY_OPENERS) or (len(paragraph.text) > 250 and not is_all_caps(paragraph.text))


def _starts_attachment(paragraph: Paragraph) -> bool:
    """After a signature block: a genre line, or (when that line was lost) a Roman heading or real prose."""
    if genre_of_line(paragraph.text):
        return True
    roman = paragraph.marker is not None and paragraph.marker.kind == "roman"
    return roman or (len(paragraph.text) > 300 and not is_all_caps(paragraph.text))


def _opens_body_after_genre(paragraph: Paragraph) -> bool:
    """After the genre line comes the title, even when it reads "Thực hiện Chỉ thị số 28-CT/TW ..."."""
    folded = fold(paragraph.text)
    roman = paragraph.marker is not None and paragraph.marker.kind == "roman"
    return roman or folded.startswith(("can cu", "kinh gui"))


_MAX_HEADER_PARAGRAPHS = 25  # a header never runs longer; past it, the document simply has no header


class _OutlineBuilder:
    """Walks the paragraphs once, keeping the current part, zone and heading stack."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.part = 0
        self.previous_text = ""
        self._start_part()

    def _start_part(self) -> None:
        self.zone = HEADER
        self.header_length = 0
        self.title_pending = False  # after a bare "KẾ HOẠCH" line, the next paragraph is the title
        self.stack: list[tuple[str, Paragraph, set[str]]] = []  # (marker kind, heading, its section roles)

    def add(self, index: int, paragraph: Paragraph) -> None:
        zone = self._zone_of(paragraph)  # first: it may start a new part
        block = Block(paragraph, index, self.part, zone)
        if block.zone == BODY:
            _place_in_outline(block, self.stack)
        self.blocks.append(block)
        self.previous_text = paragraph.text

    def _zone_of(self, paragraph: Paragraph) -> str:
        if self.zone == TAIL and _starts_attachment(paragraph):
            self.part += 1
            self._start_part()
        if self.zone == HEADER:
            return self._header_zone_of(paragraph)
        ends_document = self.previous_text.endswith("./.")  # the conventional end mark of an official text
        if self.zone == BODY and not paragraph.marker and (_TAIL_START.match(paragraph.text) or ends_document):
            self.zone = TAIL
        return self.zone

    def _header_zone_of(self, paragraph: Paragraph) -> str:
        self.header_length += 1
        if self.title_pending:
            self.title_pending = False
            self.zone = BODY
            return BODY if _opens_body_after_genre(paragraph) else HEADER
        if genre_of_line(paragraph.text):
            self.title_pending = not genre_remainder(paragraph.text)
            return HEADER
        if _starts_body(paragraph) or self.header_length > _MAX_HEADER_PARAGRAPHS:
            self.zone = BODY
        return self.zone


def build_outline(paragraphs: list[Paragraph]) -> list[Block]:
    builder = _OutlineBuilder()
    for index, paragraph in enumerate(paragraphs):
        builder.add(index, paragraph)
    return builder.blocks


def _place_in_outline(block: Block, stack: list[tuple[str, Paragraph, set[str]]]) -> None:
    """Set the block's heading flag, enclosing headings and section roles, and update the heading stack."""
    paragraph = block.paragraph
    block.is_heading = _is_heading(paragraph)
    if block.is_heading or (paragraph.marker is not None and not paragraph.marker.is_bullet):
        kind = _heading_kind(paragraph)
        # A new "2." closes the previous "2." and everything below it; a new "II." closes every level.
        if kind == "roman":
            stack.clear()
        for position, (existing_kind, _, _) in enumerate(stack):
            if existing_kind == kind:
                del stack[position:]
                break
        if block.is_heading:
            block.headings = [heading for _, heading, _ in stack]
            stack.append((kind, paragraph, section_roles(paragraph)))
            block.roles = frozenset(role for _, _, roles in stack for role in roles)
            return
    block.headings = [heading for _, heading, _ in stack]
    block.roles = frozenset(role for _, _, roles in stack for role in roles)
