import pytest
from django.db import connections, transaction

from treem.core.jobs import job_progress, job_start
from treem.core.models import Job, JobStatus


def counting_runner(job, *, n):
    for i in range(1, n + 1):
        job_progress(job, i, n, message=f"{i}/{n}")
    return {"counted": n, "url": "/done/"}


def failing_runner(job):
    raise ValueError("tệp hỏng")


def test_job_runs_reports_progress_and_result(django_capture_on_commit_callbacks, national_admin):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=national_admin, kind="test.count", params={"n": 3},
                        runner="tests.foundation.test_jobs.counting_runner")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 3, "url": "/done/"}
    assert job.percent == 100 and job.message == "3/3"


def test_failed_job_keeps_the_error(django_capture_on_commit_callbacks, national_admin):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=national_admin, kind="test.fail", params={},
                        runner="tests.foundation.test_jobs.failing_runner")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "tệp hỏng" in job.error


def test_progress_page_is_only_for_who_started_the_job(client, national_admin, worker_x):
    job = Job.objects.create(kind="test", actor=national_admin, runner="x", total=4, done=1)
    client.force_login(worker_x)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(national_admin)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'value="25"' in page and "hx-get" in page


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_runner_transaction_is_open():
    """PostgreSQL: another connection (the polling page) sees progress before the runner commits. SQLite has one
    writer, so there progress is written in the runner's transaction and seen once it commits."""
    job = Job.objects.create(kind="test", actor=None, runner="x", total=10)
    postgres = connections["default"].vendor == "postgresql"
    with transaction.atomic():
        job_progress(job, 4, message="đang lưu")
        if postgres:
            observer = connections.create_connection("default")
            try:
                with observer.cursor() as cursor:
                    cursor.execute("SELECT done, message FROM core_job WHERE id = %s", [job.pk])
                    assert cursor.fetchone() == (4, "đang lưu")
            finally:
                observer.close()
    job.refresh_from_db()
    assert (job.done, job.message) == (4, "đang lưu")
