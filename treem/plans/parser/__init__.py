"""Plan-document parser: reads a Vietnamese plan (kế hoạch, chương trình, công văn ...) from DOCX, PDF, TXT or
Markdown and returns its identity, the documents it implements, its targets with baselines, the tasks per agency
and its deadlines, each with the source lines it came from.

    >>> from treem.plans.parser import parse_plan_file
    >>> plan = parse_plan_file("kehoach.pdf")          # doctest: +SKIP
    >>> plan.to_json()["targets"][0]["value"]          # doctest: +SKIP

Pure Python, no Django. ``python -m treem.plans.parser FILE --json`` prints the same JSON.
"""

from __future__ import annotations

from pathlib import Path

from .errors import PlanParseError
from .extract import extract_text
from .models import Baseline, Deadline, DocumentInfo, ImplementedDocument, ParsedPlan, Target, Task
from .parse import parse_plan_text

__all__ = [
    "Baseline",
    "Deadline",
    "DocumentInfo",
    "ImplementedDocument",
    "ParsedPlan",
    "PlanParseError",
    "Target",
    "Task",
    "extract_text",
    "parse_plan_file",
    "parse_plan_text",
]


def parse_plan_file(path: str | Path) -> ParsedPlan:
    """Extract the text of ``path`` (DOCX, PDF with a text layer, TXT, Markdown) and parse it."""
    path = Path(path)
    return parse_plan_text(extract_text(path, path.name))
