"""Planner: a Table -> an ImportPlan. Every row is checked (quality.rows.validate_row), matched against the commune's
register (personal ID first, else folded name + birth date) and given an action: create / update / unchanged /
reject, with every error and warning phrased with the spreadsheet's row number and column. Planning never writes."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.formats import format_date
from treem.core.text import fold
from treem.geo.models import Unit

from ..models import Child, ChildCarer, ChildStatus, YesNoUnknown
from ..parallel import validate_rows
from ..quality import columns as cols
from ..quality.rows import validate_row
from ..quality.tabular import Table
from ..services import IGNORED_FINDINGS
from .common import (
    _CLOSED,
    _FLAGGED,
    _LIMITS,
    _NO_WORDS,
    ACTIONS,
    CHUNK,
    CREATE,
    IMPORTED_FIELDS,
    REJECT,
    UNCHANGED,
    UPDATE,
    MappingNeeded,
    _gc_paused,
    parallel_above_rows,
    parallel_processes,
)
from .reader import formula_cells


@dataclass
class RowPlan:
    row: int
    action: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    child_id: uuid.UUID | None = None
    changes: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # child fields to write
    carer: dict | None = None  # {"full_name", "phone", "carer_id" (existing), "phone_only"}
    folded: str = ""
    version: int = 0  # of the matched record when the plan was made
    flags: list[str] | None = None  # data-quality flags of the new values, from the row check
    child_name: str = ""  # of the matched record (always one of the importing commune's children)

    def as_json(self) -> dict:
        """The row for the command line's --json: "changes" is {field: [old, new]} (empty unless an update) and
        "child" the name on the register of the matched child (null when none was matched)."""
        return {"row": self.row, "action": self.action, "errors": self.errors, "warnings": self.warnings,
                "child": self.child_name or None, "changes": self.changes if self.action == UPDATE else {}}


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    headers: list[str]
    mapping: dict[int, str]
    unknown: list[str]
    sheet: str | None
    sheet_names: list[str]
    file_format: str
    file_warnings: list[str] = field(default_factory=list)  # about the file as a whole (a column it lacks)

    def summary(self) -> dict:
        """Counts per action, "total", "warnings" (rows with a warning) and, when there are some, "file_warnings"."""
        counts = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            counts[row.action] += 1
        summary = {**counts, "total": len(self.rows), "warnings": sum(1 for r in self.rows if r.warnings)}
        if self.file_warnings:
            summary["file_warnings"] = self.file_warnings
        return summary

    def report(self) -> list:
        """Compact per-row report kept with the batch: [row, action, errors, warnings], and for an update row a fifth
        item {"child": name on the register, "changes": {field: [old, new]}}. Read it with report_rows."""
        return [[r.row, r.action, r.errors, r.warnings, {"child": r.child_name, "changes": r.changes}]
                if r.action == UPDATE else [r.row, r.action, r.errors, r.warnings] for r in self.rows]


def _disability(text: str | None) -> str | None:
    if not text:
        return None
    return YesNoUnknown.NO if fold(text) in _NO_WORDS else YesNoUnknown.YES


def _values_from_row(data: dict, mapped: set[str]) -> tuple[dict, list[str]]:
    """Child field values from a validated row (only the columns the file has, and only non-empty cells)."""
    values, notes = {}, []
    for name in IMPORTED_FIELDS:
        if name not in mapped and name not in ("full_name", "sex", "birth_date"):
            continue
        value = data.get(name)
        if name == "birth_registered":
            value = None if value is None else (YesNoUnknown.YES if value else YesNoUnknown.NO)
        elif name == "disability":
            value = _disability(value)
        elif name == "personal_id" and value and len(value) > 12:
            notes.append(_("the personal identification number '%(id)s' is longer than 12 characters and was not "
                           "saved") % {"id": value})
            value = None
        if value in (None, ""):
            continue
        if name in _LIMITS and isinstance(value, str) and len(value) > _LIMITS[name]:
            notes.append(_("'%(field)s' was cut to %(n)s characters") % {"field": cols.FIELD_LABELS.get(name, name),
                                                                         "n": _LIMITS[name]})
            value = value[:_LIMITS[name]]
        values[name] = value
    return values, notes


def _diacritics(text: str) -> int:
    return sum(1 for ch in text if ord(ch) > 127)


def _differences(values: dict, existing: dict) -> dict:
    """{field: [old, new]} for the fields the row would change. A name or ethnic group typed without diacritics
    never replaces the same one written with them."""
    diff = {}
    for name, new in values.items():
        old = existing.get(name)
        if old in ("", None) and new in ("", None):
            continue
        same_letters = name in ("full_name", "ethnicity") and old and fold(old) == fold(new)
        if same_letters and _diacritics(new) <= _diacritics(old):
            continue
        if name == "birth_registered" and new == YesNoUnknown.UNKNOWN:
            continue
        if old != new:
            diff[name] = [old.isoformat() if isinstance(old, date) else old,
                          new.isoformat() if isinstance(new, date) else new]
    return diff


_EXISTING_FIELDS = ("id", "full_name", "name_folded", "sex", "birth_date", "personal_id", "status", "version",
                    *[f for f in IMPORTED_FIELDS if f not in ("full_name", "sex", "birth_date", "personal_id")])


def _existing(commune: Unit) -> tuple[dict, dict, dict]:
    """The commune's register: by personal ID, by (folded name, birth date), by id."""
    qs = Child.objects.filter(commune=commune).exclude(status__in=_CLOSED)
    by_id, by_pid, by_name = {}, {}, {}
    for row in qs.values(*_EXISTING_FIELDS).iterator(chunk_size=5000):
        by_id[row["id"]] = row
        if row["personal_id"]:
            by_pid.setdefault(row["personal_id"], row)
        by_name.setdefault((row["name_folded"], row["birth_date"]), row)
    return by_id, by_pid, by_name


def _elsewhere(personal_ids: list[str], commune: Unit) -> dict[str, dict]:
    """Personal IDs of the file already carried by a child of another commune."""
    found = {}
    if personal_ids and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT personal_id, status, moved_to_id FROM registry_child WHERE personal_id = ANY(%s) "
                "AND commune_id <> %s AND status <> ALL(%s)", [personal_ids, commune.pk, list(_CLOSED)])
            for pid, status, moved_to_id in cursor.fetchall():
                found.setdefault(pid, {"personal_id": pid, "status": status, "moved_to_id": moved_to_id})
        return found
    for start in range(0, len(personal_ids), CHUNK):
        chunk = personal_ids[start:start + CHUNK]
        for row in (Child.objects.filter(personal_id__in=chunk).exclude(commune=commune).exclude(status__in=_CLOSED)
                    .values("personal_id", "status", "moved_to_id")):
            found.setdefault(row["personal_id"], row)
    return found


def _carers_of(child_ids: list) -> dict:
    """{child id: [(carer id, folded name, phone)]}"""
    out: dict = {}
    for start in range(0, len(child_ids), CHUNK):
        links = ChildCarer.objects.filter(child_id__in=child_ids[start:start + CHUNK]).values_list(
            "child_id", "carer_id", "carer__name_folded", "carer__phone")
        for child_id, carer_id, name, phone in links:
            out.setdefault(child_id, []).append((carer_id, name, phone))
    return out


def _status_label(status: str) -> str:
    return str(ChildStatus(status).label)


@_gc_paused
def plan_import(table: Table, commune: Unit, *, overrides: dict | None = None, content: bytes | None = None,
                today: date | None = None, progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """Decide what each row would do. Reads the database, never writes to it."""
    today = today or timezone.localdate()
    mapping, unknown = cols.map_headers(table.headers, overrides)
    missing = cols.missing_required(mapping)
    if missing:
        raise MappingNeeded(table.headers, unknown, missing)
    file = _FileColumns(table, mapping, _formula_columns(content, table, mapping))
    file_warnings = [_("The file has no “%(column)s” column: this is not imported for any child.")
                     % {"column": cols.FIELD_LABELS[name]} for name in cols.absent_checked_fields(mapping)]
    _by_id, by_pid, by_name = _existing(commune)
    validated = _validate(table, mapping, today, progress)
    file_ids = sorted({r.data["personal_id"] for _row, r in validated
                       if r.ok and r.data.get("personal_id") and r.data["personal_id"] not in by_pid})
    matcher = _Matcher(commune, by_pid, by_name, _elsewhere(file_ids, commune))
    plans = [matcher.plan_row(row, result, file) for row, result in validated]
    _carer_changes(plans, _carers_of(matcher.matched_ids))
    if progress:
        progress(len(table.rows), len(table.rows))
    return ImportPlan(rows=plans, headers=table.headers, mapping=mapping, unknown=unknown, sheet=table.sheet_name,
                      sheet_names=table.sheet_names, file_format=table.file_format, file_warnings=file_warnings)


@dataclass
class _FileColumns:
    """What every row's plan needs to know of the file: its headers, the column mapping and the formula cells."""

    table: Table
    mapping: dict[int, str]
    formulas: dict[int, list[int]]  # row number: mapped columns holding a formula

    @property
    def mapped(self) -> set[str]:
        return set(self.mapping.values())


def _formula_columns(content: bytes | None, table: Table, mapping: dict[int, str]) -> dict[int, list[int]]:
    formulas: dict[int, list[int]] = {}
    if content and table.file_format in ("xlsx", "ods"):
        for number, column in sorted(formula_cells(content, table)):
            if column in mapping:
                formulas.setdefault(number, []).append(column)
    return formulas


def _validate(table: Table, mapping: dict[int, str], today: date,
              progress: Callable[[int, int], None] | None) -> list[tuple]:
    """(row, checked row) for every row: in several processes for a large file (parallel.validate_rows)."""
    headers = table.column_headers(mapping)
    total = len(table.rows)
    processes = parallel_processes()
    if processes > 1 and total >= parallel_above_rows():
        records = list(table.records(mapping))
        results = validate_rows([(row.number, raw) for row, raw in records], today, headers, processes)
        if progress:
            progress(total, total)
        return [(row, result) for (row, _raw), result in zip(records, results, strict=True)]
    validated = []
    for index, (row, raw) in enumerate(table.records(mapping), start=1):
        validated.append((row, validate_row(raw, today, row.number, headers)))
        if progress and index % 2000 == 0:
            progress(index, total)
    return validated


def _checked_row(row, result, file: _FileColumns) -> RowPlan:
    """The row's plan with the check's errors and warnings; a formula cell is reported as such, not also as the empty
    value it shows ("missing name")."""
    columns = file.formulas.get(row.number, ())
    formula_fields = {file.mapping[column] for column in columns}
    if formula_fields & set(cols.MARK_FIELDS):
        formula_fields |= {cols.SEX, cols.BIRTH_DATE}
    plan = RowPlan(row=row.number, action=REJECT,
                   errors=[i.message for i in result.errors if i.field not in formula_fields],
                   warnings=[i.message for i in result.warnings if i.field not in formula_fields])
    for column in columns:
        plan.errors.append(_("Row %(row)s, column '%(column)s': the cell holds a formula; copy the column and paste it "
                             "back as values only (Paste Values).")
                           % {"row": row.number, "column": file.table.headers[column]})
    return plan


def _row_flags(result, mapped: set[str], pid: str) -> list[str] | None:
    """The findings of the check are about the saved value; without an ID column (None), write_plan finds them."""
    if cols.PERSONAL_ID not in mapped or pid != (result.data.get("personal_id") or ""):
        return None
    return [i.code for i in result.warnings if i.code in _FLAGGED or (
        i.code.startswith("id_") and i.code not in IGNORED_FINDINGS and i.field == cols.PERSONAL_ID)]


def _carer_of(data: dict) -> dict | None:
    name = data.get("carer_name")
    return {"full_name": name, "phone": data.get("carer_phone") or ""} if name else None


class _Matcher:
    """Matches the rows of one file, in order, against each other (one number, one child; one child, one row) and
    against the commune's register."""

    def __init__(self, commune: Unit, by_pid: dict, by_name: dict, elsewhere: dict):
        self.commune, self.by_pid, self.by_name, self.elsewhere = commune, by_pid, by_name, elsewhere
        self.seen_pid: dict[str, tuple[int, str, date]] = {}
        self.seen_name: dict[tuple[str, date], int] = {}
        self.seen_child: dict = {}
        self.matched_ids: list = []

    def plan_row(self, row, result, file: _FileColumns) -> RowPlan:
        plan = _checked_row(row, result, file)
        if plan.errors:
            return plan
        values, notes = _values_from_row(result.data, file.mapped)
        plan.warnings += [_("Row %(row)s: %(note)s.") % {"row": row.number, "note": n} for n in notes]
        pid = values.get("personal_id") or ""
        name_key = (fold(values["full_name"]), values["birth_date"])
        plan.folded = name_key[0]
        plan.flags = _row_flags(result, file.mapped, pid)
        existing, error = None, self._repeated(row.number, pid, name_key)
        if error is None:
            existing, error = self._on_register(row.number, pid, name_key, values)
        if error is not None:
            plan.errors.append(error)
            return plan
        if pid:
            self.seen_pid[pid] = (row.number, name_key[0], name_key[1])
        self.seen_name[name_key] = row.number
        if existing is None:
            plan.action, plan.values, plan.carer = CREATE, values, _carer_of(result.data)
        else:
            self._matched(plan, existing, values, _carer_of(result.data))
        return plan

    def _repeated(self, number: int, pid: str, name_key: tuple) -> str | None:
        """Inside the file: one number, one child; one child, one row."""
        if pid and pid in self.seen_pid:
            other_row, other_name, other_birth = self.seen_pid[pid]
            if (other_name, other_birth) == name_key:
                return (_("Row %(row)s repeats row %(other)s (same child); only row %(other)s is used.")
                        % {"row": number, "other": other_row})
            return (_("Row %(row)s: the personal identification number %(id)s is also on row %(other)s, for another "
                      "child. One number belongs to one child: check both rows.")
                    % {"row": number, "id": pid, "other": other_row})
        if name_key in self.seen_name:
            return (_("Row %(row)s repeats row %(other)s (same name and date of birth); only row %(other)s is used.")
                    % {"row": number, "other": self.seen_name[name_key]})
        return None

    def _on_register(self, number: int, pid: str, name_key: tuple, values: dict) -> tuple[dict | None, str | None]:
        """(the register's record the row updates, or None; the error that rejects the row, or None)."""
        existing = None
        if pid and pid in self.by_pid:
            existing = self.by_pid[pid]
            if (fold(existing["full_name"]), existing["birth_date"]) != name_key:
                return None, _another_child(number, pid, existing, values)
        elif pid and pid in self.elsewhere:
            return None, self._elsewhere_error(number, pid)
        elif name_key in self.by_name:
            candidate = self.by_name[name_key]
            if pid and candidate["personal_id"] and candidate["personal_id"] != pid:
                return None, (_("Row %(row)s: a child with the same name and date of birth is on the register with "
                                "another personal identification number (%(id)s). Check which number is right.")
                              % {"row": number, "id": candidate["personal_id"]})
            existing = candidate
        if existing is None:
            return None, None
        return existing, self._unusable(number, existing)

    def _elsewhere_error(self, number: int, pid: str) -> str:
        other = self.elsewhere[pid]
        if other["status"] == ChildStatus.MOVED and other["moved_to_id"] == self.commune.pk:
            return (_("Row %(row)s: this child is moving in from another commune. Accept her in 'Incoming children' "
                      "first, then import again.") % {"row": number})
        return (_("Row %(row)s: the personal identification number %(id)s belongs to a child on another commune's "
                  "register. If the child moved here, that commune records the move and you accept it.")
                % {"row": number, "id": pid})

    def _unusable(self, number: int, existing: dict) -> str | None:
        if existing["id"] in self.seen_child:
            return (_("Row %(row)s and row %(other)s are the same child of the register.")
                    % {"row": number, "other": self.seen_child[existing["id"]]})
        if existing["status"] != ChildStatus.ACTIVE:
            return (_("Row %(row)s: the child is on the register as '%(status)s'; change the record on its page, not "
                      "by import.") % {"row": number, "status": _status_label(existing["status"])})
        return None

    def _matched(self, plan: RowPlan, existing: dict, values: dict, carer: dict | None) -> None:
        self.seen_child[existing["id"]] = plan.row
        plan.child_id, plan.values, plan.carer, plan.version = existing["id"], values, carer, existing["version"]
        plan.child_name = existing["full_name"]
        plan.changes = _differences(values, existing)
        if "full_name" in plan.changes:  # the same letters (the match says so): accents added or corrected
            plan.warnings.append(_("Row %(row)s: the name on the register, “%(old)s”, will be corrected to “%(new)s” "
                                   "(the same name, with its accents).")
                                 % {"row": plan.row, "old": existing["full_name"], "new": values["full_name"]})
        self.matched_ids.append(existing["id"])


def _carer_changes(plans: list[RowPlan], carers: dict) -> None:
    """A matched row's carer: new to the child, a new phone number for a known carer, or nothing to change; then the
    row is an update if anything changes, else unchanged."""
    for plan in plans:
        if plan.child_id is None or plan.errors:
            continue
        if plan.carer:
            known = {name: (carer_id, phone) for carer_id, name, phone in carers.get(plan.child_id, [])}
            folded = fold(plan.carer["full_name"])
            if folded not in known:
                plan.changes["carer"] = [None, plan.carer["full_name"]]
            elif plan.carer["phone"] and plan.carer["phone"] != known[folded][1]:
                plan.carer["carer_id"] = known[folded][0]
                plan.changes["carer_phone"] = [known[folded][1], plan.carer["phone"]]
            else:
                plan.carer = None
        plan.action = UPDATE if plan.changes else UNCHANGED


def _another_child(row: int, pid: str, existing: dict, values: dict) -> str:
    """The error of a row whose personal ID the register has for a child with another name or birth date.

    Only the importing commune's children are matched (_existing), so naming the child reveals nothing the importer
    may not see; a number found in another commune's register is reported without any name (_elsewhere)."""
    other_name = fold(existing["full_name"]) != fold(values["full_name"])
    other_birth = existing["birth_date"] != values["birth_date"]
    what = (_("full name and date of birth") if other_name and other_birth
            else _("full name") if other_name else _("date of birth"))

    def facts(name: str, born: date) -> str:
        return ", ".join([name] * other_name + [format_date(born)] * other_birth)

    return (_("Row %(row)s: the personal identification number %(id)s is recorded for another child (%(what)s do not "
              "match: the register has %(register)s, the file %(file)s). Check which child the number belongs to.")
            % {"row": row, "id": pid, "what": what, "register": facts(existing["full_name"], existing["birth_date"]),
               "file": facts(values["full_name"], values["birth_date"])})

