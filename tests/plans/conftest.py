"""Fixtures for the plans tests.

`demo_world` loads the demo agencies, users and plans (the seeds read through the parser) once for the package and
removes them afterwards; each test still runs in its own transaction, so what a test writes is rolled back.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.test import override_settings

SEEDS = Path(__file__).resolve().parents[2] / "treem" / "plans" / "seeds"
SEED_001 = SEEDS / "001_626193b0675de070.txt"
SEED_002 = SEEDS / "002_dd8384e2b7666dd2.txt"


def _cleanup(marks: dict) -> None:
    from treem.accounts.models import Agency, AgencySuccession, Assignment, User
    from treem.audit.models import AuditEvent
    from treem.core.models import Job
    from treem.plans import models as m

    for model in (m.Reminder, m.ConsolidatedReport, m.Attachment, m.SubmissionEvent, m.SubmissionFigure,
                  m.Submission, m.RoundAgency, m.ReportingRound, m.TaskUpdate, m.TaskAgency, m.Task, m.TargetValue,
                  m.Target, m.PlanDraft):
        model.objects.all().delete()
    m.Document.implements.through.objects.all().delete()
    m.Document.objects.all().delete()
    Job.objects.all().delete()
    AuditEvent.objects.filter(pk__gt=marks["audit"]).delete()
    Assignment.objects.filter(pk__gt=marks["assignment"]).delete()
    # Raw deletes: what referred to these rows is gone, and collecting cascades would touch every app's tables
    # (including apps whose migrations are still being written).
    users = User.objects.filter(pk__gt=marks["user"])
    users._raw_delete(users.db)
    successions = AgencySuccession.objects.filter(pk__gt=marks["succession"])
    successions._raw_delete(successions.db)
    Agency.objects.filter(pk__gt=marks["agency"]).update(parent=None)
    agencies = Agency.objects.filter(pk__gt=marks["agency"])
    agencies._raw_delete(agencies.db)


@pytest.fixture(scope="package")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo: provinces 12, 91 and 92 with agencies and users, the cascade, the three 2026 rounds."""
    from django.db.models import Max

    from treem.accounts import demo as accounts_demo
    from treem.accounts.models import Agency, AgencySuccession, Assignment, User
    from treem.audit.models import AuditEvent
    from treem.plans import demo as plans_demo

    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        marks = {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in (
            ("audit", AuditEvent), ("assignment", Assignment), ("user", User), ("succession", AgencySuccession),
            ("agency", Agency))}
        with override_settings(VAR_DIR=var):
            accounts_demo.load(StringIO())
            plans_demo.load(StringIO())
    yield {"password": (var / "demo_password").read_text().strip()}
    with django_db_blocker.unblock():
        _cleanup(marks)


@pytest.fixture
def world(demo_world, db):
    """The demo inside a test's transaction, with shortcuts."""
    from treem.accounts.models import User
    from treem.plans.models import Document, ReportingRound

    class World:
        password = demo_world["password"]

        @staticmethod
        def user(username: str) -> User:
            return User.objects.get(username=username)

        @staticmethod
        def document(number: str) -> Document:
            return Document.objects.get(number=number)

        @staticmethod
        def round(province_code: str) -> ReportingRound:
            return ReportingRound.objects.get(province__code=province_code, province__system="current")

    return World()


def agency(province_code: str, name: str):
    from treem.accounts.models import Agency

    return Agency.objects.get(province__code=province_code, province__system="current", name=name)


def overdue_text() -> str:
    """How late the demo's 2026 round is today (the demo fixes its deadline, 10/11/2026; the clock moves on)."""
    from django.utils import timezone

    from treem.plans.demo import DEADLINE

    return f"quá hạn {(timezone.localdate() - DEADLINE).days} ngày"
