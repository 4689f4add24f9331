"""``parse_plan_text``: from extracted text to a ``ParsedPlan``.

The steps, each in its own module:

1. normalize: clean every line (NFC, spaces, Markdown markup) and join wrapped lines into paragraphs that remember
   their source line numbers;
2. structure: split the file into documents (a dispatch and its attachment), find each one's header, body and
   tail (recipients, signature), and the heading every paragraph sits under;
3. header, citations, targets, tasks, deadlines: read each kind of item from the part of the outline it lives in.

Nothing is guessed: what is not found is left empty and said in ``warnings``.
"""

from __future__ import annotations

from .citations import find_implemented
from .deadlines import find_deadlines
from .errors import PlanParseError
from .header import document_warnings, read_document_info
from .models import ParsedPlan
from .normalize import paragraphs_from_text
from .structure import HEADER, PLAN_GENRES, Block, build_outline, genre_of_line
from .targets import find_targets
from .tasks import find_tasks


def _attachments(blocks: list[Block]) -> list[tuple[str, int]]:
    """Genre and first line of each document attached after the main one."""
    found = []
    for block in blocks:
        if block.part > 0 and block.zone == HEADER:
            genre = genre_of_line(block.text)
            if genre and not any(first == block.paragraph.first_line for _, first in found):
                found.append((genre, block.paragraph.first_line))
    return found


def parse_plan_text(text: str) -> ParsedPlan:
    """Read a plan from its text. Never raises on odd text; only a non-string is a ``PlanParseError``."""
    if not isinstance(text, str):
        raise PlanParseError("Nội dung văn bản không hợp lệ (không phải chuỗi ký tự).", "Text must be a str.")
    plan = ParsedPlan()
    _lines, paragraphs, _layout = paragraphs_from_text(text)
    if not paragraphs:
        plan.warnings.append("Văn bản không có nội dung.")
        return plan
    blocks = build_outline(paragraphs)
    plan.document = read_document_info(blocks)
    plan.warnings += document_warnings(plan.document)

    attachments = _attachments(blocks)
    for genre, first_line in attachments:
        plan.warnings.append(
            f"Văn bản có kèm theo {genre} (từ dòng {first_line}); chỉ tiêu, nhiệm vụ được đọc cả từ văn bản kèm theo."
        )
    roles = {role for block in blocks for role in block.roles}
    genres = {plan.document.type} | {genre for genre, _ in attachments}
    plan_like = bool(genres & PLAN_GENRES) or bool(roles & {"targets", "organisation"})
    if plan.document.type is None and not plan_like:
        plan.warnings.append(
            "Không phải văn bản kế hoạch, chương trình hay văn bản chỉ đạo: không có tiêu đề loại văn bản, "
            "không có mục Mục tiêu hay Tổ chức thực hiện; không trích xuất chỉ tiêu, nhiệm vụ, thời hạn."
        )
        return plan
    if not plan_like:
        plan.warnings.append(
            f"Văn bản là {plan.document.type}, không phải kế hoạch hay chương trình: "
            "chỉ đọc nhiệm vụ được giao trực tiếp và thời hạn."
        )

    plan.implements = find_implemented(blocks, plan.document.number)
    if not plan.implements:
        plan.warnings.append("Không tìm thấy văn bản mà văn bản này triển khai thực hiện (căn cứ, thực hiện ...).")

    plan.targets = find_targets(blocks, fallback=plan_like)
    if not plan.targets:
        plan.warnings.append(
            "Không tìm thấy chỉ tiêu định lượng nào (giá trị kèm đơn vị và hướng: đạt, trên, dưới, giảm còn ...)."
        )
    else:
        without_baseline = sum(target.baseline is None for target in plan.targets)
        if without_baseline:
            plan.warnings.append(
                f"Không tìm thấy số liệu nền (hiện trạng) cho {without_baseline}/{len(plan.targets)} chỉ tiêu."
            )

    plan.tasks, task_warnings = find_tasks(blocks)
    plan.warnings += task_warnings

    plan.deadlines = find_deadlines(blocks)
    if not plan.deadlines:
        plan.warnings.append("Không tìm thấy thời hạn báo cáo hay thực hiện nào (trước ngày ..., trong tháng ...).")
    return plan
