"""Tasks per agency, read from the organisation section ("TỔ CHỨC THỰC HIỆN").

Two layouts occur, often in the same section:

* a heading naming the agency, then its tasks as dash bullets or paragraphs (seed 002):
  "1. Sở Lao động - Thương binh và Xã hội" / "- Chủ trì, phối hợp với ..." / "- Lồng ghép ...";
* a numbered paragraph that opens with the agency and goes on with the task (seed 001):
  "5. Ban Tuyên giáo Tỉnh uỷ chủ trì, hướng dẫn công tác phổ biến ...".

Outside that section only explicit assignments count: "Giao Sở Lao động - Thương binh và Xã hội chủ trì ...".
The heading agency leads, unless the task opens with "Phối hợp ..." (then it coordinates); agencies named after
"chủ trì, phối hợp với" get a coordinate task of their own, unless they are a group that names nobody
("các cơ quan có liên quan").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .agencies import (
    is_agency_start,
    is_generic_group,
    predicate_start,
    split_agencies,
    split_agency_and_predicate,
    strip_request_prefix,
)
from .models import Task
from .normalize import Paragraph, ends_sentence
from .structure import BODY, Block, section_roles
from .text import fold

_ASSIGNMENT = re.compile(r"^(?:Giao|Đề nghị|Yêu cầu)\s+", re.IGNORECASE)
_LEADS = re.compile(r"chủ\s+trì", re.IGNORECASE)
_COORDINATE_WITH = re.compile(r"phối hợp(?:\s+chặt chẽ)?\s+với\s+", re.IGNORECASE)
_MAX_HEADING_AGENCY = 160  # characters; a longer unpunctuated line is prose, not an agency name


@dataclass
class _Context:
    agencies: list[str] = field(default_factory=list)
    marker_kind: str | None = None


def _role(text: str) -> str:
    coordinates = fold(text[:40]).startswith(("phoi hop", "tham gia phoi hop"))
    return "coordinate" if coordinates and not _LEADS.search(text) else "lead"


def _coordinators(text: str) -> list[str]:
    """Named agencies after "chủ trì, phối hợp với": "... với các cơ quan có liên quan và UBND các huyện triển khai"."""
    if not _LEADS.search(text):
        return []
    match = _COORDINATE_WITH.search(text)
    if not match:
        return []
    phrase = re.split(r"[;.]", text[match.end() :], maxsplit=1)[0]
    end = predicate_start(phrase)
    names = split_agencies(phrase[:end] if end is not None else phrase)
    return [name for name in names if is_agency_start(name) and not is_generic_group(name)]


def _without_end_punctuation(text: str) -> str:
    """List items end in ";", "." or, the last one, "./." alike."""
    text = text.strip().rstrip(" ;,.")
    return text[:-2].rstrip(" ;,.") if text.endswith("./") else text


def _tasks_for(agencies: list[str], text: str, lines: tuple[int, int]) -> list[Task]:
    text = _without_end_punctuation(text)
    if not text:
        return []
    role = _role(text)
    tasks = [Task(agency, role, text, lines) for agency in agencies]
    if role == "lead":
        for coordinator in _coordinators(text):
            if coordinator not in agencies:
                tasks.append(Task(coordinator, "coordinate", text, lines))
    return tasks


def _is_section_heading(block: Block) -> bool:
    return block.is_heading and "organisation" in section_roles(block.paragraph)


def _agency_item(paragraph: Paragraph) -> tuple[list[str], str, int] | None:
    """For "13. Đề nghị Tỉnh đoàn" or "5. Ban Tuyên giáo Tỉnh uỷ chủ trì, ...": (agencies, task text, its offset)."""
    body = paragraph.body
    if not is_agency_start(body):
        return None
    agency, predicate = split_agency_and_predicate(strip_request_prefix(body))
    if agency:
        offset = len(paragraph.text) - len(predicate)
        return split_agencies(agency), predicate, offset
    heading = body.strip().rstrip(":")
    if len(heading) <= _MAX_HEADING_AGENCY and not ends_sentence(heading) and ". " not in heading:
        return split_agencies(heading), "", len(paragraph.text)
    return None


def _organisation_tasks(blocks: list[Block]) -> tuple[list[Task], bool]:
    tasks: list[Task] = []
    context = _Context()
    found_section = False
    for block in blocks:
        if block.zone != BODY or "organisation" not in block.roles:
            context = _Context()
            continue
        if _is_section_heading(block):
            found_section, context = True, _Context()
            continue
        found_section = True
        paragraph = block.paragraph
        marker = paragraph.marker
        if marker is not None and not marker.is_bullet:
            item = _agency_item(paragraph)
            if item is not None:
                agencies, text, offset = item
                context = _Context(agencies, marker.kind)
                tasks += _tasks_for(agencies, text, paragraph.lines_of(offset, len(paragraph.text)))
                continue
            if not context.agencies or marker.kind == context.marker_kind:
                context = _Context()  # a sibling heading that names no agency ends the previous agency's list
                continue
        if context.agencies:
            lines = paragraph.lines_of(paragraph.body_offset, len(paragraph.text))
            tasks += _tasks_for(context.agencies, paragraph.body, lines)
        else:
            tasks += _inline_assignment(paragraph)
    return tasks, found_section


def _inline_assignment(paragraph: Paragraph) -> list[Task]:
    """ "Giao Sở X chủ trì, ..." or an unnumbered "Sở X chủ trì, ..." paragraph."""
    body = _ASSIGNMENT.sub("", paragraph.body)
    agency, predicate = split_agency_and_predicate(body)
    if not agency:
        return []
    offset = len(paragraph.text) - len(predicate)
    return _tasks_for(split_agencies(agency), predicate, paragraph.lines_of(offset, len(paragraph.text)))


def find_tasks(blocks: list[Block]) -> tuple[list[Task], list[str]]:
    tasks, found_section = _organisation_tasks(blocks)
    warnings: list[str] = []
    for block in blocks:
        outside = block.zone == BODY and "organisation" not in block.roles and not block.is_heading
        if outside and _ASSIGNMENT.match(block.paragraph.body):
            tasks += _inline_assignment(block.paragraph)
    tasks.sort(key=lambda task: task.source_lines[0])
    if not found_section:
        warnings.append("Không tìm thấy mục Tổ chức thực hiện (phân công nhiệm vụ cho các cơ quan).")
    if not tasks:
        warnings.append("Không tìm thấy nhiệm vụ giao cho cơ quan, đơn vị cụ thể nào.")
    return tasks, warnings
