"""One personal ID per child when several writers save at once: two single saves, two imports in two communes, an
import and a single save. Each writer runs in its own thread and connection and commits for real; the check for the
number is slowed (the first writer waits at `Race` until the other has looked too or waits for its lock) so that,
without the locks (registry.services.hold_personal_ids and the lock on each number), both would find the number free
before either writes. The writers' connections commit outside the test's transaction, so the tests clean up after
themselves. PostgreSQL only: SQLite runs one writing transaction at a time."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection

from tests.registry.registry_fixtures import csv_bytes, pid, rows_for_file, years_ago
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import importing
from treem.registry import services as registry
from treem.registry.imports import planner as import_planner
from treem.registry.models import Child, Household, ImportBatch

pytestmark = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="two writers at once: PostgreSQL (SQLite runs one writing transaction at a time)")

BORN = years_ago(7)
NUMBER = pid("F", BORN, 4242)
FILENAME = "dong-thoi.csv"


class Race:
    """Where two writers meet at their check for the number. The first to arrive waits until the race is staged: the
    other writer has run its check too (no lock kept them apart: both will find the number free), or PostgreSQL shows
    the other writer waiting for a lock the first one holds. `staged` says which; it stays None when neither happened
    within a minute, and the tests then fail, so that a slow machine cannot pass a test whose race never ran."""

    def __init__(self):
        self.arrived, self.staged, self._lock = 0, None, threading.Lock()

    def meet(self):
        with self._lock:
            self.arrived += 1
            first = self.arrived == 1
        if not first:
            return
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.arrived >= 2:
                self.staged = "both checked"
                return
            if _another_writer_waits_for_a_lock():
                self.staged = "the other writer waited for the lock"
                return
            time.sleep(0.02)


def _another_writer_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                       "WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid())")
        return cursor.fetchone()[0]


def _slowed(module, name, monkeypatch, race=None):
    """Make module.name, once it has looked, wait at the race until the other writer has looked too or waits."""
    real, race = getattr(module, name), race or Race()

    def slow(*args, **kwargs):
        found = real(*args, **kwargs)
        race.meet()
        return found

    monkeypatch.setattr(module, name, slow)
    return race


def _import(commune, name, outcomes):
    content = csv_bytes(rows_for_file([(name, BORN, "Nữ", "Thái", NUMBER, "Bản Mới", "", "")]))
    try:
        _plan, summary = importing.import_file(content, FILENAME, commune=commune, actor=SYSTEM, commit=True)
        outcomes.append("saved" if summary["create"] == 1 else "refused")
    finally:
        connection.close()


def _create(commune, name, outcomes):
    try:
        registry.child_create(actor=SYSTEM, commune=commune, data={
            "full_name": name, "sex": "F", "birth_date": BORN, "personal_id": NUMBER})
        outcomes.append("saved")
    except ValidationError:
        outcomes.append("refused")
    finally:
        connection.close()


def _clean_up():
    try:
        children = Child.objects.filter(personal_id=NUMBER)
        households = [pk for pk in children.values_list("household_id", flat=True) if pk]
        batches = ImportBatch.objects.filter(filename=FILENAME)
        ids = [str(pk) for pk in [*children.values_list("pk", flat=True), *batches.values_list("pk", flat=True)]]
        AuditEvent.objects.filter(object_id__in=ids).delete()
        children.delete()
        Household.objects.filter(pk__in=households).delete()
        batches.delete()
    finally:
        connection.close()


def _run_at_once(*writers):
    outcomes = []
    threads = [threading.Thread(target=target, args=(*args, outcomes)) for target, *args in writers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(outcomes), Child.objects.filter(personal_id=NUMBER).count()
    finally:
        cleaner = threading.Thread(target=_clean_up)
        cleaner.start()
        cleaner.join()


def test_two_saves_of_the_same_new_number_at_once_keep_one(commune_x, monkeypatch):
    race = _slowed(registry, "personal_id_taken", monkeypatch)
    outcomes, on_register = _run_at_once((_create, commune_x, "Lò Thị Một"), (_create, commune_x, "Lò Thị Hai"))
    assert race.staged is not None, "the two writers never met: the race was not staged"
    assert outcomes == ["refused", "saved"]
    assert on_register == 1


def test_two_imports_in_two_communes_cannot_both_take_one_new_number(commune_x, commune_y, monkeypatch):
    race = _slowed(import_planner, "_elsewhere", monkeypatch)
    outcomes, on_register = _run_at_once((_import, commune_x, "Lò Thị Xuân"), (_import, commune_y, "Lò Thị Yến"))
    assert race.staged is not None, "the two writers never met: the race was not staged"
    assert outcomes == ["refused", "saved"]
    assert on_register == 1


def test_an_import_and_a_single_save_cannot_both_take_one_new_number(commune_x, commune_y, monkeypatch):
    # The import's check and the single save's check meet at the same race.
    race = _slowed(import_planner, "_elsewhere", monkeypatch)
    _slowed(registry, "personal_id_taken", monkeypatch, race)
    outcomes, on_register = _run_at_once((_import, commune_x, "Lò Thị Xuân"), (_create, commune_y, "Lò Thị Yến"))
    assert race.staged is not None, "the two writers never met: the race was not staged"
    assert outcomes == ["refused", "saved"]
    assert on_register == 1


def test_an_import_and_a_single_save_in_one_commune_take_turns(commune_x, monkeypatch):
    # The save adds a child to the commune the import holds: the two must not wait for each other in a circle.
    race = _slowed(import_planner, "_elsewhere", monkeypatch)
    _slowed(registry, "personal_id_taken", monkeypatch, race)
    outcomes, on_register = _run_at_once((_import, commune_x, "Lò Thị Xuân"), (_create, commune_x, "Lò Thị Yến"))
    assert race.staged is not None, "the two writers never met: the race was not staged"
    assert outcomes == ["refused", "saved"]
    assert on_register == 1

