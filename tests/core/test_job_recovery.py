"""Jobs whose worker stopped: recovery marks them interrupted, the page says so in Vietnamese, and the person who
started the job (only they) can run it again. The processes really killed are in test_faults.py (PostgreSQL)."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from treem.audit.models import AuditEvent
from treem.core.jobs import recover_jobs
from treem.core.models import Job, JobStatus

RUNNER = "tests.foundation.test_jobs.counting_runner"


def _running(actor, *, beat_minutes_ago: int) -> Job:
    beat = timezone.now() - timedelta(minutes=beat_minutes_ago)
    return Job.objects.create(kind="test.count", actor=actor, runner=RUNNER, params={"n": 3}, total=3, done=1,
                              status=JobStatus.RUNNING, started_at=beat, heartbeat_at=beat)


def test_a_running_job_without_a_worker_is_interrupted(national_admin, settings):
    settings.JOB_STALE_MINUTES = 15
    silent = _running(national_admin, beat_minutes_ago=60)
    recent = _running(national_admin, beat_minutes_ago=1)
    done = Job.objects.create(kind="test", actor=national_admin, runner=RUNNER, status=JobStatus.DONE)
    out = StringIO()
    call_command("recover_jobs", stdout=out)
    silent.refresh_from_db(), recent.refresh_from_db(), done.refresh_from_db()
    assert silent.status == JobStatus.INTERRUPTED and silent.finished_at is not None
    # PostgreSQL knows no worker holds the job's lock, so even a recent heartbeat is no sign of life; elsewhere the
    # heartbeat is all there is, and a job heard from a minute ago is left running.
    expected = JobStatus.INTERRUPTED if connection.vendor == "postgresql" else JobStatus.RUNNING
    assert recent.status == expected
    assert done.status == JobStatus.DONE
    assert out.getvalue().startswith(f"{2 if expected == JobStatus.INTERRUPTED else 1} interrupted")
    assert recover_jobs() == 0  # nothing left to recover


def test_the_job_page_shows_an_interrupted_job_in_vietnamese_with_run_again_for_its_owner(
        client, national_admin, worker_x):
    job = _running(national_admin, beat_minutes_ago=60)
    client.force_login(national_admin)
    page = client.get(f"/jobs/{job.pk}/").content.decode()  # the page itself notices the silent worker
    assert "Bị gián đoạn" in page and "Không có gì bị lưu dở dang" in page
    assert "Chạy lại" in page and f'hx-post="/jobs/{job.pk}/retry/"' in page
    assert "hx-get" not in page  # stops polling
    client.force_login(worker_x)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED


def test_the_owner_runs_an_interrupted_job_again_and_it_is_logged(
        client, national_admin, django_capture_on_commit_callbacks):
    job = _running(national_admin, beat_minutes_ago=60)
    recover_jobs()
    client.force_login(national_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{job.pk}/retry/", HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert response.status_code == 200 and job.status == JobStatus.DONE
    assert job.result == {"counted": 3, "url": "/done/"} and job.attempts == 1
    event = AuditEvent.objects.get(action="core.job.retry")
    assert event.object_id == str(job.pk) and event.summary["was"] == JobStatus.INTERRUPTED


def test_a_job_still_running_cannot_be_run_again(client, national_admin):
    job = _running(national_admin, beat_minutes_ago=0)
    client.force_login(national_admin)
    response = client.post(f"/jobs/{job.pk}/retry/", {"next": "/"}, follow=True)
    assert "Công việc này chưa dừng nên không thể chạy lại." in response.content.decode()
    job.refresh_from_db()
    assert job.attempts == 0 and not AuditEvent.objects.filter(action="core.job.retry").exists()
