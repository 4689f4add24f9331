"""Statistics selectors for the indicators module, and the demo data."""

from datetime import date, timedelta
from io import StringIO

from django.utils import timezone

from treem.cases import selectors, services
from treem.cases.models import Case, Deadline, Stage

from .conftest import version, vn, walk


def test_counts_of_reports_and_children_by_type_sex_age_commune_status(new_case, worker_x, chair_x, worker_y,
                                                                       hotline, commune_y, province_officer,
                                                                       leader_an_giang):
    first = new_case(received_at=vn(2026, 3, 2, 9, 0), concern_types=["violence", "neglect"])
    new_case(received_at=vn(2026, 3, 3, 9, 0), concern_types=["sexual_abuse"],
             children=[{"full_name": "Giàng Thị Mỷ", "sex": "F", "birth_date": date(2010, 5, 1)}])
    new_case(received_at=vn(2026, 3, 4, 9, 0), commune=commune_y, concern_types=["violence"],
             children=[{"full_name": "Sùng A Lử", "sex": "M", "age": 3}])
    error = new_case(received_at=vn(2026, 3, 5, 9, 0))
    services.case_mark_in_error(actor=worker_x, case=error, expected_version=version(error), reason="trùng")
    walk(first, worker_x, chair_x, Stage.CLOSED)

    officer = province_officer
    assert selectors.report_counts(officer, by="concern") == {"violence": 2, "neglect": 1, "sexual_abuse": 1}
    assert selectors.report_counts(officer, by="commune") == {"03390": 2, "03394": 1}
    assert selectors.report_counts(officer, by="status") == {"closed": 1, "intake": 2}
    assert selectors.report_counts(officer, by="channel") == {"hotline_111": 3}
    assert selectors.children_counts(officer, by="sex") == {"M": 2, "F": 1}
    assert selectors.children_counts(officer, by="age_group") == {"6-10": 1, "11-15": 1, "0-2": 1}  # the one scheme
    assert selectors.children_counts(officer, by="concern") == {"violence": 2, "neglect": 1, "sexual_abuse": 1}
    # Period and unit filters; a commune worker counts her commune only; another province sees nothing.
    assert selectors.report_counts(officer, by="commune", start=date(2026, 3, 3), end=date(2026, 3, 3)) == {
        "03390": 1}
    assert selectors.report_counts(worker_y, by="commune") == {"03394": 1}
    assert selectors.report_counts(leader_an_giang, by="commune") == {}
    assert selectors.report_counts(hotline, by="commune") == {}


def test_share_of_cases_handled_within_each_deadline(new_case, worker_x, province_officer):
    now = timezone.now()
    on_time = new_case(received_at=now - timedelta(hours=20))
    services.initial_assessment_record(actor=worker_x, case=on_time, expected_version=version(on_time),
                                       risk_level="low", assessed_at=now - timedelta(hours=18))
    late = new_case(received_at=now - timedelta(hours=30))
    services.initial_assessment_record(actor=worker_x, case=late, expected_version=version(late),
                                       risk_level="low", assessed_at=now - timedelta(hours=2))
    new_case(received_at=now - timedelta(hours=15))  # missed, still open
    new_case(received_at=now - timedelta(hours=1))  # still running: not counted
    rows = {r["code"]: r for r in selectors.deadline_compliance(province_officer)}
    initial = rows["initial_assessment_12h"]
    assert (initial["total"], initial["in_time"], initial["late"], initial["missed"]) == (3, 1, 1, 1)
    assert round(initial["share"], 1) == 33.3
    assert "plan_draft_5wd" not in rows  # nothing due yet


def test_demo_loads_cases_in_every_stage_some_overdue_and_is_idempotent(settings, tmp_path):
    from treem.accounts import demo as accounts_demo
    from treem.cases import demo

    settings.VAR_DIR = tmp_path
    accounts_demo.load(StringIO())
    out = StringIO()
    demo.load(out)
    assert "54 cases" in out.getvalue()
    stages = set(Case.objects.values_list("stage", flat=True))
    assert stages == {Stage.INTAKE, Stage.EMERGENCY, Stage.ASSESSMENT, Stage.PLANNING, Stage.APPROVAL,
                      Stage.IMPLEMENTATION, Stage.REVIEW, Stage.CLOSED}
    assert set(Case.objects.values_list("commune__code", flat=True)) == {"03390", "03394", "30742", "30307",
                                                                         "31507", "31135"}
    overdue = Deadline.objects.filter(met_at__isnull=True, due_at__lt=timezone.now(), case__stage__in=[
        Stage.INTAKE, Stage.EMERGENCY, Stage.PLANNING, Stage.APPROVAL])
    assert overdue.count() >= 12
    # Alerts only for clocks still open: steps recorded after the fact raise none for closed cases.
    from treem.cases.models import Alert, AlertKind

    missed = Alert.objects.filter(kind=AlertKind.DEADLINE_MISSED)
    assert missed.exists() and not missed.filter(case__stage=Stage.CLOSED).exists()
    again = StringIO()
    demo.load(again)
    assert "already loaded" in again.getvalue() and Case.objects.count() == 54
