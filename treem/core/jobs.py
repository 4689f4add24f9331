"""Long work (imports, linkage, report rendering) runs as a background task that reports progress into a Job row.

A view starts it with `job_start`; the page polls `/jobs/<id>/` (HTMX) and shows a progress bar until it is done.
The task function receives the job id and calls `job_progress` and `job_finish` (or raises: the job is marked failed).
"""

from contextlib import contextmanager

from django.db import transaction
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
    """Save progress without touching the caller's transaction (a separate, tiny update)."""
    fields = {"done": done, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message[:300]
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)


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
