"""The deadline engine on the real calendar (CalendarDay seeded from the holidays package) and the rules fixture."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from treem.cases import deadlines, reference, services
from treem.cases.models import Alert, AlertKind, CaseEvent, Deadline, DeadlineRule, EventKind
from treem.core.models import CalendarDay, DayKind
from treem.core.workdays import VN_TZ

from .conftest import version, vn


def clock(case, code) -> Deadline:
    return Deadline.objects.select_related("rule").get(case=case, rule__code=code)


def local(dt):
    return dt.astimezone(VN_TZ)


def test_rules_are_loaded_from_the_fixture_and_kept_when_edited():
    assert set(DeadlineRule.objects.values_list("code", flat=True)) == {
        "initial_assessment_12h", "emergency_protection_12h", "plan_draft_5wd", "plan_approval_2wd",
        "separation_15d"}
    DeadlineRule.objects.filter(code="plan_draft_5wd").update(amount=7)
    assert reference.load() == 0  # nothing added, the edit stays
    assert DeadlineRule.objects.get(code="plan_draft_5wd").amount == 7


def test_plan_deadline_across_tet_2026_counts_working_days_of_the_holiday_table(new_case):
    # Friday 13/02/2026; Tết holidays Mon 16 - Fri 20/02/2026 (from the holiday table, not from the code).
    assert CalendarDay.objects.filter(day=date(2026, 2, 17), kind=DayKind.HOLIDAY).exists()
    case = new_case(received_at=vn(2026, 2, 13, 10, 0))
    due = local(clock(case, "plan_draft_5wd").due_at)
    # 23, 24, 25, 26, 27 February are the five working days: not 20/02 as plain weekdays would give.
    assert (due.date(), due.hour, due.minute) == (date(2026, 2, 27), 23, 59)
    assert local(clock(case, "initial_assessment_12h").due_at) == vn(2026, 2, 13, 22, 0)


def test_approval_deadline_counts_from_submission_across_30_april_and_1_may(new_case, worker_x, chair_x):
    case = new_case(received_at=vn(2026, 4, 27, 8, 0))
    services.initial_assessment_record(actor=worker_x, case=case, expected_version=version(case), risk_level="low")
    services.detailed_assessment_record(actor=worker_x, case=case, expected_version=version(case),
                                        needs_summary="x", factors={})
    plan = services.plan_create(actor=worker_x, case=case, expected_version=version(case), goals="g")
    services.plan_item_add(actor=worker_x, plan=plan, expected_version=version(case), kind="health",
                           description="khám", starts_on=date(2026, 4, 29), ends_on=date(2026, 5, 29),
                           assignee="y tế", cost=0)
    services.plan_submit(actor=worker_x, plan=plan, expected_version=version(case))
    plan.refresh_from_db()
    type(plan).objects.filter(pk=plan.pk).update(submitted_at=vn(2026, 4, 29, 15, 0))  # Wednesday 29/04/2026
    deadlines.refresh_deadlines(case)
    # 30/04 and 01/05 are holidays, 02-03/05 the weekend: Monday 04/05 is day 1, Tuesday 05/05 day 2.
    assert local(clock(case, "plan_approval_2wd").due_at).date() == date(2026, 5, 5)


def test_a_holiday_added_by_an_administrator_moves_the_deadline(new_case):
    case = new_case(received_at=vn(2026, 3, 2, 9, 0))  # Monday
    assert local(clock(case, "plan_draft_5wd").due_at).date() == date(2026, 3, 9)
    CalendarDay.objects.create(day=date(2026, 3, 4), kind=DayKind.HOLIDAY, name="Nghỉ bù (quyết định địa phương)")
    deadlines.refresh_deadlines(case)
    assert local(clock(case, "plan_draft_5wd").due_at).date() == date(2026, 3, 10)


def test_emergency_clock_runs_only_when_the_conditions_hold_and_is_met_by_the_measure(new_case, worker_x):
    case = new_case(received_at=timezone.now() - timedelta(hours=3))
    assert not Deadline.objects.filter(case=case, rule__code="emergency_protection_12h").exists()
    services.initial_assessment_record(actor=worker_x, case=case, expected_version=version(case), risk_level="high",
                                       carer_is_abuser=True)
    emergency = clock(case, "emergency_protection_12h")
    assert emergency.due_at == case.received_at + timedelta(hours=12) and emergency.met_at is None
    services.emergency_record(actor=worker_x, case=case, expected_version=version(case), measures="Đưa đến nhà bà")
    emergency.refresh_from_db()
    assert emergency.met_at is not None and emergency.met_at <= emergency.due_at
    assert deadlines.status(emergency) == "met"


def test_separation_lasts_at_most_15_days_unless_an_authority_extends_it(new_case, worker_x):
    from django.core.exceptions import ValidationError

    case = new_case(received_at=vn(2026, 6, 1, 9, 0))
    services.initial_assessment_record(actor=worker_x, case=case, expected_version=version(case),
                                       risk_level="high", carer_is_abuser=True, assessed_at=vn(2026, 6, 1, 11, 0))
    with pytest.raises(ValidationError):
        services.separation_start(actor=worker_x, case=case, expected_version=version(case),
                                  planned_end=date(2026, 6, 20), separated_from="bố", place_of_care="nhà bà",
                                  reason="bạo lực", started_at=vn(2026, 6, 1, 12, 0))
    separation = services.separation_start(actor=worker_x, case=case, expected_version=version(case),
                                           planned_end=date(2026, 6, 16), separated_from="bố",
                                           place_of_care="nhà bà", reason="bạo lực", started_at=vn(2026, 6, 1, 12, 0))
    assert local(clock(case, "separation_15d").due_at).date() == date(2026, 6, 16)
    with pytest.raises(ValidationError):  # an extension needs the authority that asked for it
        services.separation_extend(actor=worker_x, separation=separation, expected_version=version(case),
                                   until=date(2026, 6, 30), authority=" ", reason="chưa an toàn")
    services.separation_extend(actor=worker_x, separation=separation, expected_version=version(case),
                               until=date(2026, 6, 30), authority="Tòa án nhân dân khu vực", reason="chưa an toàn")
    assert local(clock(case, "separation_15d").due_at).date() == date(2026, 6, 30)


def test_approaching_and_missed_deadlines_alert_once(new_case, worker_x, provincial_case_worker):
    received = timezone.now() - timedelta(hours=9)
    case = new_case(received_at=received)
    initial = clock(case, "initial_assessment_12h")
    # 9 hours after receipt the 12-hour clock is within its 4-hour warning window: the intake already alerted.
    alerts = Alert.objects.filter(recipient=worker_x, kind=AlertKind.DEADLINE_APPROACHING)
    assert alerts.count() == 1 and initial.rule.label in alerts.get().params["rule"]
    later = received + timedelta(hours=13)
    counts = deadlines.check_deadlines(now=later)
    assert counts["missed"] == 1
    missed = Alert.objects.filter(kind=AlertKind.DEADLINE_MISSED)
    assert set(missed.values_list("recipient__username", flat=True)) == {"canbo.x", "canbo.tinh.laichau"}
    assert CaseEvent.objects.filter(case=case, kind=EventKind.DEADLINE_MISSED).count() == 1
    assert deadlines.check_deadlines(now=later + timedelta(minutes=30))["missed"] == 0  # once only
    assert missed.count() == 2


def test_met_deadline_raises_no_alert(new_case, worker_x):
    case = new_case(received_at=timezone.now() - timedelta(hours=1))
    services.initial_assessment_record(actor=worker_x, case=case, expected_version=version(case), risk_level="low")
    assert deadlines.check_deadlines(now=timezone.now() + timedelta(hours=13))["missed"] == 0
    assert clock(case, "initial_assessment_12h").met_at is not None


def test_command_and_task_run_the_check(new_case):
    case = new_case(received_at=timezone.now() - timedelta(hours=1))
    type(case).objects.filter(pk=case.pk).update(received_at=timezone.now() - timedelta(days=3))  # e.g. corrected
    out = StringIO()
    call_command("check_case_deadlines", "--refresh", stdout=out)
    assert "refreshed 1 open cases" in out.getvalue() and "1 missed" in out.getvalue()
    from treem.cases.tasks import check_case_deadlines_task

    result = check_case_deadlines_task.enqueue()
    assert result.return_value == {"missed": 0, "approaching": 0}  # already alerted


def test_bootstrap_loads_the_rules(settings, tmp_path):
    DeadlineRule.objects.all().delete()
    settings.VAR_DIR = tmp_path
    call_command("bootstrap", stdout=StringIO())
    assert DeadlineRule.objects.count() == 5
