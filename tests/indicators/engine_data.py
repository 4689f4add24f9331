"""Records for the engine's tests, written straight to the tables (the engine reads tables, not services)."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from treem.cases.models import Case, CaseChild, CaseConcern, Deadline, DeadlineRule
from treem.registry.models import Child, ChildCircumstance, CircumstanceGroup

_counter = itertools.count(1)


def aware(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def child(commune, *, birth: date, sex="F", ethnicity="Kinh", status="active", personal_id="") -> Child:
    n = next(_counter)
    return Child.objects.create(full_name=f"Trẻ {n}", name_folded=f"tre {n}", sex=sex, birth_date=birth,
                                ethnicity=ethnicity, status=status, personal_id=personal_id, commune=commune,
                                province=commune.province)


def circumstance(kid: Child, group_code: str, *, started=None, ended=None, supported=False) -> ChildCircumstance:
    return ChildCircumstance.objects.create(child=kid, group=CircumstanceGroup.objects.get(code=group_code),
                                            started_on=started, ended_on=ended, supported=supported)


def case(commune, *, received: datetime, closed: datetime | None = None, in_error=False, concerns=(),
         children=()) -> Case:
    stage = "in_error" if in_error else ("closed" if closed else "intake")
    item = Case.objects.create(reference=f"TEST-{next(_counter):06d}", received_at=received, channel="phone",
                               commune=commune, province=commune.province, narrative="Sự việc", stage=stage,
                               closed_at=closed)
    for kind in concerns:
        CaseConcern.objects.create(case=item, kind=kind)
    for kid in children:
        CaseChild.objects.create(case=item, child=kid)
    return item


def deadline(item: Case, *, due: datetime, met: datetime | None, subject="") -> Deadline:
    rule = DeadlineRule.objects.first() or DeadlineRule.objects.create(
        code="test_rule", step="initial_assessment", label="Đánh giá ban đầu", amount=1, unit="working_days",
        start_event="received")
    return Deadline.objects.create(case=item, rule=rule, subject=subject or str(next(_counter)),
                                   started_at=due - timedelta(days=1), due_at=due, met_at=met)


@pytest.fixture(autouse=True)
def catalogue(db):
    """The indicator catalogue, as `treem bootstrap` loads it (imported by each engine test module)."""
    from treem.indicators.catalogue import load

    load()
