"""Shared fixtures: the real administrative units are loaded once into the test database."""

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client

from treem.accounts.models import Assignment, Role, User
from treem.geo.models import Unit, UnitLevel, UnitSystem


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_units", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login throttles and rate limits live in the cache: one test's failures must not hold the next one back. The
    # database cache (the default) is rolled back with each test; Redis (REDIS_URL) is not.
    if "Database" not in caches["default"].__class__.__name__:
        cache.clear()


_force_login = Client.force_login


def _force_login_complete(self, user, backend=None):
    """force_login skips the password; it skips the second factor too (tests of 2FA log in through the pages)."""
    from treem.accounts.two_factor import SESSION_PASSED

    _force_login(self, user, backend)
    session = self.session
    session[SESSION_PASSED] = user.pk
    session.save()


Client.force_login = _force_login_complete


def pytest_collection_modifyitems(config, items):
    # Browser tests use a live server and a flushed (transactional) database: run them last so the units loaded
    # once per session serve every other test.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def current(level: str, code: str) -> Unit:
    if not Unit.objects.exists():
        # A transactional test before this one flushed the database (they run last, in any order): load them again.
        call_command("load_units", verbosity=0)
    return Unit.objects.get(system=UnitSystem.CURRENT, level=level, code=code)


@pytest.fixture
def lai_chau(db):
    return current(UnitLevel.PROVINCE, "12")


@pytest.fixture
def an_giang(db):
    return current(UnitLevel.PROVINCE, "91")


@pytest.fixture
def commune_x(db):
    return current(UnitLevel.COMMUNE, "03390")  # Xã Bình Lư, Lai Châu


@pytest.fixture
def commune_y(db):
    return current(UnitLevel.COMMUNE, "03394")  # Xã Sin Suối Hồ, Lai Châu


@pytest.fixture
def make_user(db):
    def make(username: str, role: str | None = None, unit: Unit | None = None, agency=None, **extra) -> User:
        user = User.objects.create_user(username=username, password="Mat-khau-2026!", full_name=username, **extra)
        if role:
            Assignment.objects.create(user=user, role=role, unit=unit, agency=agency)
        return user

    return make


@pytest.fixture
def worker_x(make_user, commune_x):
    return make_user("canbo.x", Role.COMMUNE_WORKER, commune_x)


@pytest.fixture
def province_officer(make_user, lai_chau):
    return make_user("tinh.laichau", Role.FOCAL_OFFICER, lai_chau)


@pytest.fixture
def national_admin(make_user):
    return make_user("quantri", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True)
