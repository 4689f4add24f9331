"""``python -m treem.plans.parser FILE [--json]``: parse a plan document and print what was found."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import PlanParseError, parse_plan_file
from .models import ParsedPlan


def _summary(plan: ParsedPlan) -> str:
    document = plan.document
    lines = [
        f"Loại văn bản: {document.type or '-'}",
        f"Số, ký hiệu: {document.number or '-'}",
        f"Ngày ban hành: {document.date.isoformat() if document.date else '-'}  Địa danh: {document.place or '-'}",
        f"Cơ quan ban hành: {document.issuer or '-'}",
        f"Trích yếu: {document.title or '-'}",
        f"Người ký: {document.signer or '-'}",
        f"Triển khai văn bản: {', '.join(item.number for item in plan.implements) or '-'}",
        f"Chỉ tiêu: {len(plan.targets)}",
    ]
    for target in plan.targets:
        baseline = f" (hiện trạng {target.baseline.value:g})" if target.baseline else ""
        unit = target.unit if target.unit == "%" else f" {target.unit}"
        lines.append(f"  - {target.text} -> {target.direction} {target.value:g}{unit}{baseline}")
    agencies = list(dict.fromkeys(task.agency for task in plan.tasks))
    lines.append(f"Nhiệm vụ: {len(plan.tasks)}, giao cho {len(agencies)} cơ quan")
    for agency in agencies:
        count = sum(task.agency == agency for task in plan.tasks)
        lines.append(f"  - {agency}: {count}")
    lines.append(f"Thời hạn: {len(plan.deadlines)}")
    for deadline in plan.deadlines:
        day = f"{deadline.day}/" if deadline.day else ""
        year = f"/{deadline.year}" if deadline.year else ""
        lines.append(f"  - {day}{deadline.month}{year} ({deadline.recurrence or 'không rõ'})")
    if plan.warnings:
        lines.append("Cảnh báo:")
        lines += [f"  - {warning}" for warning in plan.warnings]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m treem.plans.parser",
        description="Đọc văn bản kế hoạch (DOCX, PDF, TXT, Markdown): chỉ tiêu, nhiệm vụ, thời hạn.",
    )
    parser.add_argument("file", help="tệp văn bản cần đọc")
    parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    arguments = parser.parse_args(argv)
    try:
        plan = parse_plan_file(arguments.file)
    except PlanParseError as error:
        print(f"Lỗi: {error.message_vi}", file=sys.stderr)
        return 2
    output = json.dumps(plan.to_json(), ensure_ascii=False, indent=2) if arguments.json else _summary(plan)
    try:
        print(output)
    except BrokenPipeError:  # "... | head": the reader has gone, which is not an error
        sys.stdout = None  # type: ignore[assignment]
    return 0


if __name__ == "__main__":
    sys.exit(main())
