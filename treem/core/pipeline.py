"""One import pipeline for every file a person uploads.

upload -> gate -> stored (ImportRun, "uploaded") -> read ("read") -> plan ("planned": the preview) -> commit
("committing" -> "committed"); a file that cannot be imported is "failed" with a message a person can act on.

A module plugs in with an `Importer`: three parts, each a method, and a few settings.

- `read(step) -> records`: the stored file (`step.content`, already through the upload gate) turned into rows or
  records; raise `ImportProblem` (message for the user) when the file as a whole cannot be read.
- `plan(records, step) -> Plan`: what would be created, updated, left unchanged and rejected (with the rejected rows'
  cells and reasons, given back to the person as an XLSX). Planning never writes.
- `write(plan, step) -> dict`: commit the plan; called inside one transaction (with the run's row locked), so a
  failure leaves nothing half-written. Records its own typed audit events (record / record_many) for the records it
  writes. Returns the result kept with the run ({"url": ...} for the page to go to, counts ...).

The pipeline owns the gate (`gate`, default: treem.core.uploads.receive_spreadsheet), the stored upload, the state
machine (`TRANSITIONS`, `move`), running read+plan and commit as background jobs with progress (treem.core.jobs; a
small file is done at once in the request, as `background_above` says), the report (summary counts, rejected rows
as XLSX with formula neutralisation), the permission check (`Importer.require`, the module's treem.access rule) and
the audit events of each step (core.import.*). This module imports no domain app.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import uploads
from .auditing import record
from .jobs import job_progress, job_start, usable_connection
from .models import ImportRun, ImportStage

logger = logging.getLogger(__name__)

UPLOADED, READ, PLANNED = ImportStage.UPLOADED, ImportStage.READ, ImportStage.PLANNED
COMMITTING, COMMITTED, FAILED = ImportStage.COMMITTING, ImportStage.COMMITTED, ImportStage.FAILED

# Which stage may follow which. A failed save goes back to "planned" (nothing was written; it can be tried again);
# "planned" may be planned again (other options, the register changed); "committed" is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    UPLOADED: frozenset({READ, FAILED}),
    READ: frozenset({PLANNED, FAILED}),
    PLANNED: frozenset({READ, PLANNED, COMMITTING, FAILED}),
    COMMITTING: frozenset({COMMITTED, PLANNED, FAILED}),
    COMMITTED: frozenset(),
    FAILED: frozenset({READ}),
}
ERROR_COLUMN = "Lỗi"
_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


class ImportProblem(Exception):
    """The file as a whole cannot be imported (or not now); the message says why, in the user's language."""


class AlreadyCommitted(ImportProblem):
    """The run was saved already (an earlier run of the same job, or another request)."""


class WrongStage(ImportProblem):
    """A step asked of a run in a stage that does not allow it."""


def move(run: ImportRun, to: str) -> None:
    """Set the run's stage, refusing a transition the state machine does not have."""
    if to not in TRANSITIONS[run.stage]:
        raise WrongStage(_("This file cannot go from “%(from)s” to “%(to)s”.")
                         % {"from": ImportStage(run.stage).label, "to": ImportStage(to).label})
    run.stage = to


# ---------------------------------------------------------------- what the parts exchange


@dataclass
class Rejected:
    """A row the plan refuses: its number in the file, its cells as read, and every reason (for the person)."""

    row: int
    cells: list
    reasons: list[str]


@dataclass
class Plan:
    """What committing would do. `create` / `update` hold whatever the writer needs; `data` anything else the
    planner wants to pass to the writer; `headers` the file's headers (for the rejected-rows file)."""

    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    data: Any = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        counts = {"create": len(self.create), "update": len(self.update), "unchanged": self.unchanged,
                  "reject": len(self.rejected)}
        counts["total"] = sum(counts.values())
        if self.warnings:
            counts["warnings"] = list(self.warnings)
        return counts


@dataclass
class Step:
    """What a part is given: the run (its stored file and options), who asked, and a progress reporter."""

    run: ImportRun
    actor: Any
    job: Any = None

    @property
    def content(self) -> bytes:
        return bytes(self.run.content)

    @property
    def filename(self) -> str:
        return self.run.filename

    @property
    def options(self) -> dict:
        return self.run.options or {}

    @property
    def unit(self):
        return self.run.unit

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self.job is not None:
            job_progress(self.job, done, total, message)


class Importer:
    """A module's part of the pipeline. Subclass, set `kind`, and give read, plan, write and require."""

    kind = ""  # e.g. "plans.upload": the Job's kind and the run's
    extensions: frozenset[str] = uploads.SPREADSHEET_EXTENSIONS
    max_bytes = 25 * 1024 * 1024
    background_above = 0  # bytes: a larger file is read, planned and saved by a background job
    auto_commit = False  # save right after planning (the module's own page reviews what was saved)
    replan_on_commit = True  # commit reads and plans again inside the transaction (the data may have changed)

    def gate(self, upload) -> uploads.Upload:
        return uploads.receive_spreadsheet(upload, max_bytes=self.max_bytes, allowed=self.extensions)

    def require(self, actor, unit) -> None:
        raise NotImplementedError

    def failed(self, step: Step, message: str) -> None:
        """The file could not be read or planned (or, with auto_commit, saved): the module's own record of it."""

    def job_kind(self, step: str) -> str:
        """The Job's kind for a step ("plan", "commit")."""
        return f"{self.kind}.{step}"

    def lock(self, step: Step) -> None:
        """Inside the commit's transaction, before the file is planned again and written: take the module's locks
        (the commune's register, say), so that two commits of one place take turns."""

    def read(self, step: Step):
        raise NotImplementedError

    def plan(self, records, step: Step) -> Plan:
        raise NotImplementedError

    def write(self, plan: Plan, step: Step) -> dict:
        raise NotImplementedError

    @property
    def path(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"


def importer_of(run: ImportRun) -> Importer:
    return import_string(run.importer)()


# ---------------------------------------------------------------- the steps


def upload(importer: Importer, *, actor, file, unit=None, options: dict | None = None, request=None) -> ImportRun:
    """Check a file at the gate (UploadRefused: nothing is kept), keep it, and read and plan it: at once for a small
    file, in a background job for a large one (then `auto_commit` saves in the same job)."""
    importer.require(actor, unit)
    checked = importer.gate(file)
    with transaction.atomic():
        run = ImportRun.objects.create(
            importer=importer.path, kind=importer.kind, unit=unit, created_by=_user(actor), filename=checked.name[:255],
            size=checked.size, sha256=checked.sha256, content=checked.content, options=options or {})
        record(actor, "core.import.upload", run, unit=unit, request=request,
               summary={"kind": importer.kind, "file": run.filename, **checked.report(), "sha256": run.sha256})
        _plan_or_queue(importer, run, actor)
    return run


def replan(importer: Importer, *, actor, run: ImportRun, options: dict | None = None, request=None) -> ImportRun:
    """Read and plan again, with other options (another sheet, the columns said otherwise)."""
    importer.require(actor, run.unit)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.stage in (COMMITTING, COMMITTED):
            raise WrongStage(_("This file is being saved or was already saved."))
        if options is not None:
            run.options = options
            run.save(update_fields=["options", "updated_at"])
        _plan_or_queue(importer, run, actor)
    return run


def _plan_or_queue(importer: Importer, run: ImportRun, actor) -> None:
    if run.size > importer.background_above:
        run.job = job_start(actor=actor, kind=importer.job_kind("plan"), runner="treem.core.pipeline.run_plan",
                            params={"run_id": str(run.pk)}, unit=run.unit)  # runs once the caller commits
        run.save(update_fields=["job", "updated_at"])
    else:
        plan_run(run, actor=actor)


def plan_run(run: ImportRun, *, actor, job=None) -> ImportRun:
    """Read and plan the stored file, keep the counts and the rejected rows. A file that cannot be read leaves the
    run "failed" with the reason. With auto_commit, a plan is saved at once."""
    importer = importer_of(run)
    step = Step(run=run, actor=actor, job=job)
    try:
        plan = _read_and_plan(importer, step)
    except ImportProblem as exc:
        _fail(run, actor, str(exc))
        importer.failed(step, str(exc))
        return run
    _keep_plan(run, plan)
    record(actor, "core.import.plan", run, unit=run.unit, summary={"kind": run.kind, **run.summary})
    if importer.auto_commit:
        try:
            commit_run(run, actor=actor, job=job, plan=None if importer.replan_on_commit else plan)
        except ImportProblem as exc:  # nothing was written; commit_run recorded the failure
            _fail(run, actor, str(exc), audit=False)
            importer.failed(step, str(exc))
    return run


def _read_and_plan(importer: Importer, step: Step) -> Plan:
    run = step.run
    if run.stage != READ:  # a run planned again goes back to "read"
        move(run, READ)
    records = importer.read(step)
    run.save(update_fields=["stage", "updated_at"])
    plan = importer.plan(records, step)
    move(run, PLANNED)
    return plan


def _keep_plan(run: ImportRun, plan: Plan) -> None:
    run.summary, run.headers, run.error = plan.summary(), [str(h) for h in plan.headers], ""
    run.rejected = [[r.row, [_cell(c) for c in r.cells], [str(m) for m in r.reasons]] for r in plan.rejected]
    run.save(update_fields=["stage", "summary", "headers", "rejected", "error", "updated_at"])


def _cell(value):
    return value if value is None or isinstance(value, int | float | bool | str) else str(value)


def _fail(run: ImportRun, actor, message: str, *, audit: bool = True) -> None:
    run.stage, run.error = FAILED, message[:2000]
    ImportRun.objects.filter(pk=run.pk).exclude(stage=COMMITTED).update(stage=FAILED, error=run.error)
    if audit:
            record(actor, "core.import.fail", run, unit=run.unit, summary={"kind": run.kind, "error": run.error})


def commit(importer: Importer, *, actor, run: ImportRun, request=None) -> ImportRun:
    """Save a planned run: at once for a small file, in a background job for a large one."""
    importer.require(actor, run.unit)
    if run.stage != PLANNED:
        raise WrongStage(_("This file has not been checked yet, or was already saved."))
    if run.size <= importer.background_above:
        return commit_run(run, actor=actor, request=request)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        move(locked, COMMITTING)
        locked.job = job_start(actor=actor, kind=importer.job_kind("commit"), runner="treem.core.pipeline.run_commit",
                               params={"run_id": str(run.pk)}, unit=run.unit, total=run.summary.get("total", 0))
        locked.save(update_fields=["stage", "job", "updated_at"])
        record(actor, "core.import.commit_queued", locked, unit=run.unit, request=request,
               summary={"kind": run.kind, "rows": run.summary.get("total", 0)})
    return locked


def commit_run(run: ImportRun, *, actor, job=None, plan: Plan | None = None, request=None) -> ImportRun:
    """Write the plan in one transaction, with the run's row locked (a second commit waits, then finds it saved:
    AlreadyCommitted). The plan is made again inside the transaction unless given. Any error rolls everything back
    and the run goes back to "planned" with the error, ready to be tried again."""
    importer = importer_of(run)
    importer.require(actor, run.unit)
    try:
        with transaction.atomic():
            locked = ImportRun.objects.select_for_update().get(pk=run.pk)
            if locked.stage == COMMITTED:
                raise AlreadyCommitted(_("This file was already saved."))
            if locked.stage not in (PLANNED, COMMITTING):
                raise WrongStage(_("This file has not been checked yet, or was already saved."))
            if locked.stage == PLANNED:
                move(locked, COMMITTING)
            step = Step(run=locked, actor=actor, job=job)
            importer.lock(step)
            if plan is None:
                plan = importer.plan(importer.read(step), step)
            step.progress(plan.summary()["total"], plan.summary()["total"], _("Saving"))
            result = importer.write(plan, step) or {}
            move(locked, COMMITTED)
            locked.summary, locked.result, locked.error = plan.summary(), result, ""
            locked.rejected = [[r.row, [_cell(c) for c in r.cells], [str(m) for m in r.reasons]]
                               for r in plan.rejected]
            locked.save(update_fields=["stage", "summary", "result", "rejected", "error", "updated_at"])
            record(actor, "core.import.commit", locked, unit=locked.unit, request=request,
                   summary={"kind": locked.kind, **locked.summary, "file": locked.filename, "sha256": locked.sha256})
    except (AlreadyCommitted, WrongStage):  # nothing was tried: the run stays as it is
        raise
    except Exception as exc:
        message = str(exc) if isinstance(exc, ImportProblem) else _(
            "Saving failed because of an unexpected error; nothing was saved. Try again; if this happens again, tell "
            "the administrator.")
        ImportRun.objects.filter(pk=run.pk).exclude(stage=COMMITTED).update(stage=PLANNED, error=message)
        run.stage, run.error = PLANNED, message
        record(actor, "core.import.fail", run, unit=run.unit, summary={"kind": run.kind, "error": message})
        raise
    for name in ("stage", "summary", "result", "rejected", "error"):
        setattr(run, name, getattr(locked, name))
    return run


# ---------------------------------------------------------------- background jobs (treem.core.jobs runners)


def _actor(job):
    return get_user_model().objects.get(pk=job.actor_id)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def run_plan(job, run_id: str) -> dict:
    run = ImportRun.objects.select_related("unit").get(pk=run_id)
    try:
        plan_run(run, actor=_actor(job), job=job)
    except Exception:
        logger.exception("reading import run %s failed", run.pk)
        usable_connection()
        message = _("The file could not be checked because of an unexpected error. Upload it again; if this happens "
                    "again, tell the administrator.")
        ImportRun.objects.filter(pk=run.pk).exclude(stage=COMMITTED).update(stage=FAILED, error=message)
        importer_of(run).failed(Step(run=run, actor=None, job=job), message)
        raise
    return {"run": str(run.pk), "stage": run.stage, **({"url": run.result["url"]} if run.result.get("url") else {})}


def run_commit(job, run_id: str) -> dict:
    run = ImportRun.objects.select_related("unit").get(pk=run_id)
    try:
        commit_run(run, actor=_actor(job), job=job)
    except AlreadyCommitted:
        run.refresh_from_db()
    return {"run": str(run.pk), "stage": run.stage, **({"url": run.result["url"]} if run.result.get("url") else {})}


# ---------------------------------------------------------------- the report


def neutralise(value):
    """Text a spreadsheet program would run as a formula ("=...", "+...", "-...", "@...") gets a leading quote."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_FIRST):
        return "'" + value
    return value


def rejected_xlsx(run: ImportRun, *, actor=None, request=None, sheet_name: str = "Dòng bị từ chối") -> bytes:
    """The rejected rows as they were read, with the row number and a column 'Lỗi' with every reason. Every cell is
    written as text or number, never as a formula. Logged (the rows may hold children's data)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True})
    for col, header in enumerate(["Dòng", *run.headers, ERROR_COLUMN]):
        sheet.write_string(0, col, str(neutralise(str(header))), bold)
    for index, (row, cells, reasons) in enumerate(run.rejected, start=1):
        sheet.write_number(index, 0, row)
        for col, value in enumerate([*cells, "\n".join(reasons)], start=1):
            _write_cell(sheet, index, col, value)
    book.close()
    if actor is not None:
        record(actor, "core.import.rejected_download", run, unit=run.unit, request=request,
               summary={"kind": run.kind, "rows": len(run.rejected)})
    return out.getvalue()


def _write_cell(sheet, row: int, col: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(neutralise(str(value))))


Progress = Callable[[int, int, str], None]
