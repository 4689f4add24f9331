"""The demo world for the targets, reported-values, API and report-command tests: accounts, plans (the seeds read
through the parser) and the indicators demo, loaded once per test module and removed afterwards."""

from io import StringIO

import pytest
from django.test import override_settings


def _cleanup_indicators() -> None:
    from treem.indicators.models import Indicator, Rollup, TargetBinding, Value, ValueRevision

    ValueRevision.objects.all().delete()
    Value.objects.all().delete()
    Rollup.objects.all().delete()
    TargetBinding.objects.all().delete()
    Indicator.objects.filter(catalogue_version="demo").delete()


@pytest.fixture(scope="module")
def ind_world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db.models import Max

    from tests.plans.conftest import _cleanup
    from treem.accounts import demo as accounts_demo
    from treem.accounts.models import Agency, AgencySuccession, Assignment, User
    from treem.audit.models import AuditEvent
    from treem.indicators import demo as indicators_demo
    from treem.plans import demo as plans_demo

    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        marks = {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in (
            ("audit", AuditEvent), ("assignment", Assignment), ("user", User), ("succession", AgencySuccession),
            ("agency", Agency))}
        with override_settings(VAR_DIR=var):
            accounts_demo.load(StringIO())
            plans_demo.load(StringIO())
            indicators_demo.load(StringIO())
    yield {"password": (var / "demo_password").read_text().strip()}
    with django_db_blocker.unblock():
        _cleanup_indicators()
        _cleanup(marks)


@pytest.fixture
def iw(ind_world, db):
    from treem.accounts.models import User

    class World:
        password = ind_world["password"]

        @staticmethod
        def user(username: str) -> User:
            return User.objects.get(username=username)

    return World()


def province(code: str):
    from treem.geo.models import Unit, UnitLevel, UnitSystem

    return Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code)


def seed_target(words: str):
    """A target of seed 001 (Cần Thơ) by folded words of its text."""
    from treem.core.text import fold
    from treem.plans.models import Target

    return next(t for t in Target.objects.filter(document__number="61-CTr/TU") if words in fold(t.text))
