"""Fixtures shared by the register and data-quality tests."""

import pytest

from treem.accounts.models import Role


@pytest.fixture
def reference(db):
    """The special-circumstance groups and risk flags (reference data every installation loads)."""
    from treem.registry.reference import load_reference

    load_reference()


@pytest.fixture
def worker_y(make_user, commune_y):
    return make_user("canbo.y", Role.COMMUNE_WORKER, commune_y)


@pytest.fixture
def leader(make_user, lai_chau):
    return make_user("lanhdao.laichau", Role.LEADER, lai_chau)
