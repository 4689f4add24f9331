"""Long work (imports, linkage, report rendering) runs as a background task that reports progress into a Job row.

A view starts it with `job_start`; the page polls `/jobs/<id>/` (HTMX) and shows a progress bar until it is done.
The task function receives the job id and calls `job_progress` and `job_finish` (or raises: the job is marked failed).
"""

from contextlib import contextmanager

from django.db import DatabaseError, connections, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from treem.audit.services import record

from .models import Job, JobStatus


def job_start(*, actor, kind: str, runner: str, params: dict, unit=None, total: int = 0) -> Job:
    """Create a job and queue `runner` (a dotted path to `def run(job, **params) -> dict`) once the caller commits."""
    job = Job.objects.create(kind=kind, actor=actor if getattr(actor, "pk", None) else None, unit=unit,
                             runner=runner, params=params, total=total)
    record(actor, "core.job.start", job, unit=unit, summary={"kind": kind})
    transaction.on_commit(lambda: run_job.enqueue(job_id=str(job.pk)))
    return job


def job_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Save progress so the person watching sees it even while the runner's own transaction is still open."""
    fields = {"done": done, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message[:300]
    connection = connections[Job.objects.db]
    # On PostgreSQL inside a transaction, write on a side connection; SQLite has one writer, so it would only wait.
    side_written = connection.in_atomic_block and connection.vendor == "postgresql" and _update_on_side_connection(
        job, fields)
    if not side_written:
        Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)


def _update_on_side_connection(job: Job, fields: dict) -> bool:
    """An UPDATE on a second, autocommit connection, visible to the polling page at once. False when it could not
    be done (the job row is not committed yet, or is locked by the caller): the caller then writes in its own
    transaction instead of waiting."""
    side = connections.create_connection(Job.objects.db)
    try:
        quote = side.ops.quote_name
        columns = ", ".join(f"{quote(Job._meta.get_field(name).column)} = %s" for name in fields)
        with side.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
            cursor.execute(f"UPDATE {quote(Job._meta.db_table)} SET {columns} WHERE {quote('id')} = %s",  # noqa: S608
                           [*fields.values(), job.pk])
            return cursor.rowcount == 1
    except DatabaseError:
        return False
    finally:
        side.close()


@contextmanager
def _running(job: Job):
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        yield
    except Exception as exc:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise


@task
def run_job(job_id: str) -> dict:
    job = Job.objects.get(pk=job_id)
    runner = import_string(job.runner)
    with _running(job):
        result = runner(job, **job.params) or {}
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, result=result, finished_at=timezone.now(),
                                         done=job.total or job.done)
    return result
