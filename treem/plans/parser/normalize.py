"""From extracted text to logical paragraphs, keeping a map back to the original line numbers.

Text reaches the parser in three shapes, and the same rules must serve all of them:

* BLANK: paragraphs separated by blank lines, maybe soft-wrapped inside (Markdown, our DOCX and PDF extraction);
* WRAPPED: hard-wrapped lines whose blank lines carry no meaning (text copied out of a PDF, like seed 002, where
  a blank line follows every printed line);
* LINES: one paragraph per line, no blank lines (plain text saved from a word processor).

The layout is detected from the text itself (how often a line that does not end a sentence is followed, across a
blank line, by a line starting in lowercase). Then each pair of neighbouring lines is joined or split by rules
that are written out in ``_continues`` below.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, field

from .agencies import PREDICATE_WORDS
from .markers import Marker, find_marker
from .text import clean_spaces

BLANK, WRAPPED, LINES = "blank", "wrapped", "lines"

# --- Line cleaning -------------------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_STAR_BULLET = re.compile(r"^(\s*)\*\s+")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MARKUP = re.compile(r"[*_#>\[\\]")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


@dataclass
class SourceLine:
    number: int  # 1-based line number in the extracted text
    text: str  # cleaned: NFC, single spaces, no Markdown markup
    emphasised: bool = False  # the whole line was bold (a heading in a Markdown/DOCX export)
    md_heading: bool = False  # the line was a Markdown "#" heading


def _strip_bold(text: str, in_bold: bool) -> tuple[str, bool, bool]:
    """Remove ``**``/``__`` and say whether all the text was bold; bold may run on from the previous line."""
    parts = text.replace("__", "**").split("**")
    outside = "".join(part for index, part in enumerate(parts) if (index % 2 == 0) != in_bold)
    inside = "".join(part for index, part in enumerate(parts) if (index % 2 == 0) == in_bold)
    still_bold = in_bold if len(parts) % 2 == 1 else not in_bold
    emphasised = bool(inside.strip()) and not outside.strip()
    return "".join(parts), still_bold, emphasised


def clean_lines(text: str) -> list[SourceLine]:
    """One ``SourceLine`` per line of ``text`` (blank ones included, with empty text)."""
    lines: list[SourceLine] = []
    in_bold = False
    for number, raw in enumerate(text.split("\n"), start=1):
        line = clean_spaces(raw.replace("\r", ""))
        if not line:
            in_bold = False  # a blank line closes any Markdown emphasis
            lines.append(SourceLine(number, ""))
            continue
        if not _MARKUP.search(line):  # most lines of a DOCX or PDF extraction carry no Markdown at all
            lines.append(SourceLine(number, line, emphasised=in_bold))
            continue
        md_heading = bool(_MD_HEADING.match(line))
        line = _MD_HEADING.sub("", line)
        line = _MD_QUOTE.sub("", line)
        line = _MD_STAR_BULLET.sub(r"\1- ", line)
        line = _MD_LINK.sub(r"\1", line)
        line, in_bold, emphasised = _strip_bold(line, in_bold)
        line = _MD_ITALIC.sub(r"\1", line)
        line = _MD_ESCAPE.sub(r"\1", line)
        line = clean_spaces(line)
        lines.append(SourceLine(number, line, emphasised=emphasised and bool(line), md_heading=md_heading))
    return lines


# --- Line classification -------------------------------------------------------------------------------------------

_TRAILING_CLOSERS = "\"'”’)]*» "
_TERMINAL = ".;:!?"
# Words after which a number is expected, so a next line starting with "5." is not a list item.
_NUMBER_EXPECTING = {"số", "ngày", "tháng", "năm", "dưới", "trên", "đạt", "điều", "khoản", "điểm", "mục", "còn"}
# Capitalised words that open a sentence (verbs and a few adverbials), never a proper noun in mid-sentence.
SENTENCE_OPENERS = tuple(
    sorted(
        {word[:1].upper() + word[1:] for word in PREDICATE_WORDS}
        | {"Kính gửi", "Nơi nhận", "Giao", "Đề nghị", "Yêu cầu", "Để", "Nhằm", "Các", "Những", "Trong", "Đối với",
           "Theo", "Hằng năm", "Hàng năm", "Từ", "Đồng thời", "Riêng", "Ngoài ra"},
        key=len,
        reverse=True,
    )
)
_OPENER = re.compile(r"(?:" + "|".join(map(re.escape, SENTENCE_OPENERS)) + r")(?![^\W\d_])")
# Lines that always open a paragraph, whatever ends the line before.
_ALWAYS_NEW = re.compile(r"(?:Nơi nhận|Kính gửi)\s*:|\(\s*Kèm theo ")
# Words after which a capitalised word continues a name: "Ban" + "Chỉ đạo ...", "Hội" + "Liên hiệp ...".
_NAME_HEADS = {"Ban", "Hội", "Sở", "Cục", "Viện", "Quỹ", "Phòng", "Đoàn", "Bộ", "Tổ", "Nhóm", "Trung", "Ủy", "Uỷ"}


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_TRAILING_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _first_letter(text: str) -> str:
    for char in text[:6]:
        if char.isalpha() or char.isdigit():
            return char
        if char not in "\"'“‘([":
            return ""
    return ""


def starts_lowercase(text: str) -> bool:
    """True for "chức chính trị ...", "25/12/2023 của ...", "(nếu có) ..."."""
    char = _first_letter(text)
    return bool(char) and (char.islower() or char.isdigit())


def is_all_caps(text: str) -> bool:
    if any(char.islower() for char in text):  # stops at the first lowercase letter: cheap on ordinary text
        return False
    return sum(char.isalpha() for char in text) >= 3


def _starts_in_capitals(text: str) -> bool:
    """ "CHƯƠNG TRÌNH CỦA BAN THƯỜNG VỤ ... thực hiện", "KT. CHỦ TỊCH": three words in capitals open the line."""
    words = [word.strip(".,:;()") for word in text.split()[:3]]
    return len(words) == 3 and all(len(word) >= 2 and word.isalpha() and word.isupper() for word in words)


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def _last_word(text: str) -> str:
    return text.rsplit(" ", 1)[-1].strip(_TRAILING_CLOSERS + ",").lstrip("\"'“‘([")


def _dash_continues(previous: str, current: str) -> bool:
    """ "... tổ chức chính trị" + "- xã hội ..." is one phrase wrapped at its dash, not a bullet."""
    return current.startswith("-") and not ends_sentence(previous) and starts_lowercase(current[1:].lstrip())


# --- Layout detection ----------------------------------------------------------------------------------------------


@dataclass
class Layout:
    kind: str  # BLANK | WRAPPED | LINES
    width: float = 0.0  # typical length of a wrapped line; 0 when too few lines are seen to wrap


def _neighbour_pairs(lines: list[SourceLine]) -> list[tuple[SourceLine, SourceLine, int]]:
    pairs = []
    previous: SourceLine | None = None
    gap = 0
    for line in lines:
        if not line.text:
            gap += 1
            continue
        if previous is not None:
            pairs.append((previous, line, gap))
        previous, gap = line, 0
    return pairs


def _clearly_continues(previous: SourceLine, current: SourceLine) -> bool:
    return (
        not ends_sentence(previous.text)
        and starts_lowercase(current.text)
        and find_marker(current.text) is None
        and not previous.md_heading
    )


def detect_layout(lines: list[SourceLine]) -> Layout:
    pairs = _neighbour_pairs(lines)
    across_blank = [pair for pair in pairs if pair[2] > 0]
    adjacent = [pair for pair in pairs if pair[2] == 0]

    def share(subset: list[tuple[SourceLine, SourceLine, int]]) -> float:
        return sum(_clearly_continues(a, b) for a, b, _ in subset) / len(subset) if subset else 0.0

    # When sentences keep running on across blank lines, the blank lines are an artefact of PDF extraction.
    if len(across_blank) >= 4 and share(across_blank) >= 0.2:
        kind = WRAPPED
    elif across_blank:
        kind = BLANK
    elif len(adjacent) >= 4 and share(adjacent) >= 0.2:
        kind = WRAPPED
    else:
        kind = LINES
    # The wrapping width, when enough lines are seen to run on (a line that ended early ended a paragraph).
    wrapped = [len(a.text) for a, b, gap in pairs if _clearly_continues(a, b) and (gap == 0 or kind == WRAPPED)]
    enough = len(wrapped) >= 5 or (kind == WRAPPED and wrapped)
    return Layout(kind, statistics.median(wrapped) if enough else 0.0)


# --- Joining lines into paragraphs ---------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    line_offsets: list[tuple[int, int]]  # (offset in text where a source line starts, its line number)
    emphasised: bool = False
    md_heading: bool = False
    marker: Marker | None = field(default=None)

    @property
    def first_line(self) -> int:
        return self.line_offsets[0][1]

    @property
    def last_line(self) -> int:
        return self.line_offsets[-1][1]

    @property
    def body(self) -> str:
        """The text without its list marker."""
        return self.text[self.marker.length :] if self.marker else self.text

    @property
    def body_offset(self) -> int:
        return self.marker.length if self.marker else 0

    def lines_of(self, start: int, end: int) -> tuple[int, int]:
        """First and last source line covered by ``text[start:end]``."""
        offsets = [offset for offset, _ in self.line_offsets]
        first = max(bisect.bisect_right(offsets, start) - 1, 0)
        last = max(bisect.bisect_right(offsets, max(end - 1, start)) - 1, first)
        return self.line_offsets[first][1], self.line_offsets[last][1]


def _heading_like(line: SourceLine, lines_in_paragraph: int, bullets: bool = True) -> bool:
    """A line after which an unpunctuated break is a paragraph end: a bold line, a caps line, a short list head."""
    if line.emphasised or line.md_heading or is_all_caps(line.text):
        return True
    marker = find_marker(line.text)
    if marker is None or (marker.is_bullet and not bullets):
        return False
    return lines_in_paragraph == 1 and len(line.text) < 120


# Words that cannot end a heading or a sentence: a line ending with one runs on.
_DANGLING_WORDS = {
    "của", "về", "và", "các", "với", "cho", "tại", "trong", "theo", "để", "là", "được", "bị", "những", "từ", "đến",
    "tới", "nhằm", "số", "ngày", "thuộc", "trên", "dưới", "có", "hoặc", "hay", "mà", "như", "đối", "giữa", "qua",
    "bằng", "cùng", "gồm", "tháng", "năm",
}


def _runs_on(text: str) -> bool:
    """ "... của" or "... Báo Kiên" (a proper noun cut in two): the line cannot end there."""
    if ends_sentence(text):
        return False
    last = _last_word(text)
    return last.lower() in _DANGLING_WORDS or (last[:1].isupper() and not is_all_caps(text) and len(last) > 1)


def _could_not_fit(previous: str, current: str, width: float) -> bool:
    """In hard-wrapped text a line ends early only when the next word would not have fitted on it."""
    return width > 0 and len(previous) + 1 + len(_first_word(current)) > width * 0.92


def _opens_sentence(previous: str, current: str) -> bool:
    if ends_sentence(previous) or _last_word(previous) in _NAME_HEADS:
        return False  # "... Ban" + "Chỉ đạo ..." is a name running on
    return _OPENER.match(current) is not None


def _heading_candidate(head: SourceLine) -> bool:
    """A paragraph opened by "6." or "a)", in bold or in capitals may be a heading, which ends without a full stop."""
    marker = find_marker(head.text)
    return head.emphasised or is_all_caps(head.text) or (marker is not None and not marker.is_bullet)


def _continues(
    previous: SourceLine, current: SourceLine, gap: int, layout: Layout, head: SourceLine, lines_so_far: int
) -> bool:
    """Whether ``current`` continues the paragraph that ``previous`` belongs to.

    ``gap`` is the number of blank lines between them, ``head`` the paragraph's first line and ``lines_so_far`` how
    many lines the paragraph has.
    """
    a, b = previous.text, current.text
    if previous.md_heading or current.md_heading:
        return False
    if find_marker(b) is not None:
        return _marker_line_continues(previous, current, gap, layout, lines_so_far)
    if starts_lowercase(b):
        return not ends_sentence(a) or gap == 0 or layout.kind == WRAPPED
    if previous.emphasised != current.emphasised:
        return False  # a bold heading followed by plain text, or the reverse
    if is_all_caps(a):
        return is_all_caps(b) and not ends_sentence(a) and (gap == 0 or layout.kind == WRAPPED)
    if is_all_caps(b) or _starts_in_capitals(b):
        return False  # capitals after ordinary text start a heading, a genre line or a signature block
    if _ALWAYS_NEW.match(b):
        return False
    if a.rstrip(_TRAILING_CLOSERS).endswith(":") or _opens_sentence(a, b):
        return False
    if layout.kind == BLANK:
        if gap > 0:
            return False
        if previous.emphasised and current.emphasised:
            return True  # a bold heading or title printed over several lines
        if not _heading_like(previous, lines_so_far, bullets=False) or _runs_on(a):
            return True
        # "6. Sở Y tế" + "Chỉ đạo ..." without a blank line: a heading, unless the line was simply full.
        return not is_all_caps(a) and _could_not_fit(a, b, layout.width)
    if layout.kind == WRAPPED:
        # Body sentences end with a full stop or a semicolon; only headings and titles stop without one.
        if not ends_sentence(a) and (not _heading_candidate(head) or _runs_on(a)):
            return True
        return _could_not_fit(a, b, layout.width)
    return False


def _marker_line_continues(
    previous: SourceLine, current: SourceLine, gap: int, layout: Layout, lines_so_far: int
) -> bool:
    """A line that starts like a list item ("- ", "5. ") usually starts one; these are the exceptions."""
    a, b = previous.text, current.text
    if ends_sentence(a) or previous.md_heading or is_all_caps(a):
        return False
    if _dash_continues(a, b):
        return True
    if _last_word(a).lower() in _NUMBER_EXPECTING and b[:1].isdigit():
        return True  # "... dưới" + "5. tuổi" is impossible as a list, but "... số" + "5. " is a wrap
    if not b.startswith("-") or _heading_like(previous, lines_so_far, bullets=False):
        return False
    if a.rstrip(_TRAILING_CLOSERS).endswith((",", "…", "...")):
        return False  # "... tại cộng đồng,…" + "- Triển khai ...": a list goes on, not a compound name
    # "... Sở Lao động" + "- Thương binh và Xã hội": a compound name wrapped at its dash, when the line was full.
    if layout.kind == WRAPPED or (layout.kind == BLANK and gap == 0 and layout.width):
        return _could_not_fit(a, b, layout.width)
    if layout.kind == BLANK and gap == 0:
        return not _heading_like(previous, lines_so_far)  # width unknown: "- item" + "- item" stays a list
    return False


def _join(text: str, line: str) -> str:
    # "Chỉ thị số 28-" + "CT/TW": a document symbol split at its hyphen or slash takes no space.
    if len(text) >= 2 and text[-1] in "-/" and text[-2].isalnum() and line[:1].isalnum():
        return text + line
    return f"{text} {line}"


def build_paragraphs(lines: list[SourceLine], layout: Layout | None = None) -> list[Paragraph]:
    layout = layout or detect_layout(lines)
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    current_head: SourceLine = SourceLine(0, "")
    previous: SourceLine | None = None
    gap = 0
    for line in lines:
        if not line.text:
            gap += 1
            continue
        if (
            current is not None
            and previous is not None
            and _continues(previous, line, gap, layout, current_head, len(current.line_offsets))
        ):
            current.text = _join(current.text, line.text)
            current.line_offsets.append((len(current.text) - len(line.text), line.number))
        else:
            current = Paragraph(line.text, [(0, line.number)], line.emphasised, line.md_heading)
            current_head = line
            paragraphs.append(current)
        previous, gap = line, 0
    for paragraph in paragraphs:
        paragraph.marker = find_marker(paragraph.text)
    return paragraphs


def paragraphs_from_text(text: str) -> tuple[list[SourceLine], list[Paragraph], Layout]:
    lines = clean_lines(text)
    layout = detect_layout(lines)
    return lines, build_paragraphs(lines, layout), layout
