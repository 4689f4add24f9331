"""Long work (imports, linkage, report rendering) runs as a background task that reports progress into a Job row.

A view starts it with `job_start`; the page polls `/jobs/<id>/` (HTMX) and shows a progress bar until it is done.
The task function receives the job id and calls `job_progress` (or raises: the job is marked failed).

Faults. A worker killed in the middle of a job (or a machine restarted) leaves the row "running": `recover_jobs`
marks such a job "interrupted" (the worker does it before each job, `treem recover-jobs` and the job page too), and
its owner can run it again (`job_retry`). Every runner is one transaction (nothing half-written survives a kill) and
safe to run again (an import already saved is not saved twice: the batch's state is checked under its row lock).
How a dead worker is told from a slow one: on PostgreSQL the worker holds a session advisory lock on a connection of
its own while the job runs; the server drops it the moment the worker's process is gone, so a "running" job whose
lock is free is abandoned, at once and for sure. Elsewhere (SQLite) a job without a heartbeat (start, progress) for
`JOB_STALE_MINUTES` is taken for abandoned.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from treem.core.auditing import record

from .exceptions import NotAllowed
from .faults import checkpoint
from .models import Job, JobStatus

logger = logging.getLogger(__name__)
# The first key of the two-key advisory locks that say "a worker is running this job" (the second: from its id).
_ALIVE_LOCK_CLASS = 0x6A6F62  # "job"


class JobNotRetryable(Exception):
    """Only a failed or interrupted job can be run again; the message is for the user."""


def stale_after() -> timedelta:
    return timedelta(minutes=settings.JOB_STALE_MINUTES)


def job_start(*, actor, kind: str, runner: str, params: dict, unit=None, total: int = 0) -> Job:
    """Create a job and queue `runner` (a dotted path to `def run(job, **params) -> dict`) once the caller commits."""
    job = Job.objects.create(kind=kind, actor=actor if getattr(actor, "pk", None) else None, unit=unit,
                             runner=runner, params=params, total=total)
    record(actor, "core.job.start", job, unit=unit, summary={"kind": kind})
    transaction.on_commit(lambda: run_job.enqueue(job_id=str(job.pk)))
    return job


def job_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Save progress so the person watching sees it even while the runner's own transaction is still open."""
    now = timezone.now()
    fields = {"done": done, "updated_at": now, "heartbeat_at": now}
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


def _alive_key(job: Job) -> tuple[int, int]:
    return _ALIVE_LOCK_CLASS, int.from_bytes(job.pk.bytes[:4], "big", signed=True)


def _hold_alive(job: Job):
    """PostgreSQL: a connection of the worker's own holding the job's advisory lock for as long as the job runs
    (None elsewhere). Also where the job's state is written: it outlives a runner whose connection was cut."""
    if connections[Job.objects.db].vendor != "postgresql":
        return None
    side = connections.create_connection(Job.objects.db)
    with side.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(_alive_key(job)))
    return side


def _set(job: Job, side, **fields) -> None:
    """Write the job's state on the side connection (committed at once), else (SQLite, or a job row not committed
    yet, as in a test's transaction) on the default one."""
    fields["updated_at"] = timezone.now()
    if side is not None and _update_on(side, job, fields):
        return
    Job.objects.filter(pk=job.pk).update(**fields)


def _update_on(side, job: Job, fields: dict) -> bool:
    try:
        quote = side.ops.quote_name
        columns = ", ".join(f"{quote(Job._meta.get_field(name).column)} = %s" for name in fields)
        values = [Job._meta.get_field(name).get_db_prep_save(value, side) for name, value in fields.items()]
        with side.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
            cursor.execute(f"UPDATE {quote(Job._meta.db_table)} SET {columns} WHERE {quote('id')} = %s",  # noqa: S608
                           [*values, job.pk])
            return cursor.rowcount == 1
    except DatabaseError:
        return False


def usable_connection() -> None:
    """After an error that may have cut the default connection (the database restarted, the backend terminated),
    drop it so the next query opens a new one. Outside a transaction only."""
    default = connections[Job.objects.db]
    if not default.in_atomic_block and default.connection is not None and not default.is_usable():
        default.close()


@contextmanager
def _running(job: Job):
    side = _hold_alive(job)  # before the job shows "running": a running job whose lock is free is abandoned
    try:
        now = timezone.now()
        _set(job, side, status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, finished_at=None)
        try:
            yield side
        except Exception as exc:
            if isinstance(exc, DatabaseError):  # its text is the database's, in English; the page says it plainly
                logger.exception("job %s: database error", job.pk)
                error = _("The database stopped answering while the job ran; nothing was saved halfway. Run it "
                          "again.")
            else:
                error = str(exc)[:2000]
            _set(job, side, status=JobStatus.FAILED, error=error, finished_at=timezone.now())
            raise
    finally:
        if side is not None:
            side.close()  # releases the lock


@task
def run_job(job_id: str) -> dict:
    recover_jobs()  # a worker starting work first marks the jobs of dead workers interrupted
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job.result  # already run (a retry queued twice)
    runner = import_string(job.runner)
    with _running(job) as side:
        # A result kept with the work (job_keep_result): an earlier run committed it and stopped before "done".
        result = job.result or runner(job, **job.params) or {}
        checkpoint("core.job.work_committed")  # the fault tests stop the worker here: work saved, job not "done"
        _set(job, side, status=JobStatus.DONE, result=result, finished_at=timezone.now(), error="",
             done=job.total or job.done)
    return result


def job_keep_result(job: Job, result: dict) -> dict:
    """Call inside the runner's transaction, with the result of its writes: the result commits with them, so a
    retry after a run that committed but stopped before "done" returns it instead of doing the work twice."""
    Job.objects.filter(pk=job.pk).update(result=result)
    job.result = result
    return result


# ---------------------------------------------------------------- recovery and retry


def _abandoned(job: Job, now) -> bool:
    """Is this "running" job's worker gone? PostgreSQL: its lock is free (the worker's connection closed). Elsewhere:
    no heartbeat for JOB_STALE_MINUTES."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(_alive_key(job)))
            free = cursor.fetchone()[0]
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(_alive_key(job)))
        return free
    last = job.heartbeat_at or job.started_at or job.updated_at
    return last is None or now - last > stale_after()


def recover_jobs(*, job: Job | None = None, now=None) -> int:
    """Mark "interrupted" the running jobs (or this one) whose worker is gone. Returns how many."""
    now = now or timezone.now()
    running = Job.objects.filter(status=JobStatus.RUNNING)
    if job is not None:
        running = running.filter(pk=job.pk)
    count = 0
    for candidate in running.only("id", "heartbeat_at", "started_at", "updated_at"):
        if _abandoned(candidate, now):
            # status=running again: a job that finished meanwhile keeps its state.
            count += Job.objects.filter(pk=candidate.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.INTERRUPTED, finished_at=now, updated_at=now,
                error=_("The job was interrupted: the server stopped before it finished."))
    if count:
        logger.warning("%s background job(s) interrupted by a stopped worker", count)
    return count


def job_to_show(job: Job | None) -> Job | None:
    """The job a page shows with its progress bar: one still running, or one interrupted (with "run again");
    a running job whose worker is gone is found out here."""
    if job is not None and job.status == JobStatus.RUNNING and recover_jobs(job=job):
        job.refresh_from_db()
    return job if job is not None and (not job.finished or job.status == JobStatus.INTERRUPTED) else None


@transaction.atomic
def job_retry(*, actor, job: Job, request=None) -> Job:
    """Queue a failed or interrupted job again, for the person who started it. Runners are safe to run again."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.actor_id is None or job.actor_id != getattr(actor, "pk", None):
        raise NotAllowed
    if not job.retryable:
        raise JobNotRetryable(_("This job is not stopped: it cannot be run again."))
    was = job.status
    job.status, job.error, job.message, job.done = JobStatus.QUEUED, "", "", 0
    job.started_at = job.finished_at = job.heartbeat_at = None
    job.attempts += 1
    job.save()
    record(actor, "core.job.retry", job, unit=job.unit, request=request,
           summary={"kind": job.kind, "was": was, "attempt": job.attempts + 1})
    transaction.on_commit(lambda: run_job.enqueue(job_id=str(job.pk)))
    return job
