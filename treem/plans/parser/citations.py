"""Documents this one implements: "Thực hiện Kế hoạch số 211-KH/TU ngày 25/4/2024 của Ban Thường vụ Tỉnh ủy ..."."""

from __future__ import annotations

import datetime as dt
import re

from .header import valid_date
from .models import ImplementedDocument
from .structure import BODY, HEADER, Block
from .text import fold

_CITED_GENRES = (
    "Thông tư liên tịch", "Nghị quyết liên tịch", "Chỉ thị", "Kế hoạch", "Chương trình", "Công văn", "Quyết định",
    "Nghị quyết", "Nghị định", "Thông tư", "Luật", "Kết luận", "Hướng dẫn", "Đề án", "Thông báo", "Công điện",
    "Quy định", "Thông tri", "Văn bản",
)
# Words that end the issuer in "... của Bộ Chính trị về tăng cường ...".
_ISSUER_END = r"về|thực hiện|triển khai|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi|tại|đối với|trong|nhằm|để|đáp ứng"
_CITATION = re.compile(
    # "Luật Trẻ em số 102/2016/QH13": a few words of name may stand between the genre and "số".
    r"(?<!\w)(?P<genre>" + "|".join(_CITED_GENRES) + r")(?:(?:\s+[^\s\d,;.()]+){1,5}?\s+số|\s+số|)\s*:?\s*"
    r"(?P<number>\d{1,6}[a-zA-Z]?(?:\s*[-/]\s*[0-9A-Za-zĐđ][0-9A-Za-zĐđ&.]*)+)"
    r"(?:\s*,?\s*(?:ban hành\s+)?ngày\s+(?P<date>\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:\s+của\s+(?P<issuer>[^;,.()\"“”]{2,120}?)(?=\s+(?:" + _ISSUER_END + r")\s|[;,.()\"“”]|$))?",
    re.IGNORECASE,
)
_NOT_A_BASIS = ("kem theo", "kinh gui")


def _parse_cited_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    numbers = re.findall(r"\d+", text)
    return valid_date(*numbers) if len(numbers) == 3 else None


def _basis_blocks(blocks: list[Block], part: int) -> list[Block]:
    """The preamble (before the first heading) first, then the title: the preamble states the basis in full."""
    preamble: list[Block] = []
    for block in blocks:
        if block.part != part or block.zone != BODY:
            continue
        if block.is_heading or block.headings:
            break
        if not fold(block.text).lstrip("(").startswith(_NOT_A_BASIS):
            preamble.append(block)
    title = [block for block in blocks if block.part == part and block.zone == HEADER]
    return preamble + title


def find_citations(block: Block) -> list[ImplementedDocument]:
    found = []
    for match in _CITATION.finditer(block.text):
        number = re.sub(r"\s+", "", match.group("number")).rstrip(".-/")
        if not re.search(r"[A-Za-zĐđ]", number):
            continue  # "Kế hoạch 2021 - 2030" is a period, not a document
        issuer = match.group("issuer")
        found.append(
            ImplementedDocument(
                number=number,
                date=_parse_cited_date(match.group("date")),
                issuer=" ".join(issuer.split()) if issuer else None,
                source_lines=block.paragraph.lines_of(match.start(), match.end()),
            )
        )
    return found


def find_implemented(blocks: list[Block], own_number: str | None) -> list[ImplementedDocument]:
    parts = sorted({block.part for block in blocks})
    for part in parts:  # the main document's basis; an attachment's only when the main one names none
        result: dict[str, ImplementedDocument] = {}
        for block in _basis_blocks(blocks, part):
            for cited in find_citations(block):
                key = fold(cited.number)
                if own_number and key == fold(own_number):
                    continue
                known = result.get(key)
                if known is None:
                    result[key] = cited
                else:
                    known.date = known.date or cited.date
                    known.issuer = known.issuer or cited.issuer
        if result:
            return list(result.values())
    return []
