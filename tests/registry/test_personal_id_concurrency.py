"""One personal ID per child when several writers save at once: two single saves, two imports in two communes, an
import and a single save. Each writer runs in its own thread and connection and commits for real; the check for the
number is slowed (a barrier both must reach) so that, without the locks (registry.services.hold_personal_ids and the
lock on each number), both would find the number free before either writes. The writers' connections commit outside
the test's transaction, so the tests clean up after themselves. PostgreSQL only: SQLite runs one writing transaction
at a time."""

import contextlib
import threading

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection

from tests.registry.registry_fixtures import csv_bytes, pid, rows_for_file, years_ago
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import importing
from treem.registry import services as registry
from treem.registry.models import Child, Household, ImportBatch

pytestmark = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="two writers at once: PostgreSQL (SQLite runs one writing transaction at a time)")

BORN = years_ago(7)
NUMBER = pid("F", BORN, 4242)
FILENAME = "dong-thoi.csv"


def _slowed(module, name, monkeypatch, barrier=None):
    """Make module.name wait (up to 3 s) at the barrier until the other writer has run its check."""
    real, barrier = getattr(module, name), barrier or threading.Barrier(2, timeout=3)

    def slow(*args, **kwargs):
        found = real(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other writer is waiting for the lock
            barrier.wait()
        return found

    monkeypatch.setattr(module, name, slow)
    return barrier


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
    _slowed(registry, "personal_id_taken", monkeypatch)
    outcomes, on_register = _run_at_once((_create, commune_x, "Lò Thị Một"), (_create, commune_x, "Lò Thị Hai"))
    assert outcomes == ["refused", "saved"]
    assert on_register == 1


def test_two_imports_in_two_communes_cannot_both_take_one_new_number(commune_x, commune_y, monkeypatch):
    _slowed(importing, "_elsewhere", monkeypatch)
    outcomes, on_register = _run_at_once((_import, commune_x, "Lò Thị Xuân"), (_import, commune_y, "Lò Thị Yến"))
    assert outcomes == ["refused", "saved"]
    assert on_register == 1


def test_an_import_and_a_single_save_cannot_both_take_one_new_number(commune_x, commune_y, monkeypatch):
    # The import's check and the single save's check wait at the same barrier.
    barrier = _slowed(importing, "_elsewhere", monkeypatch)
    _slowed(registry, "personal_id_taken", monkeypatch, barrier)
    outcomes, on_register = _run_at_once((_import, commune_x, "Lò Thị Xuân"), (_create, commune_y, "Lò Thị Yến"))
    assert outcomes == ["refused", "saved"]
    assert on_register == 1


def test_an_import_and_a_single_save_in_one_commune_take_turns(commune_x, monkeypatch):
    # The save adds a child to the commune the import holds: the two must not wait for each other in a circle.
    barrier = _slowed(importing, "_elsewhere", monkeypatch)
    _slowed(registry, "personal_id_taken", monkeypatch, barrier)
    outcomes, on_register = _run_at_once((_import, commune_x, "Lò Thị Xuân"), (_create, commune_x, "Lò Thị Yến"))
    assert outcomes == ["refused", "saved"]
    assert on_register == 1

