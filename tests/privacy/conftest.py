"""Fixtures of the privacy tests: the register's fixtures, the reference data, a strictly confidential case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    reference_fixture,
    worker_y_fixture,
)
from treem.cases.models import Case, CaseAssignment, CaseChild, Confidentiality
from treem.privacy import reference as privacy_reference


@pytest.fixture(autouse=True)
def privacy_reference_data(db):
    privacy_reference.load()


@pytest.fixture(autouse=True)
def vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture
def make_case(commune_x):
    counter = iter(range(1, 1000))

    def make(child, *, confidentiality=Confidentiality.NORMAL, assigned=(), closed_days_ago=None, commune=None):
        commune = commune or child.commune
        closed = timezone.now() - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
        case = Case.objects.create(
            reference=f"LCU-2026-{next(counter):05d}", received_at=timezone.now() - timedelta(days=3),
            channel="phone", commune=commune, province=commune.province, narrative="Bí mật: nội dung sự việc",
            reporter_name="Người báo Tin", reporter_phone="0912345678", reporter_relation="Hàng xóm",
            children_description="Cháu Lò Văn A", place_detail="Bản 5", confidentiality=confidentiality,
            stage="closed" if closed else "intake", closed_at=closed)
        CaseChild.objects.create(case=case, child=child)
        for user in assigned:
            CaseAssignment.objects.create(case=case, user=user)
        return case

    return make
