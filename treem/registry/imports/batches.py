"""The register import's flows: `import_file` (read, plan and write in one go: the command line, the benchmark) and the
web's batches (an uploaded file kept as an ImportBatch from its preview to its commit), with their background jobs."""

import hashlib
import io
import logging
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, require
from treem.accounts.models import User
from treem.audit.services import changes as audit_changes
from treem.audit.services import record
from treem.core.jobs import job_progress, job_start, usable_connection
from treem.geo.models import Unit

from ..models import ImportBatch, ImportStatus
from ..quality import columns as cols
from ..quality.export import write_rejected_rows, write_xlsx
from .common import REJECT, AlreadySaved, ImportProblem, MappingNeeded, background_above_bytes
from .planner import ImportPlan, plan_import
from .reader import read_file
from .writer import commit_plan, lock_commune, write_plan

logger = logging.getLogger(__name__)

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
        lock_commune(commune.pk)
        plan = commit_plan(lambda: plan_import(table, commune, overrides=overrides, content=content, today=today,
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
                              runner="treem.registry.imports.batches.run_preview", unit=batch.commune)  # runs on commit
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
                              runner="treem.registry.imports.batches.run_commit", unit=batch.commune,
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
        lock_commune(batch.commune_id)
        plan = commit_plan(lambda: plan_import(table, batch.commune, overrides=batch.header_overrides,
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
