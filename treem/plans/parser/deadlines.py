"""Deadlines: "trước ngày 10/11 hằng năm", "trình UBND tỉnh trong tháng 11/2024", "chậm nhất ngày 15/12/2024"."""

from __future__ import annotations

import re

from .models import Deadline
from .structure import BODY, Block
from .text import fold_aligned

_DAY_MONTH = (
    r"(?P<d>\d{1,2})\s*(?:[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?"
    r"|\s+thang\s+(?P<m2>\d{1,2})(?:\s*(?:nam\s+|[/.\-]\s*)(?P<y2>\d{4}))?)"
)
_BEFORE_DAY = re.compile(
    r"(?<!\w)(?:truoc|cham nhat(?: la)?(?: vao)?|han chot(?: la)?|khong muon hon|den het|xong truoc)\s+(?:ngay\s+)?"
    + _DAY_MONTH
)
_IN_MONTH = re.compile(
    r"(?<!\w)(?:trong|truoc|cham nhat(?: la)?|den het|vao|xong trong)\s+thang\s+(?P<m>\d{1,2})"
    r"(?:\s*[/.\-]\s*(?P<y>\d{4})|\s+nam\s+(?P<y2>\d{4}))?(?![\d/])"
)
_YEARLY = re.compile(r"(?<!\w)(?:hang nam|moi nam|thuong nien|dinh ky nam)(?!\w)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split at a full stop followed by a capital letter (not inside "TP. Hồ Chí Minh"-like abbreviations)."""
    spans, start = [], 0
    for match in re.finditer(r"[.!?]\s+", text):
        following = text[match.end() : match.end() + 1]
        abbreviation = re.search(r"(?:^|\s)(?:TP|Tp|Q|P|TX|TT|KT|TM|TL|ThS|TS|PGS|GS)\.\s*$", text[: match.end()])
        if following.isupper() and not abbreviation:
            spans.append((start, match.end()))
            start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _int(*values: str | None) -> int | None:
    for value in values:
        if value:
            return int(value)
    return None


def _deadline_in(block: Block, folded: str, match: re.Match[str], day: int | None) -> Deadline | None:
    month = _int(match.group("m"), match.groupdict().get("m2"))
    year = _int(match.group("y"), match.groupdict().get("y2"))
    if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    start, end = next((s, e) for s, e in sentence_spans(block.text) if s <= match.start() < e)
    if year is not None:
        recurrence: str | None = "once"
    else:
        recurrence = "yearly" if _YEARLY.search(folded, start, end) else None
    text = block.text[start:end].strip().rstrip(".;").strip()
    return Deadline(text, month, day, year, recurrence, block.paragraph.lines_of(start, end))


def find_deadlines(blocks: list[Block]) -> list[Deadline]:
    found: list[Deadline] = []
    seen: set[tuple[int, int | None, int | None, str | None]] = set()
    for block in blocks:
        if block.zone != BODY:
            continue
        folded = fold_aligned(block.text)
        candidates = [(match, _int(match.group("d"))) for match in _BEFORE_DAY.finditer(folded)]
        candidates += [(match, None) for match in _IN_MONTH.finditer(folded)]
        for match, day in sorted(candidates, key=lambda item: item[0].start()):
            deadline = _deadline_in(block, folded, match, day)
            if deadline is None:
                continue
            key = (deadline.month, deadline.day, deadline.year, deadline.recurrence)
            if key not in seen:
                seen.add(key)
                found.append(deadline)
    return found
