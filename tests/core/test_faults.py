"""Faults: the worker process killed, or its database connection cut, in the middle of an import, a report
generation or a merge leaves nothing half-done, and the job can be run again safely.

Each test starts a real process (the background worker `manage.py db_worker`, or a script for the merge, which runs
in a web request) on the test database, and stops it in the middle of writing. How the middle is reached: the test
holds an advisory lock and names a pause point (treem.core.faults.checkpoint, placed after the rows are written and
before the commit) in the process's environment; the runner waits there, inside its transaction. The test checks
from outside that it is really there (PostgreSQL shows the backend waiting on that lock, in a transaction that holds
the write lock of the table it fills; for the import, the table has grown by the rows written) and only then kills
the process (SIGKILL) or terminates its database backend: it fails if that state is never reached. (A row lock held
on the acting user is no such point: foreign keys are checked at COMMIT, and a COMMIT already sent completes even
when its client is killed.) PostgreSQL only: that is where the worker, locks and backends are real (CI has it)."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from tests.registry.registry_fixtures import HEADER, pid, xlsx_bytes
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.core import faults
from treem.core.jobs import recover_jobs, run_job
from treem.core.models import Job, JobStatus
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import importing
from treem.registry.models import Child, ChildStatus, ImportBatch, ImportStatus
from treem.registry.quality import services as quality
from treem.registry.quality.duplicates import canonical
from treem.registry.quality.models import DuplicatePair, PairStatus
from treem.registry.reference import load_reference

pytestmark = [
    pytest.mark.django_db(transaction=True),  # committed, so the worker process sees the data
    pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="kills a real worker process and its PostgreSQL backend: needs DATABASE_URL to be "
                              "PostgreSQL (CI always has it); SQLite has no server backend or advisory lock to stage "
                              "it with"),
]

ROOT = Path(__file__).resolve().parents[2]
ROWS = 2000
DEADLINE = 180  # seconds to reach a stage before the test fails (not a timing assertion: a hang guard)
INTERRUPTED_PAGE = "Bị gián đoạn"


# ---------------------------------------------------------------- staging


@pytest.fixture(autouse=True)
def units(transactional_db):
    # A transactional test starts from the database other such tests flushed: load the units again if needed.
    if not Unit.objects.exists():
        call_command("load_units", verbosity=0)
    load_reference()


def _env(settings_module: str) -> dict:
    name = connection.settings_dict["NAME"]  # the test database, committed to and visible to another process
    return {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
            **({"PGPASSWORD": connection.settings_dict["PASSWORD"]} if connection.settings_dict.get("PASSWORD")
               else {})}


def _start_worker(pause) -> subprocess.Popen:
    """The real background worker, as in production (`treem db_worker`), on the test database."""
    return subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"], cwd=ROOT,
                            env=pause.env("tests.core.worker_settings"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def _queue(job: Job) -> None:
    """What job_start does on commit, into the database queue the worker reads (the tests run tasks at once)."""
    from django_tasks_db.backend import DatabaseBackend

    DatabaseBackend("default", {}).enqueue(run_job, (), {"job_id": str(job.pk)})


class Pause:
    """Hold the advisory lock of a pause point on a connection of the test's own; a process started with
    `env()` waits at that point until `release()`."""

    def __init__(self, point: str):
        self.point = point
        self.conn = connections.create_connection("default")
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(faults.lock_key(point)))
            cursor.execute("SELECT pg_backend_pid()")
            self.pid = cursor.fetchone()[0]

    def env(self, settings_module: str) -> dict:
        return {**_env(settings_module), faults.ENV: self.point}

    def release(self) -> None:
        self.conn.close()


def _table_size(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s::regclass)", [table])
        return cursor.fetchone()[0]


def _stuck_writer(table: str | None, lock: Pause, process: subprocess.Popen) -> int:
    """Wait until a backend waits for the pause point's lock, while holding the write lock on `table` (it has
    written rows there in its open transaction) when a table is named; return its pid. Fails if it never happens."""
    until = time.monotonic() + DEADLINE
    while time.monotonic() < until:
        assert process.poll() is None, process.stdout.read().decode(errors="replace")[-3000:]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.pid FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> %s "
                "AND a.wait_event_type = 'Lock' AND a.query NOT ILIKE 'COMMIT%%' "
                "AND EXISTS (SELECT 1 FROM pg_locks w WHERE w.pid = a.pid AND NOT w.granted "
                "AND w.locktype = 'advisory' AND w.classid::bigint = %s "
                "AND w.objid::bigint = (%s::bigint & 4294967295)) "
                "AND (%s::text IS NULL OR (a.backend_xid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_locks l "
                "WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock' "
                "AND l.relation = %s::text::regclass)))",
                [lock.pid, *faults.lock_key(lock.point), table, table])
            found = cursor.fetchone()
        if found:
            return found[0]
        time.sleep(0.2)
    pytest.fail(f"the runner never reached the middle of writing {table}")


def _backend_gone(pid_: int) -> None:
    """A killed client's backend ends (rolling back) once its statement finishes; wait for that."""
    until = time.monotonic() + DEADLINE
    while time.monotonic() < until:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid_])
            if cursor.fetchone() is None:
                return
        time.sleep(0.2)
    pytest.fail(f"backend {pid_} did not end")


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=DEADLINE)
    assert process.returncode == -signal.SIGKILL


# ---------------------------------------------------------------- the import


def _children_file(tmp_path) -> bytes:
    born = date(2016, 1, 1)
    rows = [[i, f"Lò Văn Thử {i:04d}", date.fromordinal(born.toordinal() + i % 3000), "Nam", "Thái",
             pid("M", date.fromordinal(born.toordinal() + i % 3000), 100000 + i), "Bản Mới",
             f"Lò Thị Mẹ {i:04d}", ""] for i in range(1, ROWS + 1)]
    return xlsx_bytes(tmp_path, rows, header=HEADER)


@pytest.fixture
def import_job(tmp_path, make_user):
    """A checked batch of 2,000 new children, its save queued as the import page does for a large file."""
    commune = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code="03390")
    worker = make_user("canbo.x", Role.COMMUNE_WORKER, commune)
    batch = importing.batch_create(actor=worker, commune=commune, filename="danh-sach.xlsx",
                                   content=_children_file(tmp_path))
    importing.batch_preview(batch)
    assert batch.status == ImportStatus.PREVIEWED and batch.summary["create"] == ROWS
    job = Job.objects.create(kind="registry.import.commit", actor=worker, unit=commune, total=ROWS,
                             runner="treem.registry.importing.run_commit", params={"batch_id": str(batch.pk)})
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING, job=job)
    return worker, commune, batch, job


def _import_stopped_mid_write(import_job, stop) -> None:
    """Start the worker on the import, wait for the middle of writing, `stop(process, backend_pid)`, release."""
    _worker, commune, _batch, job = import_job
    before = _table_size("registry_child")
    lock = Pause("registry.import.children_written")
    process = _start_worker(lock)
    try:
        _queue(job)
        backend = _stuck_writer("registry_child", lock, process)
        job.refresh_from_db()
        # Mid-write, seen from outside: running, every row checked, saving, and the rows written but not committed.
        assert job.status == JobStatus.RUNNING and job.heartbeat_at is not None
        assert job.message == "Đang lưu vào sổ" and job.done == ROWS
        assert _table_size("registry_child") > before
        assert not Child.objects.filter(commune=commune).exists()
        # A worker that is alive is never taken for dead, however long since its last heartbeat (a long write).
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
        assert recover_jobs() == 0
        stop(process, backend)
    finally:
        lock.release()
        if process.poll() is None:
            process.wait(timeout=DEADLINE)
    _backend_gone(backend)


def _nothing_imported(commune, batch) -> None:
    assert not Child.objects.filter(commune=commune).exists()
    assert not Child.objects.filter(import_batch=batch).exists()
    assert not AuditEvent.objects.filter(action="registry.import.commit").exists()


def _imported_once(commune, batch) -> None:
    children = Child.objects.filter(commune=commune)
    assert children.count() == ROWS
    assert children.values("personal_id").distinct().count() == ROWS
    assert AuditEvent.objects.filter(action="registry.import.commit").count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.summary["create"] == ROWS


def test_a_worker_killed_mid_import_leaves_nothing_and_the_retry_imports_every_row_once(import_job, client):
    worker, commune, batch, job = import_job
    _import_stopped_mid_write(import_job, lambda process, backend: _kill(process))

    _nothing_imported(commune, batch)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # what a dead worker leaves behind, until recovery
    assert recover_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED

    client.force_login(worker)
    page = client.get(f"/children/import/{batch.pk}/").content.decode()
    assert INTERRUPTED_PAGE in page and "Chạy lại" in page and f"/jobs/{job.pk}/retry/" in page
    retried = client.post(f"/jobs/{job.pk}/retry/", HTTP_HX_REQUEST="true")  # runs at once in the tests
    assert retried.status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1
    _imported_once(commune, batch)
    assert AuditEvent.objects.filter(action="core.job.retry", object_id=str(job.pk)).count() == 1


def _killed_after_the_work_committed(job: Job) -> None:
    """Run the job in the worker and kill it after the runner committed, before the job is marked done."""
    lock = Pause("core.job.work_committed")
    process = _start_worker(lock)
    try:
        _queue(job)
        backend = _stuck_writer(None, lock, process)
        _kill(process)
    finally:
        lock.release()
    _backend_gone(backend)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert recover_jobs() == 1


def test_a_worker_killed_after_the_import_committed_saves_nothing_twice_on_retry(import_job, client):
    worker, commune, batch, job = import_job
    _killed_after_the_work_committed(job)
    _imported_once(commune, batch)  # the commit went through
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED

    client.force_login(worker)
    client.post(f"/jobs/{job.pk}/retry/", HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    _imported_once(commune, batch)


def test_the_database_cutting_the_worker_off_mid_import_fails_the_job_and_the_retry_works(import_job, client):
    worker, commune, batch, job = import_job

    def terminate(process, backend):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
            assert cursor.fetchone()[0] is True

    _import_stopped_mid_write(import_job, terminate)
    _nothing_imported(commune, batch)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED, job.error  # not "running" for ever
    assert "Cơ sở dữ liệu ngừng phản hồi" in job.error
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED  # ready to save again

    client.force_login(worker)
    assert "Chạy lại" in client.get(f"/jobs/{job.pk}/").content.decode()
    client.post(f"/jobs/{job.pk}/retry/", HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    _imported_once(commune, batch)


# ---------------------------------------------------------------- the merge (a web request, one transaction)


MERGE_SCRIPT = """
import sys
import django
django.setup()
from treem.accounts.models import User
from treem.registry.quality import services as quality
from treem.registry.quality.models import DuplicatePair
pair = DuplicatePair.objects.get(pk=sys.argv[1])
quality.children_merge(actor=User.objects.get(pk=sys.argv[2]), pair=pair, survivor=sys.argv[3],
                       choices={"personal_id": sys.argv[4]})
"""


def test_a_process_killed_mid_merge_leaves_nothing_half_merged_and_the_merge_can_be_done_again(make_user):
    commune = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code="03390")
    worker = make_user("canbo.x", Role.COMMUNE_WORKER, commune)
    born = date(2017, 5, 20)
    from treem.registry import services as registry

    without_id = registry.child_create(actor=worker, commune=commune,
                                       data={"full_name": "Cầm Văn Sơn", "sex": "M", "birth_date": born})
    with_id = registry.child_create(actor=worker, commune=commune, data={
        "full_name": "Cầm Văn Sơn", "sex": "M", "birth_date": born, "personal_id": pid("M", born, 10)})
    a, b = canonical(without_id.pk, with_id.pk)
    now = timezone.now()
    pair = DuplicatePair.objects.create(child_a_id=a, child_b_id=b, commune=commune, other_commune=commune,
                                        province_id=commune.province_id, probability=0.99, match_weight=12,
                                        detected_at=now, last_seen_at=now)
    survivor, other = ("a", "b") if a == without_id.pk else ("b", "a")

    lock = Pause("quality.merge.records_changed")
    process = subprocess.Popen([sys.executable, "-c", MERGE_SCRIPT, str(pair.pk), str(worker.pk), survivor, other],
                               cwd=ROOT, env=lock.env("config.settings.test"), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        backend = _stuck_writer("registry_child", lock, process)  # both records changed, not committed
        _kill(process)
    finally:
        lock.release()
    _backend_gone(backend)

    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    assert Child.objects.get(pk=without_id.pk).personal_id == ""
    assert {c.status for c in Child.objects.filter(pk__in=[a, b])} == {ChildStatus.ACTIVE}
    assert not Child.objects.filter(merged_into__isnull=False).exists()
    assert not AuditEvent.objects.filter(action__in=["registry.child.merge", "registry.child.merged_into"]).exists()

    kept = quality.children_merge(actor=worker, pair=pair, survivor=survivor, choices={"personal_id": other})
    assert kept.personal_id == pid("M", born, 10)
    with pytest.raises(quality.QualityProblem):  # done again (a double click, a retried request): nothing twice
        quality.children_merge(actor=worker, pair=pair, survivor=survivor, choices={"personal_id": other})
    assert AuditEvent.objects.filter(action="registry.child.merge").count() == 1


# ---------------------------------------------------------------- the consolidated report


def test_a_worker_killed_while_saving_the_consolidated_report_presents_no_report_and_the_retry_makes_one(
        make_user, client):
    from treem.plans.models import ConsolidatedReport, Document, DocumentType, ReportingRound

    province = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code="12")
    officer = make_user("tinh.laichau", Role.FOCAL_OFFICER, province)
    document = Document.objects.create(doc_type=DocumentType.PLAN, number="12/KH-UBND", province=province,
                                       title="Kế hoạch bảo vệ trẻ em năm 2026")
    round_ = ReportingRound.objects.create(title="Báo cáo kết quả năm 2026", document=document, province=province,
                                           period_year=2026, deadline=date(2026, 11, 10))
    job = Job.objects.create(kind="plans.consolidate", actor=officer, unit=province, total=2,
                             runner="treem.plans.consolidation.run", params={"round_id": str(round_.pk)})

    lock = Pause("plans.consolidate.report_written")
    process = _start_worker(lock)
    try:
        _queue(job)
        backend = _stuck_writer("plans_consolidatedreport", lock, process)
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and 0 < job.done < job.total  # rendered, saving
        _kill(process)
    finally:
        lock.release()
    _backend_gone(backend)

    assert not ConsolidatedReport.objects.exists()
    assert recover_jobs() == 1
    client.force_login(officer)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert INTERRUPTED_PAGE in page and "Chạy lại" in page
    assert "hx-get" not in page  # no more polling

    client.post(f"/jobs/{job.pk}/retry/", HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    report = ConsolidatedReport.objects.get()
    assert job.result["report"] == str(report.pk) and report.docx.name and report.pdf.name

    # Another run killed after its report was committed, before "done": running it again makes no second report.
    again = Job.objects.create(kind="plans.consolidate", actor=officer, unit=province, total=2,
                               runner="treem.plans.consolidation.run", params={"round_id": str(round_.pk)})
    _killed_after_the_work_committed(again)
    assert ConsolidatedReport.objects.count() == 2
    client.post(f"/jobs/{again.pk}/retry/", HTTP_HX_REQUEST="true")
    again.refresh_from_db()
    assert again.status == JobStatus.DONE and ConsolidatedReport.objects.count() == 2
    assert again.result["report"] in {str(pk) for pk in ConsolidatedReport.objects.values_list("pk", flat=True)}
