"""Linkage with the national population database (Cơ sở dữ liệu quốc gia về dân cư).

The real service is not reachable from here, so the register talks to it through an adapter: `PopulationRegistry`
(look records up by personal ID; give candidate records for probabilistic matching). `CsvPopulationRegistry` reads an
extract as the commune police or the province receive it: a CSV (or XLSX) with the columns

    personal_id, full_name, birth_date, sex, ethnicity, commune_code (permanent address), father_name, mother_name

(Vietnamese headers such as "Số định danh cá nhân", "Họ và tên", "Mã xã thường trú", "Họ tên cha", "Họ tên mẹ" are
accepted too; "parent_names" may hold both parents separated by ";").

A linkage run matches each child on a commune's register by personal ID and, failing that, with the Splink model of
dedupe.link, and turns every difference into a proposed correction (ID to fill, name spelling, birth date, sex,
missing ethnic group) that a person accepts or rejects one by one. A rejected value is never proposed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from treem.core.formats import format_number
from treem.registry.models import Child

from .dates import format_date, parse_date
from .dedupe import DEFAULT_THRESHOLD, link
from .duplicates import match_record, register_records
from .ethnicity import find_ethnic_group
from .models import Correction, CorrectionMethod, CorrectionStatus, LinkageRun, RunStatus
from .personal_id import normalize_personal_id
from .sex import LABELS, parse_sex
from .tabular import TableError, read_table
from .text import clean_text, fold, normalize_name

# Fields a run may propose to correct, in the order they are shown.
FIELDS = ("personal_id", "full_name", "birth_date", "sex", "ethnicity")
FIELD_LABELS = {
    "personal_id": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
}


@dataclass(frozen=True)
class PopulationRecord:
    personal_id: str
    full_name: str
    birth_date: date | None
    sex: str | None
    ethnicity: str = ""
    commune_code: str = ""
    father_name: str = ""
    mother_name: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data


@runtime_checkable
class PopulationRegistry(Protocol):
    """What the register needs from the national population database. The adapter in use is the class named by the
    setting TREEM_POPULATION_REGISTRY (registry_for)."""

    @classmethod
    def for_run(cls, run: LinkageRun) -> PopulationRegistry:
        """The registry to compare a linkage run with (the file adapter reads the extract uploaded with the run)."""

    def lookup_by_id(self, ids: Iterable[str]) -> dict[str, PopulationRecord]:
        """The records carrying these personal IDs (IDs not found are absent)."""

    def candidates(self, records: Sequence[dict]) -> list[PopulationRecord]:
        """Records that may be these children (same commune, birth date, or name and birth year)."""


_HEADERS = {
    "personal_id": ["personal_id", "so dinh danh ca nhan", "so dinh danh", "ma dinh danh", "so ddcn", "cccd"],
    "full_name": ["full_name", "ho va ten", "ho ten"],
    "birth_date": ["birth_date", "ngay sinh", "ngay thang nam sinh"],
    "sex": ["sex", "gioi tinh"],
    "ethnicity": ["ethnicity", "dan toc"],
    "commune_code": ["commune_code", "permanent_commune_code", "ma xa thuong tru", "ma xa", "noi thuong tru ma xa"],
    "father_name": ["father_name", "ho ten cha", "ho va ten cha", "cha"],
    "mother_name": ["mother_name", "ho ten me", "ho va ten me", "me"],
    "parent_names": ["parent_names", "parents", "ho ten cha me", "cha me"],
}
_HEADER_INDEX = {key: field for field, keys in _HEADERS.items() for key in keys}


def _header_key(header: object) -> str:
    return " ".join(fold(str(header or "")).replace("/", " ").replace(",", " ").split())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


class CsvPopulationRegistry:
    """A file extract of population records, held in memory (a commune's or a province's worth)."""

    def __init__(self, records: Iterable[PopulationRecord]):
        self.records = list(records)
        self.by_id = {r.personal_id: r for r in self.records if r.personal_id}

    @staticmethod
    def _header_row(grid: list[list]) -> int:
        """The first row (of the first 30) naming at least three extract columns."""
        for index, row in enumerate(grid[:30]):
            if sum(1 for cell in row if _header_key(cell) in _HEADER_INDEX) >= 3:
                return index
        return -1

    @classmethod
    def from_file(cls, path_or_bytes, filename: str = "extract.csv") -> CsvPopulationRegistry:
        table = read_table(path_or_bytes, filename, find_header=cls._header_row)
        mapping = {}
        for index, header in enumerate(table.headers):
            field = _HEADER_INDEX.get(_header_key(header))
            if field and field not in mapping.values():
                mapping[index] = field
        missing = [f for f in ("personal_id", "full_name", "birth_date") if f not in mapping.values()]
        if missing:
            raise TableError(f"Tệp '{filename}' thiếu cột: {', '.join(missing)} (xem hướng dẫn định dạng tệp trích "
                             "xuất dân cư).")
        return cls(cls._record(raw) for _row, raw in table.records(mapping))

    @staticmethod
    def _record(raw: dict) -> PopulationRecord:
        try:
            born = parse_date(raw.get("birth_date")) if raw.get("birth_date") not in (None, "") else None
        except ValueError:
            born = None
        father, mother = _text(raw.get("father_name")), _text(raw.get("mother_name"))
        if raw.get("parent_names") and not (father or mother):
            parts = [clean_text(p) for p in str(raw["parent_names"]).split(";")]
            father, mother = ([*parts, "", ""])[:2]
        ethnic = find_ethnic_group(raw.get("ethnicity"))
        return PopulationRecord(
            personal_id=normalize_personal_id(raw.get("personal_id"))[0],
            full_name=normalize_name(raw.get("full_name")),
            birth_date=born,
            sex=parse_sex(raw.get("sex")),
            ethnicity=ethnic.name if ethnic else _text(raw.get("ethnicity")),
            commune_code=_text(raw.get("commune_code")),
            father_name=normalize_name(father),
            mother_name=normalize_name(mother),
        )

    @classmethod
    def for_run(cls, run: LinkageRun) -> CsvPopulationRegistry:
        return cls.from_file(bytes(run.content), run.filename)

    def lookup_by_id(self, ids: Iterable[str]) -> dict[str, PopulationRecord]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    def candidates(self, records: Sequence[dict]) -> list[PopulationRecord]:
        communes = {str(r.get("commune_code") or "") for r in records} - {""}
        born = {r["birth_date"] for r in records if isinstance(r.get("birth_date"), date)}
        name_year = {(fold(r.get("full_name")).split()[-1], r["birth_date"].year) for r in records
                     if isinstance(r.get("birth_date"), date) and fold(r.get("full_name"))}
        out = []
        for p in self.records:
            if p.commune_code in communes or p.birth_date in born or (
                    p.birth_date and p.full_name and (fold(p.full_name).split()[-1], p.birth_date.year) in name_year):
                out.append(p)
        return out


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Proposal:
    child_id: object
    field: str
    current_value: str
    proposed_value: str
    method: str
    probability: float | None
    explanation: str
    population: PopulationRecord


def field_text(field: str, value) -> str:
    """A fact as stored in a correction: dates ISO, sex M/F, text as is."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display(field: str, value: str) -> str:
    """A stored fact as a person reads it."""
    if not value:
        return "—"
    if field == "birth_date":
        return format_date(date.fromisoformat(value))
    if field == "sex":
        return LABELS.get(value, value)
    return value


def _usable_id(child: dict) -> str | None:
    text = normalize_personal_id(child.get("personal_id"))[0]
    return text if len(text) == 12 and text.isdigit() else None


def _differences(child: dict, person: PopulationRecord, method: str, probability: float | None,
                 explanation: str) -> list[Proposal]:
    current = {
        "personal_id": normalize_personal_id(child.get("personal_id"))[0],
        "full_name": child.get("full_name") or "",
        "birth_date": field_text("birth_date", child.get("birth_date")),
        "sex": child.get("sex") or "",
        "ethnicity": child.get("ethnicity") or "",
    }
    proposed = {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "birth_date": field_text("birth_date", person.birth_date),
        "sex": person.sex or "",
        "ethnicity": person.ethnicity,
    }
    out = []
    for field in FIELDS:
        new, old = proposed[field], current[field]
        if not new or new == old:
            continue
        if field == "ethnicity" and old:
            continue  # only a missing ethnic group is filled in from the population database
        if field == "personal_id" and not (len(new) == 12 and new.isdigit()):
            continue  # a malformed number in the extract is no correction
        out.append(Proposal(child["id"], field, old, new, method, probability, explanation, person))
    return out


def _population_variants(people: Sequence[PopulationRecord]) -> list[dict]:
    """Matcher records for population people: one per parent, since the register keeps one carer per child and it
    may be either parent (the best-scoring variant wins)."""
    out = []
    for index, p in enumerate(people):
        parents = [n for n in (p.mother_name, p.father_name) if n] or [""]
        for parent in dict.fromkeys(parents):
            out.append({"id": index, "full_name": p.full_name, "birth_date": p.birth_date, "sex": p.sex,
                        "personal_id": p.personal_id, "carer_name": parent, "village": "",
                        "commune_code": p.commune_code})
    return out


def match_children(children: Sequence[dict], registry: PopulationRegistry, *,
                   threshold: float = DEFAULT_THRESHOLD) -> tuple[list[Proposal], dict]:
    """Proposals for these children (matcher records with `ethnicity` added), and counts of how each was matched."""
    by_id = registry.lookup_by_id([i for c in children if (i := _usable_id(c))])
    proposals: list[Proposal] = []
    unmatched = []
    stats = {"children": len(children), "by_id": 0, "by_match": 0, "not_found": 0}
    for child in children:
        person = by_id.get(_usable_id(child) or "")
        if person is None:
            unmatched.append(child)
            continue
        stats["by_id"] += 1
        proposals += _differences(child, person, CorrectionMethod.BY_ID, None,
                                  "cùng số định danh cá nhân trong Cơ sở dữ liệu quốc gia về dân cư")
    if unmatched:
        people = registry.candidates(unmatched)
        left = [dict(c, personal_id=None) if not _usable_id(c) else c for c in unmatched]
        pairs = link(left, _population_variants(people), threshold=threshold) if people else []
        taken_children, taken_people = set(), set()
        for pair in pairs:  # most probable first: each child and each person matched once
            if pair.left_id in taken_children or pair.right_id in taken_people:
                continue
            taken_children.add(pair.left_id)
            taken_people.add(pair.right_id)
            child = next(c for c in unmatched if c["id"] == pair.left_id)
            proposals += _differences(child, people[pair.right_id], CorrectionMethod.BY_MATCH, pair.probability,
                                      pair.explanation)
        stats["by_match"] = len(taken_children)
        stats["not_found"] = len(unmatched) - len(taken_children)
    return proposals, stats


# ---------------------------------------------------------------- a run over a commune's register


def registry_class() -> type[PopulationRegistry]:
    """The adapter class named by the setting TREEM_POPULATION_REGISTRY (a dotted path; the file adapter by
    default)."""
    path = getattr(settings, "TREEM_POPULATION_REGISTRY", "") or f"{__name__}.CsvPopulationRegistry"
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"TREEM_POPULATION_REGISTRY = {path!r} cannot be imported: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, PopulationRegistry)):
        raise ImproperlyConfigured(
            f"TREEM_POPULATION_REGISTRY = {path!r} is not a population registry adapter: it must be a class with "
            "the methods of treem.registry.quality.linkage.PopulationRegistry (for_run, lookup_by_id, candidates).")
    return cls


def registry_for(run: LinkageRun) -> PopulationRegistry:
    return registry_class().for_run(run)


def run_linkage(run: LinkageRun, *, registry: PopulationRegistry | None = None,
                progress: Callable[[int, str], None] | None = None) -> dict:
    """Match the commune's register against the extract and store the proposed corrections."""
    step = progress or (lambda _done, _message: None)
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    try:
        step(0, _("Reading the population extract"))
        registry = registry or registry_for(run)
        step(1, _("Reading the commune's child register"))
        records, _units = register_records([run.commune])
        step(2, _("Matching %(n)s children") % {"n": format_number(len(records), 0)})
        proposals, stats = match_children(records, registry)
        step(3, _("Saving %(n)s proposed corrections") % {"n": format_number(len(proposals), 0)})
        stats.update(store_proposals(run, proposals))
    except (TableError, ImproperlyConfigured) as exc:
        LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc))
        raise
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, summary=stats)
    run.status, run.summary = RunStatus.DONE, stats
    return stats


@transaction.atomic
def store_proposals(run: LinkageRun, proposals: Sequence[Proposal]) -> dict:
    children = Child.objects.in_bulk([p.child_id for p in proposals])
    rejected = set(Correction.objects.filter(child__in=list(children), status=CorrectionStatus.REJECTED)
                   .values_list("child_id", "field", "proposed_value"))
    open_ = {(c.child_id, c.field): c for c in Correction.objects.filter(child__in=list(children),
                                                                          status=CorrectionStatus.PROPOSED)}
    created, remembered, obsolete, still_waiting = [], 0, [], []
    for p in proposals:
        if (p.child_id, p.field, p.proposed_value) in rejected:
            remembered += 1
            continue
        previous = open_.get((p.child_id, p.field))
        if previous is not None:
            if previous.proposed_value == p.proposed_value and previous.current_value == p.current_value:
                still_waiting.append(previous.pk)  # already waiting for a decision: shown with this run
                continue
            obsolete.append(previous.pk)
        child = children[p.child_id]
        created.append(Correction(
            run=run, child=child, commune_id=child.commune_id, province_id=child.province_id, field=p.field,
            current_value=p.current_value[:200], proposed_value=p.proposed_value[:200], method=p.method,
            probability=p.probability, explanation=p.explanation, population_record=p.population.as_json()))
    Correction.objects.filter(pk__in=obsolete).update(status=CorrectionStatus.OBSOLETE, decided_at=timezone.now())
    Correction.objects.filter(pk__in=still_waiting).update(run=run)
    Correction.objects.bulk_create(created, batch_size=1000)
    return {"proposed": len(created) + len(still_waiting), "new": len(created), "remembered_rejections": remembered}


def population_dir() -> Path:
    """Where extracts received from the population database are dropped (TREEM_POPULATION_DIR, default
    var/population/): one file per commune, its code in the name ("trich-xuat-dan-cu-03390.csv")."""
    return Path(getattr(settings, "TREEM_POPULATION_DIR", Path(settings.VAR_DIR) / "population"))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


__all__ = ["CsvPopulationRegistry", "PopulationRecord", "PopulationRegistry", "match_children", "match_record",
           "run_linkage"]
