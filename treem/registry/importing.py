"""Importing a commune's spreadsheet into the child register.

Three steps, the same from the web, the background worker and the command line:

1. read: `read_file` turns XLSX/ODS/CSV bytes into a Table (quality.tabular), or an ImportProblem with a message a
   commune officer can act on (empty, password-protected, malformed, enormous, wrong sheet ...);
2. plan: `plan_import` checks every row (quality.rows.validate_row), matches it against the commune's register
   (personal ID first, else folded name + birth date) and decides create / update / unchanged / reject, with every
   error and warning phrased with the spreadsheet's row number and column. Planning never writes;
3. commit: `import_file(commit=True)` / `batch_commit` plan again inside one transaction holding the commune's lock
   (two imports of one commune take turns), then take the register's personal-ID lock for the writing only: if a
   number the plan gives a child was given to another one meanwhile (a save, or an import in another commune), the
   plan is made again under the lock (`_commit_plan`). Records to update are locked and their versions re-checked;
   the valid rows are written with bulk inserts, one audit event for the import and one per updated child.
   Re-importing the same file finds every row unchanged and writes nothing.
"""

import functools
import gc
import hashlib
import io
import logging
import os
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from xml.etree import ElementTree

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, require
from treem.accounts.models import User
from treem.audit.services import changes as audit_changes
from treem.audit.services import record, record_many
from treem.core import bulk
from treem.core.faults import checkpoint
from treem.core.formats import format_date, format_number
from treem.core.jobs import job_progress, job_start, usable_connection
from treem.core.text import fold
from treem.geo.models import Unit

from .models import (
    Carer,
    CarerRelation,
    Child,
    ChildCarer,
    ChildStatus,
    Household,
    ImportBatch,
    ImportStatus,
    Sex,
    YesNoUnknown,
)
from .parallel import validate_rows
from .quality import columns as cols
from .quality.ethnicity import find_ethnic_group
from .quality.export import write_rejected_rows, write_xlsx
from .quality.personal_id import check_personal_id
from .quality.rows import validate_row
from .quality.tabular import DEFAULT_MAX_ROWS, Table, TableError, read_table
from .services import IGNORED_FINDINGS, hold_personal_ids

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REJECT)
# The fields an import may set, from quality.rows' normalised data.
IMPORTED_FIELDS = ("full_name", "sex", "birth_date", "ethnicity", "personal_id", "birth_registered", "village",
                   "address", "school", "grade", "disability", "notes")
_LIMITS = {"full_name": 150, "ethnicity": 40, "village": 120, "address": 250, "school": 150, "grade": 20}
_NO_WORDS = {"khong", "no", "0", "chua", "false", "k"}
_CLOSED = (ChildStatus.MERGED, ChildStatus.IN_ERROR)
CHUNK = 5000
_FLAGGED = {"ethnicity_unknown"}

logger = logging.getLogger(__name__)


def max_bytes() -> int:
    return getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 25 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def parallel_processes() -> int:
    """Processes that check the rows of a large file (1: in the calling process). One CPU is left to the database:
    on two CPUs, starting a second process and sending it the rows costs about what it saves."""
    return getattr(settings, "REGISTRY_IMPORT_PROCESSES", max(1, min(4, (os.cpu_count() or 1) - 1)))


def parallel_above_rows() -> int:
    return getattr(settings, "REGISTRY_IMPORT_PARALLEL_ROWS", 20_000)


def background_above_bytes() -> int:
    """Files larger than this are checked and saved by a background job with a progress bar."""
    return getattr(settings, "REGISTRY_IMPORT_SYNC_BYTES", 300_000)


def _gc_paused(function):
    """Planning and writing a large file build hundreds of thousands of small objects without reference cycles; the
    cyclic garbage collector would walk them again and again (a tenth of the import's time) and free nothing.
    It is paused while they run (reference counting still frees everything) and resumed after."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


class ImportProblem(Exception):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


class AlreadySaved(ImportProblem):
    """The batch was saved already (by an earlier run of the same job, or by someone else)."""


class MappingNeeded(ImportProblem):
    def __init__(self, headers: list[str], unknown: list[str], missing: list[str]):
        self.headers, self.unknown, self.missing = headers, unknown, missing
        labels = ", ".join(cols.FIELD_LABELS[f] for f in missing)
        super().__init__(_("Some columns the register needs were not found (%(fields)s). Say which column holds "
                           "them.") % {"fields": labels} if missing else
                         _("Some column headers are not known. Say what they hold, or ignore them."))


# ---------------------------------------------------------------- reading


def read_file(content: bytes, filename: str, sheet: str | None = None) -> Table:
    if len(content) > max_bytes():
        raise ImportProblem(_("The file '%(name)s' is %(size)s MB; the limit is %(limit)s MB. Split it into smaller "
                              "files.") % {"name": filename, "size": _mb(len(content)), "limit": _mb(max_bytes())})
    try:
        return read_table(content, filename, sheet=sheet or None, max_rows=max_rows())
    except TableError as exc:
        raise ImportProblem(str(exc)) from exc


def _mb(size: int) -> str:
    return format_number(size / 1024 / 1024, 1)


_XLSX_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>(.*?)</(?:\w+:)?c>', re.DOTALL)
_XLSX_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1


def _xlsx_sheet_path(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    for match in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = match.group(1)
        name = re.search(rb'\bname="([^"]*)"', attrs)
        rid = re.search(rb'\br:id="([^"]*)"', attrs) or re.search(rb'\bid="([^"]*)"', attrs)
        if name and rid and _xml_unescape(name.group(1).decode()) == sheet:
            target = re.search(rb'<Relationship\b[^>]*\bId="' + re.escape(rid.group(1)) + rb'"[^>]*\bTarget="([^"]*)"',
                               rels) or re.search(rb'<Relationship\b[^>]*\bTarget="([^"]*)"[^>]*\bId="'
                                                  + re.escape(rid.group(1)) + rb'"', rels)
            if target:
                path = target.group(1).decode().lstrip("/")
                return path if path.startswith("xl/") else f"xl/{path}"
    return None


def _xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def formula_cells(content: bytes, table: Table) -> set[tuple[int, int]]:
    """(row number, column index) of the cells that hold a real formula in an XLSX or ODS sheet.

    quality.tabular reads a formula cell's cached value (often 0 or empty when the file was generated by a program)
    and only recognises formulas pasted as text, so formulas are found here from the sheet's XML. Best effort: a
    file that cannot be inspected simply has none."""
    found: set[tuple[int, int]] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if table.file_format == "xlsx" and table.sheet_name:
                path = _xlsx_sheet_path(archive, table.sheet_name)
                data = archive.read(path) if path else b""
                maybe = any(tag in data for tag in (b"<f>", b"<f ", b":f>", b":f "))  # fast, before the regex
                if maybe and _XLSX_FORMULA.search(data):
                    for m in _XLSX_CELL.finditer(data):
                        if _XLSX_FORMULA.search(m.group(3)):
                            found.add((int(m.group(2)), _column_index(m.group(1))))
            elif table.file_format == "ods" and table.sheet_name:
                data = archive.read("content.xml")
                if b"table:formula" in data:
                    found = _ods_formulas(data, table.sheet_name)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError):
        return found
    return found


def _ods_formulas(data: bytes, sheet: str) -> set[tuple[int, int]]:
    found = set()
    in_sheet, row = False, 0
    for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):  # noqa: S314
        tag = element.tag
        if tag == f"{_ODS}table":
            if event == "start":
                in_sheet, row = element.get(f"{_ODS}name") == sheet, 0
            elif in_sheet:
                break
            continue
        if not in_sheet or event != "end":
            continue
        if tag == f"{_ODS}table-row":
            column = 0
            for cell in element:
                if cell.tag not in (f"{_ODS}table-cell", f"{_ODS}covered-table-cell"):
                    continue
                repeat = int(cell.get(f"{_ODS}number-columns-repeated", "1"))
                if cell.get(f"{_ODS}formula"):
                    found |= {(row + 1, column + i) for i in range(min(repeat, 1000))}
                column += repeat
            row += int(element.get(f"{_ODS}number-rows-repeated", "1"))
            element.clear()
    return found


# ---------------------------------------------------------------- planning


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
    headers = table.column_headers(mapping)
    mapped = set(mapping.values())
    formulas: dict[int, list[int]] = {}  # row number: mapped columns holding a formula
    if content and table.file_format in ("xlsx", "ods"):
        for number, column in sorted(formula_cells(content, table)):
            if column in mapping:
                formulas.setdefault(number, []).append(column)
    file_warnings = [_("The file has no “%(column)s” column: this is not imported for any child.")
                     % {"column": cols.FIELD_LABELS[name]} for name in cols.absent_checked_fields(mapping)]
    _by_id, by_pid, by_name = _existing(commune)

    validated = []
    total = len(table.rows)
    processes = parallel_processes()
    if processes > 1 and total >= parallel_above_rows():
        records = list(table.records(mapping))
        results = validate_rows([(row.number, raw) for row, raw in records], today, headers, processes)
        validated = [(row, result) for (row, _raw), result in zip(records, results, strict=True)]
        if progress:
            progress(total, total)
    for index, (row, raw) in enumerate(table.records(mapping) if not validated else (), start=1):
        validated.append((row, validate_row(raw, today, row.number, headers)))
        if progress and index % 2000 == 0:
            progress(index, total)
    file_ids = sorted({r.data["personal_id"] for _row, r in validated
                       if r.ok and r.data.get("personal_id") and r.data["personal_id"] not in by_pid})
    elsewhere = _elsewhere(file_ids, commune)

    plans: list[RowPlan] = []
    seen_pid: dict[str, tuple[int, str, date]] = {}
    seen_name: dict[tuple[str, date], int] = {}
    seen_child: dict = {}
    matched_ids = []
    for row, result in validated:
        # A formula cell is reported as such, not also as the empty value it shows ("missing name").
        formula_fields = {mapping[column] for column in formulas.get(row.number, ())}
        if formula_fields & set(cols.MARK_FIELDS):
            formula_fields |= {cols.SEX, cols.BIRTH_DATE}
        plan = RowPlan(row=row.number, action=REJECT,
                       errors=[i.message for i in result.errors if i.field not in formula_fields],
                       warnings=[i.message for i in result.warnings if i.field not in formula_fields])
        plans.append(plan)
        for column in formulas.get(row.number, ()):
            plan.errors.append(_("Row %(row)s, column '%(column)s': the cell holds a formula; copy the column and "
                                 "paste it back as values only (Paste Values).")
                               % {"row": row.number, "column": table.headers[column]})
        if plan.errors:
            continue
        values, notes = _values_from_row(result.data, mapped)
        plan.warnings += [_("Row %(row)s: %(note)s.") % {"row": row.number, "note": n} for n in notes]
        pid = values.get("personal_id") or ""
        name_key = (fold(values["full_name"]), values["birth_date"])
        plan.folded = name_key[0]
        # The findings of the check are about the saved value; without an ID column, write_plan finds them.
        if cols.PERSONAL_ID in mapped and pid == (result.data.get("personal_id") or ""):
            plan.flags = [i.code for i in result.warnings if i.code in _FLAGGED or (i.code.startswith("id_")
                          and i.code not in IGNORED_FINDINGS and i.field == cols.PERSONAL_ID)]
        # Inside the file: one number, one child; one child, one row.
        if pid and pid in seen_pid:
            other_row, other_name, other_birth = seen_pid[pid]
            if (other_name, other_birth) == name_key:
                plan.errors.append(_("Row %(row)s repeats row %(other)s (same child); only row %(other)s is used.")
                                   % {"row": row.number, "other": other_row})
            else:
                plan.errors.append(_("Row %(row)s: the personal identification number %(id)s is also on row "
                                     "%(other)s, for another child. One number belongs to one child: check both rows.")
                                   % {"row": row.number, "id": pid, "other": other_row})
            continue
        if name_key in seen_name:
            plan.errors.append(_("Row %(row)s repeats row %(other)s (same name and date of birth); only row "
                                 "%(other)s is used.") % {"row": row.number, "other": seen_name[name_key]})
            continue
        # Against the register.
        existing = None
        if pid and pid in by_pid:
            existing = by_pid[pid]
            if (fold(existing["full_name"]), existing["birth_date"]) != name_key:
                plan.errors.append(_another_child(row.number, pid, existing, values))
                continue
        elif pid and pid in elsewhere:
            other = elsewhere[pid]
            if other["status"] == ChildStatus.MOVED and other["moved_to_id"] == commune.pk:
                plan.errors.append(_("Row %(row)s: this child is moving in from another commune. Accept her in "
                                     "'Incoming children' first, then import again.") % {"row": row.number})
            else:
                plan.errors.append(_("Row %(row)s: the personal identification number %(id)s belongs to a child on "
                                     "another commune's register. If the child moved here, that commune records the "
                                     "move and you accept it.") % {"row": row.number, "id": pid})
            continue
        elif name_key in by_name:
            candidate = by_name[name_key]
            if pid and candidate["personal_id"] and candidate["personal_id"] != pid:
                plan.errors.append(_("Row %(row)s: a child with the same name and date of birth is on the register "
                                     "with another personal identification number (%(id)s). Check which number is "
                                     "right.") % {"row": row.number, "id": candidate["personal_id"]})
                continue
            existing = candidate
        if existing is not None and existing["id"] in seen_child:
            plan.errors.append(_("Row %(row)s and row %(other)s are the same child of the register.")
                               % {"row": row.number, "other": seen_child[existing["id"]]})
            continue
        if existing is not None and existing["status"] != ChildStatus.ACTIVE:
            plan.errors.append(_("Row %(row)s: the child is on the register as '%(status)s'; change the record on "
                                 "its page, not by import.") % {"row": row.number,
                                                                "status": _status_label(existing["status"])})
            continue
        if pid:
            seen_pid[pid] = (row.number, name_key[0], name_key[1])
        seen_name[name_key] = row.number
        carer_name = result.data.get("carer_name")
        carer = {"full_name": carer_name, "phone": result.data.get("carer_phone") or ""} if carer_name else None
        if existing is None:
            plan.action, plan.values, plan.carer = CREATE, values, carer
            continue
        seen_child[existing["id"]] = row.number
        plan.child_id, plan.values, plan.carer, plan.version = existing["id"], values, carer, existing["version"]
        plan.child_name = existing["full_name"]
        plan.changes = _differences(values, existing)
        if "full_name" in plan.changes:  # the same letters (the match says so): accents added or corrected
            plan.warnings.append(_("Row %(row)s: the name on the register, “%(old)s”, will be corrected to "
                                   "“%(new)s” (the same name, with its accents).")
                                 % {"row": row.number, "old": existing["full_name"], "new": values["full_name"]})
        matched_ids.append(existing["id"])

    carers = _carers_of(matched_ids)
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
    if progress:
        progress(total, total)
    return ImportPlan(rows=plans, headers=table.headers, mapping=mapping, unknown=unknown, sheet=table.sheet_name,
                      sheet_names=table.sheet_names, file_format=table.file_format, file_warnings=file_warnings)


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


# ---------------------------------------------------------------- the report, for people


_CHANGE_LABELS = {**cols.FIELD_LABELS, "carer": cols.FIELD_LABELS[cols.CARER_NAME]}


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    try:
        if name == "birth_date":
            return format_date(date.fromisoformat(value) if isinstance(value, str) else value)
        if name == "sex":
            return str(Sex(value).label)
        if name in ("birth_registered", "disability"):
            return str(YesNoUnknown(value).label)
    except (TypeError, ValueError):
        pass
    return str(value)


def change_lines(changes: dict) -> list[str]:
    """{field: [old, new]} as "Field: old → new" lines, with Vietnamese labels and dd/mm/yyyy dates."""
    return [f"{_CHANGE_LABELS.get(name, name)}: {_shown(name, old)} → {_shown(name, new)}"
            for name, (old, new) in changes.items()]


def report_rows(report: list) -> list[dict]:
    """A batch's report as dicts for the preview page: "row", "action", "errors", "warnings", and for an update row
    "child" (the name on the register) and "changes" (change_lines). Reports kept before the changes were recorded
    (four items a row) show none."""
    rows = []
    for entry in report:
        detail = entry[4] if len(entry) > 4 and isinstance(entry[4], dict) else {}
        rows.append({"row": entry[0], "action": entry[1], "errors": entry[2], "warnings": entry[3],
                     "child": detail.get("child") or "", "changes": change_lines(detail.get("changes") or {})})
    return rows


# ---------------------------------------------------------------- committing


def _quality(values: dict) -> list[str]:
    flags = [f.code for f in check_personal_id(values.get("personal_id") or "", values.get("sex"),
                                               values.get("birth_date")) if f.code not in IGNORED_FINDINGS]
    if values.get("ethnicity") and find_ethnic_group(values["ethnicity"]) is None:
        flags.append("ethnicity_unknown")
    return flags


@_gc_paused
def write_plan(plan: ImportPlan, *, actor, commune: Unit, batch: ImportBatch | None = None,
               source_label: str = "") -> dict:
    """Write the create and update rows of a plan made inside the current transaction. Returns the summary."""
    now = timezone.now()
    creates = [p for p in plan.rows if p.action == CREATE]
    updates = [p for p in plan.rows if p.action == UPDATE]
    batch_ref = str(batch.pk) if batch else source_label
    current = {}
    if updates:  # lock the records to update first, and check nobody changed them since the plan was made
        ids = [p.child_id for p in updates]
        for start in range(0, len(ids), CHUNK):  # lock the records to update, then check nobody changed them
            current.update(Child.objects.select_for_update().in_bulk(ids[start:start + CHUNK]))
        if any(current[p.child_id].version != p.version for p in updates):
            raise ImportProblem(_("Someone changed some of these children while the file was being saved. Nothing "
                                  "was saved: check the file again."))
    children, carers, links, updated = [], [], [], []
    batch_id = batch.pk if batch else None
    families = _Families(commune, creates, now)
    for p in creates:
        values = p.values
        child_id = uuid.uuid4()
        flags = p.flags if p.flags is not None else _quality(values)
        key = _family_key(p.carer)
        household_id = families.household_of(key)
        children.append({**values, "id": child_id, "name_folded": p.folded or fold(values["full_name"]),
                         "commune_id": commune.pk, "household_id": household_id,
                         "province_id": commune.province_id, "source": "import", "import_batch_id": batch_id,
                         "quality_flags": flags, "has_quality_issues": bool(flags), "created_at": now,
                         "updated_at": now})
        p.child_id = child_id
        if p.carer:
            carer_id = families.carer_of(key)
            if carer_id is None:
                carer_id = uuid.uuid4()
                carers.append({"id": carer_id, "full_name": p.carer["full_name"],
                               "name_folded": fold(p.carer["full_name"]), "phone": p.carer["phone"] or "",
                               "household_id": household_id, "created_at": now, "updated_at": now})
                families.carer_created(key, carer_id)
            links.append({"child_id": child_id, "carer_id": carer_id, "relation": CarerRelation.UNKNOWN,
                          "primary": True, "created_at": now})
    bulk.insert_dicts(Household, families.new_households)
    bulk.insert_dicts(Child, children)
    bulk.insert_dicts(Carer, carers)
    bulk.insert_dicts(ChildCarer, links)
    checkpoint("registry.import.children_written")
    joined = families.join_register_children(batch_ref=batch_ref)

    if updates:
        changed_fields: set[str] = {"version", "updated_at", "name_folded", "quality_flags", "has_quality_issues"}
        to_save, phone_updates = [], []
        for p in updates:
            child = current[p.child_id]
            for name, (_old, _new) in p.changes.items():
                if name in IMPORTED_FIELDS:
                    setattr(child, name, p.values[name])
                    changed_fields.add(name)
            child.name_folded = fold(child.full_name)
            child.quality_flags = _quality({"personal_id": child.personal_id, "sex": child.sex,
                                            "birth_date": child.birth_date, "ethnicity": child.ethnicity})
            child.has_quality_issues = bool(child.quality_flags)
            child.version += 1
            child.updated_at = now
            to_save.append(child)
            if p.carer and "carer" in p.changes:
                carer = Carer.objects.create(full_name=p.carer["full_name"], name_folded=fold(p.carer["full_name"]),
                                             phone=p.carer["phone"] or "")
                ChildCarer.objects.create(child_id=child.pk, carer_id=carer.pk, relation=CarerRelation.UNKNOWN)
            elif p.carer and "carer_phone" in p.changes:
                phone_updates.append(Carer(pk=p.carer["carer_id"], phone=p.carer["phone"], updated_at=now))
            updated.append((child, {**p.changes, "source": "import", "batch": batch_ref, "row": p.row}))
        Child.objects.bulk_update(to_save, sorted(changed_fields), batch_size=1000)
        if phone_updates:
            Carer.objects.bulk_update(phone_updates, ["phone", "updated_at"], batch_size=1000)
    record_many(actor, "registry.child.household_join", joined, unit=commune, at=now)
    record_many(actor, "registry.child.update", updated, unit=commune, at=now)
    summary = plan.summary()
    # One event for the import (the created children point to their batch: child.import_batch), one per updated
    # child with its changes.
    record(actor, "registry.import.commit", batch, unit=commune,
           summary={**summary, "file": batch.filename if batch else source_label,
                    "sha256": batch.sha256 if batch else "",
                    **({"households": len(families.new_households)} if families.new_households else {})})
    return summary


def _family_key(carer: dict | None) -> tuple[str, str] | None:
    """Siblings are known by their carer: the same name and the same phone number (a name alone cannot tell two
    mothers of a village apart, so without a phone nobody is grouped)."""
    if not carer or not carer.get("phone"):
        return None
    return fold(carer["full_name"]), carer["phone"]


class _Families:
    """The families of an import's new children: one carer record per carer, and one household for children who
    share a carer (in the file, or with children already on the commune's register: then their household, or a new
    one that those children join too)."""

    def __init__(self, commune: Unit, creates: list[RowPlan], now):
        self.commune, self.now = commune, now
        first: dict[tuple, RowPlan] = {}
        count: dict[tuple, int] = {}
        for plan in creates:
            if key := _family_key(plan.carer):
                first.setdefault(key, plan)
                count[key] = count.get(key, 0) + 1
        known = self._on_register(commune, set(first))
        self.carers: dict[tuple, uuid.UUID] = {key: found["carer"] for key, found in known.items()}
        self.households: dict[tuple, uuid.UUID] = {}
        self.new_households: list[dict] = []
        self.joining: dict[uuid.UUID, list] = {}  # new household: children of the register who join it
        for key, plan in first.items():
            found = known.get(key, {"household": None, "loose": []})
            if found["household"]:
                self.households[key] = found["household"]
            elif count[key] + len(found["loose"]) >= 2:
                household_id = uuid.uuid4()
                village, address = plan.values.get("village", ""), plan.values.get("address", "")
                self.new_households.append({
                    "id": household_id, "commune_id": commune.pk, "head_name": plan.carer["full_name"][:150],
                    "village": village, "address": address, "search_folded": fold(f"{plan.carer['full_name']} "
                                                                                  f"{village}")[:275],
                    "created_at": now, "updated_at": now})
                self.households[key] = household_id
                self.joining[household_id] = (found["loose"], found.get("carer"))

    @staticmethod
    def _on_register(commune: Unit, keys: set) -> dict:
        """{key: {"carer": id, "household": id or None, "loose": [(child id, name) of children without one]}}"""
        found: dict = {}
        phones = sorted({phone for _name, phone in keys})
        for start in range(0, len(phones), CHUNK):
            links = (ChildCarer.objects.filter(child__commune=commune, carer__phone__in=phones[start:start + CHUNK])
                     .exclude(child__status__in=_CLOSED).order_by("carer__created_at", "carer_id")
                     .values_list("carer_id", "carer__name_folded", "carer__phone", "child_id", "child__full_name",
                                  "child__household_id"))
            for carer_id, name, phone, child_id, child_name, household_id in links:
                if (name, phone) not in keys:
                    continue
                family = found.setdefault((name, phone), {"carer": carer_id, "household": None, "loose": []})
                if household_id:
                    family["household"] = family["household"] or household_id
                else:
                    family["loose"].append((child_id, child_name))
        return found

    def household_of(self, key) -> uuid.UUID | None:
        return self.households.get(key) if key else None

    def carer_of(self, key) -> uuid.UUID | None:
        return self.carers.get(key) if key else None

    def carer_created(self, key, carer_id: uuid.UUID) -> None:
        if key:
            self.carers[key] = carer_id

    def join_register_children(self, *, batch_ref: str) -> list[tuple[Child, dict]]:
        """Put the register's children (and their carer) into the new household of their new siblings; returns
        (child, summary) for the audit events of those children."""
        events = []
        for household_id, (loose, carer_id) in self.joining.items():
            if carer_id:
                Carer.objects.filter(pk=carer_id, household__isnull=True).update(household_id=household_id,
                                                                                  updated_at=self.now)
            if not loose:
                continue
            Child.objects.filter(pk__in=[child_id for child_id, _name in loose], household__isnull=True).update(
                household_id=household_id, version=F("version") + 1, updated_at=self.now)
            events += [(Child(pk=child_id, full_name=name),
                        {"household": [None, str(household_id)], "source": "import", "batch": batch_ref})
                       for child_id, name in loose]
        return events


def _lock_commune(commune_id: int) -> None:
    # FOR NO KEY UPDATE: two imports of the commune take turns, while a save adding a child to the commune (which
    # takes a key-share lock on it through the foreign key) does not wait here, so it cannot wait in a circle with an
    # import waiting for the register lock that save holds.
    Unit.objects.select_for_update(no_key=True).filter(pk=commune_id).first()


def _numbers_given_since(plan: ImportPlan) -> bool:
    """Has a personal ID this plan gives to a child (new, or matched) been given to another child since the plan was
    made? Asked under the register lock, so the answer holds until the commit."""
    expected = {row.values["personal_id"]: row.child_id for row in plan.rows
                if row.action in (CREATE, UPDATE) and row.values.get("personal_id")}
    numbers = list(expected)
    for start in range(0, len(numbers), CHUNK):
        holders = (Child.objects.filter(personal_id__in=numbers[start:start + CHUNK]).exclude(status__in=_CLOSED)
                   .values_list("personal_id", "pk"))
        if any(pk != expected[number] for number, pk in holders):
            return True
    return False


def _commit_plan(make_plan: Callable[[], ImportPlan]) -> ImportPlan:
    """Plan (the long part) without the register's personal-ID lock, then take it for the writing; if a number of
    the plan was given to another child meanwhile, plan again under the lock. Inside the caller's transaction."""
    plan = make_plan()
    hold_personal_ids(all_of_them=True)
    return make_plan() if _numbers_given_since(plan) else plan


def import_file(content: bytes, filename: str, *, commune: Unit, actor, sheet: str | None = None,
                overrides: dict | None = None, commit: bool = False, today: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> tuple[ImportPlan, dict]:
    """Read, plan and (with commit=True) write, in one go: the command line and the benchmark use this.

    Without commit nothing is written. With commit, planning and writing happen in one transaction that holds
    the commune's lock; a failure leaves the register as it was."""
    table = read_file(content, filename, sheet)
    if not commit:
        plan = plan_import(table, commune, overrides=overrides, content=content, today=today, progress=progress)
        return plan, plan.summary()
    with transaction.atomic():
        require(actor, Capability.EDIT_CHILDREN, commune)
        _lock_commune(commune.pk)
        plan = _commit_plan(lambda: plan_import(table, commune, overrides=overrides, content=content, today=today,
                                                progress=progress))
        batch = ImportBatch.objects.create(
            commune=commune, province_id=commune.province_id, filename=filename[:255], size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), content=content, sheet=plan.sheet or "",
            sheet_names=plan.sheet_names, file_format=plan.file_format, header_overrides=overrides or {},
            headers=plan.headers, mapping={str(k): v for k, v in plan.mapping.items()}, unknown_headers=plan.unknown,
            status=ImportStatus.COMMITTING, created_by=actor if getattr(actor, "pk", None) else None)
        summary = write_plan(plan, actor=actor, commune=commune, batch=batch)
        batch.status, batch.summary, batch.report = ImportStatus.COMMITTED, summary, plan.report()
        batch.committed_by, batch.committed_at = batch.created_by, timezone.now()
        batch.save(update_fields=["status", "summary", "report", "committed_by", "committed_at", "updated_at"])
    return plan, summary


# ---------------------------------------------------------------- batches (the web flow)


@transaction.atomic
def batch_create(*, actor, commune: Unit, filename: str, content: bytes, sheet: str = "", request=None) -> ImportBatch:
    """Keep an uploaded file for its preview and commit. Writes nothing to the register."""
    require(actor, Capability.EDIT_CHILDREN, commune)
    batch = ImportBatch.objects.create(
        commune=commune, province_id=commune.province_id, filename=filename[:255], size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, sheet=sheet[:120],
        created_by=actor if getattr(actor, "pk", None) else None, status=ImportStatus.PREVIEWING)
    record(actor, "registry.import.upload", batch, unit=commune, request=request,
           summary={"file": batch.filename, "size": batch.size, "sha256": batch.sha256})
    return batch


@transaction.atomic
def batch_preview_start(*, actor, batch: ImportBatch, request=None) -> ImportBatch:
    """Check the batch's file: at once for a small file, in a background job for a large one."""
    require(actor, Capability.EDIT_CHILDREN, batch.commune)
    background = batch.size > background_above_bytes()
    if background:
        batch.status = ImportStatus.PREVIEWING
        batch.job = job_start(actor=actor, kind="registry.import.preview", params={"batch_id": str(batch.pk)},
                              runner="treem.registry.importing.run_preview", unit=batch.commune)  # runs on commit
        batch.save(update_fields=["status", "job", "updated_at"])
    else:
        batch_preview(batch)
    record(actor, "registry.import.preview", batch, unit=batch.commune, request=request,
           summary={"sheet": batch.sheet, "background": background, "status": batch.status})
    return batch


@transaction.atomic
def batch_columns_set(*, actor, batch: ImportBatch, overrides: dict, sheet: str | None = None,
                      request=None) -> ImportBatch:
    """The person's reading of the file's columns (header -> field, or None to ignore), and/or another sheet; then
    the file is checked again."""
    require(actor, Capability.EDIT_CHILDREN, batch.commune)
    if batch.status == ImportStatus.COMMITTED:
        raise ImportProblem(_("This file was already saved."))
    before = {"columns": batch.header_overrides, "sheet": batch.sheet}
    batch.header_overrides = overrides
    if sheet is not None and sheet in (batch.sheet_names or []):
        batch.sheet = sheet
    batch.save(update_fields=["header_overrides", "sheet", "updated_at"])
    record(actor, "registry.import.columns", batch, unit=batch.commune, request=request,
           summary=audit_changes(before, {"columns": batch.header_overrides, "sheet": batch.sheet}))
    return batch_preview_start(actor=actor, batch=batch, request=request)


def batch_commit_start(*, actor, batch: ImportBatch, request=None) -> ImportBatch:
    """Save a checked batch: at once for a small file (batch_commit, its own transaction and audit event), in a
    background job for a large one."""
    require(actor, Capability.EDIT_CHILDREN, batch.commune)
    if batch.status != ImportStatus.PREVIEWED:
        raise ImportProblem(_("This file has not been checked yet, or was already saved."))
    if batch.size <= background_above_bytes():
        return batch_commit(batch, actor=actor, request=request)

    with transaction.atomic():
        batch.status = ImportStatus.COMMITTING
        batch.job = job_start(actor=actor, kind="registry.import.commit", params={"batch_id": str(batch.pk)},
                              runner="treem.registry.importing.run_commit", unit=batch.commune,
                              total=batch.summary.get("total", 0))  # runs on commit
        batch.save(update_fields=["status", "job", "updated_at"])
        record(actor, "registry.import.commit_queued", batch, unit=batch.commune, request=request,
               summary={"rows": batch.summary.get("total", 0)})
    return batch


def _progress_for(job):
    if job is None:
        return None

    def progress(done: int, total: int) -> None:
        job_progress(job, done, total, _("Checked %(done)s of %(total)s rows") % {"done": done, "total": total})

    return progress


def batch_preview(batch: ImportBatch, job=None) -> ImportBatch:
    """Read and check the batch's file, keep the per-row report. The register is not touched."""
    content = bytes(batch.content)
    try:
        table = read_file(content, batch.filename, batch.sheet or None)
        plan = plan_import(table, batch.commune, overrides=batch.header_overrides, content=content,
                           progress=_progress_for(job))
    except MappingNeeded as exc:
        mapping, _unknown = cols.map_headers(exc.headers, batch.header_overrides)
        batch.status, batch.error, batch.headers = ImportStatus.NEEDS_MAPPING, str(exc), exc.headers
        batch.unknown_headers, batch.mapping = exc.unknown, {str(k): v for k, v in mapping.items()}
        batch.summary, batch.report = {"missing": exc.missing}, []
    except ImportProblem as exc:
        batch.status, batch.error, batch.report, batch.summary = ImportStatus.FAILED, str(exc), [], {}
    else:
        batch.status, batch.error = ImportStatus.PREVIEWED, ""
        batch.headers, batch.unknown_headers = plan.headers, plan.unknown
        batch.mapping = {str(k): v for k, v in plan.mapping.items()}
        batch.sheet, batch.sheet_names, batch.file_format = plan.sheet or "", plan.sheet_names, plan.file_format
        batch.summary, batch.report = plan.summary(), plan.report()
    batch.save()
    return batch


def batch_commit(batch: ImportBatch, *, actor, job=None, request=None) -> ImportBatch:
    """Save the valid rows of a previewed batch, atomically. Re-checks every row against the register as it is now.

    Safe to run again (a retried job): the batch's state is checked under its row lock, so a batch already saved
    raises AlreadySaved and nothing is written twice."""
    if batch.status == ImportStatus.COMMITTED:
        raise AlreadySaved(_("This file was already saved."))
    if batch.status not in (ImportStatus.PREVIEWED, ImportStatus.COMMITTING):
        raise ImportProblem(_("This file has not been checked yet, or was already saved."))
    content = bytes(batch.content)
    table = read_file(content, batch.filename, batch.sheet or None)
    with transaction.atomic():
        require(actor, Capability.EDIT_CHILDREN, batch.commune)
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.COMMITTED:
            raise AlreadySaved(_("This file was already saved."))
        _lock_commune(batch.commune_id)
        plan = _commit_plan(lambda: plan_import(table, batch.commune, overrides=batch.header_overrides,
                                                content=content, progress=_progress_for(job)))
        if job is not None:
            job_progress(job, len(plan.rows), len(plan.rows), _("Saving to the register"))
        summary = write_plan(plan, actor=actor, commune=batch.commune, batch=batch)
        batch.status, batch.summary, batch.report = ImportStatus.COMMITTED, summary, plan.report()
        batch.error = ""  # of an earlier attempt that failed
        batch.committed_by = actor if getattr(actor, "pk", None) else None
        batch.committed_at = timezone.now()
        batch.save(update_fields=["status", "summary", "report", "error", "committed_by", "committed_at",
                                  "updated_at"])
    return batch


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """The rejected rows exactly as they were in the file, plus a column 'Lỗi' with every error."""
    rejected = {entry[0]: entry[2] for entry in batch.report if entry[1] == REJECT}
    table = read_file(bytes(batch.content), batch.filename, batch.sheet or None)
    pairs = [(row.values, rejected[row.number]) for row in table.rows if row.number in rejected]
    headers, rows = write_rejected_rows(table.headers, pairs)
    out = io.BytesIO()
    write_xlsx(rows, headers, out, sheet_name="Dòng bị từ chối")
    return out.getvalue()


# ---------------------------------------------------------------- background jobs (treem.core.jobs runners)


def _actor(job):
    return User.objects.get(pk=job.actor_id)


def run_preview(job, batch_id: str) -> dict:
    """A file that cannot be read is a failed batch (batch_preview); so is an unexpected error, which would otherwise
    leave the batch "checking" for ever. The error is raised again so the job is marked failed too."""
    batch = ImportBatch.objects.select_related("commune").get(pk=batch_id)
    try:
        batch_preview(batch, job=job)
    except Exception:
        logger.exception("checking import batch %s failed", batch.pk)

        usable_connection()  # the database may have cut the connection
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, updated_at=timezone.now(),
            error=_("The file could not be checked because of an unexpected error. Upload it again; if this happens "
                    "again, tell the administrator."))
        raise
    return {"url": f"/children/import/{batch.pk}/"}


def run_commit(job, batch_id: str) -> dict:
    """A failed save changed nothing (batch_commit is one transaction), so the batch goes back to "checked, ready to
    save" with the error, and the person can try again. The error is raised again so the job is marked failed.
    Run again after a save that did commit (the worker stopped before marking the job done), it finds the batch
    saved and finishes without writing."""
    batch = ImportBatch.objects.select_related("commune").get(pk=batch_id)
    try:
        batch_commit(batch, actor=_actor(job), job=job)
    except AlreadySaved:
        return {"url": f"/children/import/{batch.pk}/"}
    except Exception as exc:
        if not isinstance(exc, ImportProblem):
            logger.exception("saving import batch %s failed", batch.pk)
            usable_connection()  # the database may have cut the connection (restarted, backend terminated)
        message = str(exc) if isinstance(exc, ImportProblem) else _(
            "Saving failed because of an unexpected error; nothing was saved. Try again; if this happens again, tell "
            "the administrator.")
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.COMMITTING).update(
            status=ImportStatus.PREVIEWED, error=message, updated_at=timezone.now())
        raise
    return {"url": f"/children/import/{batch.pk}/"}


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"
