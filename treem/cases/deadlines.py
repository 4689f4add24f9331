"""The deadline engine: statutory clocks of a case, from the DeadlineRule table and the CalendarDay holiday table.

`refresh_deadlines(case)` derives every clock of a case from the rules in force on the day the report was received
and from what has been recorded (when each clock started, when its step was done). It runs on every change of a
case. `check_deadlines(now)` raises the alerts for clocks that are about to run out or have run out; it runs on
every change of a case (for that case) and periodically for all (`treem check-case-deadlines`, or the
`check_case_deadlines_task` task).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from treem.core.actors import SYSTEM
from treem.core.calendar import current_calendar
from treem.core.workdays import VN_TZ, Calendar, due_at

from .events import (
    add_event,
    assigned_workers,
    commune_chairs,
    commune_workers,
    notify,
    province_supervisors,
)
from .models import (
    OPEN_STAGES,
    AlertKind,
    Case,
    Deadline,
    DeadlineRule,
    DeadlineStep,
    EventKind,
    PlanStatus,
    RuleCondition,
    StartEvent,
)

_held: ContextVar[bool] = ContextVar("case_deadline_alerts_held", default=False)


@contextmanager
def alerts_held():
    """For bulk loads of past cases (demo data, imports): the check that follows every change is held, so that
    steps recorded after the fact do not raise alerts for clocks that ran out in the past; run `check_deadlines()`
    once at the end."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def alerts_are_held() -> bool:
    return _held.get()


def _starts(case: Case, start_event: str) -> list[tuple[str, datetime]]:
    if start_event == StartEvent.RECEIVED:
        return [("", case.received_at)]
    if start_event == StartEvent.PLAN_SUBMITTED:
        return [(str(p.pk), p.submitted_at) for p in case.plans.all() if p.submitted_at]
    if start_event == StartEvent.SEPARATION_STARTED:
        return [(str(s.pk), s.started_at) for s in case.separations.all()]
    raise ValueError(f"unknown start event {start_event!r}")


def _met(case: Case, step: str, subject: str) -> datetime | None:
    if step == DeadlineStep.INITIAL_ASSESSMENT:
        first = case.initial_assessments.order_by("assessed_at").first()
        return first.assessed_at if first else None
    if step == DeadlineStep.EMERGENCY_PROTECTION:
        first = case.emergency_measures.order_by("started_at").first()
        return first.started_at if first else None
    if step == DeadlineStep.PLAN_DRAFTED:
        first = case.plans.filter(submitted_at__isnull=False).order_by("submitted_at").first()
        return first.submitted_at if first else None
    if step == DeadlineStep.PLAN_APPROVED:
        plan = case.plans.filter(pk=subject).first()
        decided = plan and plan.decided_at and plan.status != PlanStatus.SUBMITTED
        return plan.decided_at if decided else None
    if step == DeadlineStep.SEPARATION_END:
        separation = case.separations.filter(pk=subject).first()
        return separation.ended_at if separation else None
    raise ValueError(f"unknown step {step!r}")


def _applies(rule: DeadlineRule, case: Case) -> bool:
    if rule.condition == RuleCondition.EMERGENCY:
        return bool(case.emergency_required)
    return True


def separation_rule(day: date) -> DeadlineRule | None:
    """The rule that limits a temporary separation (the separation_15d rule: 15 days, Decree 56/2017 art. 32.3), in
    force on `day`: the limit is data an administrator edits, never a constant in the code."""
    return DeadlineRule.objects.valid_on(day).filter(step=DeadlineStep.SEPARATION_END).order_by("code").first()


def separation_limit(case: Case, started_at: datetime, calendar: Calendar | None = None) -> tuple[int, date] | None:
    """(amount, last day) of a separation of this case starting at `started_at`, by the rule in force on the day the
    report was received (as every clock of the case); None when no rule is in force."""
    rule = separation_rule(timezone.localtime(case.received_at).date())
    if rule is None:
        return None
    due = due_at(started_at, rule.amount, rule.unit, calendar or current_calendar())
    return rule.amount, timezone.localtime(due).date()


def _end_of_day_utc(day) -> datetime:
    return datetime.combine(day, datetime.max.time().replace(microsecond=0), tzinfo=VN_TZ).astimezone(UTC)


def compute_deadlines(case: Case, calendar: Calendar | None = None) -> dict[tuple[int, str], dict]:
    """{(rule id, subject): {"rule", "started_at", "due_at", "met_at"}} for the clocks that apply to the case."""
    calendar = calendar or current_calendar()
    received_day = timezone.localtime(case.received_at).date()
    out = {}
    for rule in DeadlineRule.objects.valid_on(received_day):
        if not _applies(rule, case):
            continue
        for subject, start in _starts(case, rule.start_event):
            due = due_at(start, rule.amount, rule.unit, calendar)
            if rule.step == DeadlineStep.SEPARATION_END:
                separation = case.separations.get(pk=subject)
                if separation.extended_until:  # a competent authority extended it: the new end is the limit
                    due = max(due, _end_of_day_utc(separation.extended_until))
            out[(rule.pk, subject)] = {"rule": rule, "started_at": start, "due_at": due,
                                       "met_at": _met(case, rule.step, subject)}
    return out


@transaction.atomic
def refresh_deadlines(case: Case, calendar: Calendar | None = None) -> list[Deadline]:
    wanted = compute_deadlines(case, calendar)
    existing = {(d.rule_id, d.subject): d for d in case.deadlines.all()}
    stale = [d.pk for key, d in existing.items() if key not in wanted]
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()  # derived rows: a clock that no longer applies goes
    kept = []
    for key, values in wanted.items():
        deadline = existing.get(key)
        if deadline is None:
            deadline = Deadline(case=case, rule=values["rule"], subject=key[1])
        elif deadline.due_at != values["due_at"]:
            deadline.approaching_alerted_at = deadline.missed_alerted_at = None
        deadline.started_at, deadline.due_at, deadline.met_at = (values["started_at"], values["due_at"],
                                                                 values["met_at"])
        deadline.save()
        kept.append(deadline)
    return sorted(kept, key=lambda d: d.due_at)


def status(deadline: Deadline, now: datetime | None = None) -> str:
    """met | late (met after the due time) | overdue | soon (within the warning window) | pending"""
    now = now or timezone.now()
    if deadline.met_at is not None:
        return "met" if deadline.met_at <= deadline.due_at else "late"
    if now > deadline.due_at:
        return "overdue"
    if deadline.due_at - timedelta(hours=deadline.rule.warn_before_hours) <= now:
        return "soon"
    return "pending"


def _recipients(deadline: Deadline, missed: bool) -> list:
    case = deadline.case
    users = assigned_workers(case) or commune_workers(case.commune)
    if deadline.rule.step in {DeadlineStep.PLAN_APPROVED, DeadlineStep.EMERGENCY_PROTECTION,
                              DeadlineStep.SEPARATION_END}:
        users += commune_chairs(case.commune)
    if missed:
        users += province_supervisors(case.province)
    return users


def check_deadlines(now: datetime | None = None, case: Case | None = None) -> dict:
    """Alert on clocks of open cases that are close to running out or have run out. Idempotent."""
    now = now or timezone.now()
    open_clocks = Deadline.objects.filter(met_at__isnull=True, case__stage__in=OPEN_STAGES).select_related(
        "rule", "case")
    if case is not None:
        open_clocks = open_clocks.filter(case=case)
    counts = {"missed": 0, "approaching": 0}
    for deadline in open_clocks.filter(missed_alerted_at__isnull=True, due_at__lte=now):
        with transaction.atomic():
            params = {"reference": deadline.case.reference, "rule": deadline.rule.label,
                      "due": deadline.due_at.isoformat()}
            notify(_recipients(deadline, missed=True), AlertKind.DEADLINE_MISSED, case=deadline.case,
                   key=f"deadline:{deadline.pk}:missed:{deadline.due_at:%Y%m%d%H%M}", **params)
            add_event(deadline.case, EventKind.DEADLINE_MISSED, SYSTEM, at=now, rule=deadline.rule.label,
                      due=deadline.due_at.isoformat())
            Deadline.objects.filter(pk=deadline.pk).update(missed_alerted_at=now)
            counts["missed"] += 1
    longest = max(DeadlineRule.objects.values_list("warn_before_hours", flat=True), default=0)
    candidates = open_clocks.filter(approaching_alerted_at__isnull=True, missed_alerted_at__isnull=True,
                                    due_at__gt=now, due_at__lte=now + timedelta(hours=longest))
    for deadline in candidates:
        if deadline.due_at - timedelta(hours=deadline.rule.warn_before_hours) > now:
            continue
        params = {"reference": deadline.case.reference, "rule": deadline.rule.label,
                  "due": deadline.due_at.isoformat()}
        notify(_recipients(deadline, missed=False), AlertKind.DEADLINE_APPROACHING, case=deadline.case,
               key=f"deadline:{deadline.pk}:soon:{deadline.due_at:%Y%m%d%H%M}", **params)
        Deadline.objects.filter(pk=deadline.pk).update(approaching_alerted_at=now)
        counts["approaching"] += 1
    return counts
