"""The parser's result. ``ParsedPlan.to_json()`` is a public contract (``treem parse-plan FILE --json``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Lines = tuple[int, int]  # first and last 1-based line of the extracted text an item comes from


def _lines(lines: Lines | None) -> list[int] | None:
    return [lines[0], lines[1]] if lines else None


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


@dataclass
class DocumentInfo:
    type: str | None = None  # "Kế hoạch", "Chương trình", "Công văn", "Chỉ thị", "Quyết định", ...
    number: str | None = None  # number and symbol: "234/KH-UBND", "61-CTr/TU"
    date: dt.date | None = None
    place: str | None = None
    issuer: str | None = None
    title: str | None = None
    signer: str | None = None
    source_lines: dict[str, Lines] = field(default_factory=dict)  # field name -> where it was read

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "number": self.number,
            "date": _iso(self.date),
            "place": self.place,
            "issuer": self.issuer,
            "title": self.title,
            "signer": self.signer,
            "source_lines": {name: _lines(lines) for name, lines in self.source_lines.items()},
        }


@dataclass
class ImplementedDocument:
    number: str
    date: dt.date | None
    issuer: str | None
    source_lines: Lines

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": _iso(self.date),
            "issuer": self.issuer,
            "source_lines": _lines(self.source_lines),
        }


@dataclass
class Baseline:
    value: float
    year: int | None
    text: str
    source_lines: Lines

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "year": self.year, "text": self.text, "source_lines": _lines(self.source_lines)}


@dataclass
class Target:
    text: str
    value: float
    unit: str
    direction: str  # at_least | below | reduce_to | increase_to | equal
    year: int | None
    baseline: Baseline | None
    source_lines: Lines

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "direction": self.direction,
            "year": self.year,
            "baseline": self.baseline.to_json() if self.baseline else None,
            "source_lines": _lines(self.source_lines),
        }


@dataclass
class Task:
    agency: str
    role: str  # lead | coordinate
    text: str
    source_lines: Lines

    def to_json(self) -> dict[str, Any]:
        return {"agency": self.agency, "role": self.role, "text": self.text, "source_lines": _lines(self.source_lines)}


@dataclass
class Deadline:
    text: str
    month: int
    day: int | None
    year: int | None
    recurrence: str | None  # yearly | once | None
    source_lines: Lines

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "month": self.month,
            "day": self.day,
            "year": self.year,
            "recurrence": self.recurrence,
            "source_lines": _lines(self.source_lines),
        }


@dataclass
class ParsedPlan:
    document: DocumentInfo = field(default_factory=DocumentInfo)
    implements: list[ImplementedDocument] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document.to_json(),
            "implements": [item.to_json() for item in self.implements],
            "targets": [item.to_json() for item in self.targets],
            "tasks": [item.to_json() for item in self.tasks],
            "deadlines": [item.to_json() for item in self.deadlines],
            "warnings": list(self.warnings),
        }
