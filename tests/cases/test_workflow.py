"""The statutory steps through the services, and the bad inputs the issue lists."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.models import (
    Alert,
    AlertKind,
    Case,
    CaseAssignment,
    EventKind,
    ItemStatus,
    PlanStatus,
    Stage,
)
from treem.core.exceptions import NotAllowed
from treem.registry.models import Child

from .conftest import version, walk


def test_intake_is_forwarded_to_the_commune_whose_workers_are_assigned_and_alerted(new_case, worker_x, worker_y,
                                                                                    commune_x):
    case = new_case()
    assert case.stage == Stage.INTAKE and case.commune == commune_x and case.reference.startswith("BC-")
    assert list(CaseAssignment.objects.filter(case=case).values_list("user__username", flat=True)) == ["canbo.x"]
    alert = Alert.objects.get(recipient=worker_x, kind=AlertKind.NEW_REPORT)
    assert alert.case == case and "Páo" not in str(alert.params)  # alerts never carry names
    assert not Alert.objects.filter(recipient=worker_y).exists()
    assert [e.kind for e in case.events.all()] == [EventKind.RECEIVED, EventKind.FORWARDED]
    assert AuditEvent.objects.filter(action="cases.case.intake", object_id=str(case.pk)).exists()


def test_intake_creates_a_provisional_child_with_an_audit_event(new_case, commune_x):
    case = new_case()
    child = case.case_children.get().child
    assert child.provisional and child.source == "case intake" and child.commune == commune_x
    assert child.province == commune_x.province and child.name_folded == "lo van pao"
    assert "ước tính" in child.notes
    assert AuditEvent.objects.filter(action="cases.provisional_child.create", object_id=str(child.pk)).exists()


def test_a_user_who_may_not_receive_reports_cannot_record_one(new_case, make_user, lai_chau):
    from treem.accounts.models import Role

    with pytest.raises(NotAllowed):
        new_case(actor=make_user("lanhdao", Role.LEADER, lai_chau))


def test_the_whole_path_derives_the_stage_from_what_is_recorded(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.CLOSED)
    stages = list(case.events.values_list("kind", flat=True))
    assert case.stage == Stage.CLOSED
    for kind in [EventKind.ASSESSED, EventKind.DETAILED_ASSESSMENT, EventKind.PLAN_DRAFTED, EventKind.PLAN_SUBMITTED,
                 EventKind.PLAN_APPROVED, EventKind.SERVICE_DELIVERED, EventKind.REVIEWED, EventKind.CLOSED]:
        assert kind in stages


def test_emergency_conditions_put_the_case_in_the_emergency_stage(new_case, worker_x):
    case = new_case()
    services.initial_assessment_record(actor=worker_x, case=case, expected_version=version(case), risk_level="high",
                                       life_threatened=True)
    assert Case.objects.get(pk=case.pk).stage == Stage.EMERGENCY
    with pytest.raises(ValidationError):
        services.detailed_assessment_record(actor=worker_x, case=case, expected_version=version(case),
                                            needs_summary="x", factors={})
    services.emergency_record(actor=worker_x, case=case, expected_version=version(case), measures="an toàn")
    assert Case.objects.get(pk=case.pk).stage == Stage.ASSESSMENT


def test_a_plan_without_a_service_is_refused(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.PLANNING)
    plan = services.plan_create(actor=worker_x, case=case, expected_version=version(case), goals="An toàn")
    with pytest.raises(ValidationError, match="ít nhất một dịch vụ"):
        services.plan_submit(actor=worker_x, plan=plan, expected_version=version(case))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and Case.objects.get(pk=case.pk).stage == Stage.PLANNING


def test_approval_by_someone_who_is_not_the_chair_is_refused(new_case, worker_x, chair_x, chair_y,
                                                            provincial_case_worker):
    case = walk(new_case(), worker_x, chair_x, Stage.APPROVAL)
    plan = case.plans.get()
    for intruder in (worker_x, provincial_case_worker, chair_y):
        with pytest.raises(NotAllowed):
            services.plan_decide(actor=intruder, plan=plan, expected_version=version(case), approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    services.plan_decide(actor=chair_x, plan=plan, expected_version=version(case), approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == chair_x
    assert Case.objects.get(pk=case.pk).stage == Stage.IMPLEMENTATION


def test_chair_returns_a_plan_with_a_note_and_it_is_resubmitted(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.APPROVAL)
    plan = case.plans.get()
    with pytest.raises(ValidationError):
        services.plan_decide(actor=chair_x, plan=plan, expected_version=version(case), approve=False, note="")
    services.plan_decide(actor=chair_x, plan=plan, expected_version=version(case), approve=False,
                         note="Bổ sung hỗ trợ học tập")
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING
    services.plan_submit(actor=worker_x, plan=plan, expected_version=version(case))
    assert Case.objects.get(pk=case.pk).stage == Stage.APPROVAL


def test_closure_with_open_services_is_refused(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        services.case_close(actor=worker_x, case=case, expected_version=version(case), reason="xong")
    # Reviewing does not close services either: they must be recorded done or cancelled.
    services.review_record(actor=worker_x, case=case, expected_version=version(case), progress="tạm ổn",
                           outcome="close")
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        services.case_close(actor=worker_x, case=case, expected_version=version(case), reason="xong")
    item = case.plans.get().items.get()
    services.plan_item_cancel(actor=worker_x, item=item, expected_version=version(case), reason="gia đình chuyển")
    services.case_close(actor=worker_x, case=case, expected_version=version(case), reason="Trẻ an toàn.")
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


def test_review_asking_for_a_new_plan_goes_back_to_planning(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    services.review_record(actor=worker_x, case=case, expected_version=version(case), progress="chưa đạt",
                           outcome="replan")
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING
    plan2 = services.plan_create(actor=worker_x, case=case, expected_version=version(case), goals="Kế hoạch mới")
    today = timezone.localdate()
    services.plan_item_add(actor=worker_x, plan=plan2, expected_version=version(case), kind="health",
                           description="khám", starts_on=today, ends_on=today + timedelta(days=9), assignee="y tế")
    services.plan_submit(actor=worker_x, plan=plan2, expected_version=version(case))
    services.plan_decide(actor=chair_x, plan=plan2, expected_version=version(case), approve=True)
    first = case.plans.get(number=1)
    assert first.status == PlanStatus.SUPERSEDED
    assert set(first.items.values_list("status", flat=True)) == {ItemStatus.CANCELLED}
    assert Case.objects.get(pk=case.pk).stage == Stage.IMPLEMENTATION


def test_reopen_needs_a_reason_and_returns_to_the_work(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.CLOSED)
    with pytest.raises(ValidationError):
        services.case_reopen(actor=worker_x, case=case, expected_version=version(case), reason=" ")
    services.case_reopen(actor=worker_x, case=case, expected_version=version(case), reason="Trẻ lại bị đánh")
    case.refresh_from_db()
    assert case.stage == Stage.IMPLEMENTATION and case.closed_at is None
    assert case.events.filter(kind=EventKind.REOPENED, params__reason="Trẻ lại bị đánh").exists()


def test_no_case_can_be_deleted_only_marked_in_error_with_a_reason(new_case, worker_x, chair_x):
    case = new_case()
    with pytest.raises(PermissionError):
        case.delete()
    with pytest.raises(ValidationError):
        services.case_mark_in_error(actor=worker_x, case=case, expected_version=version(case), reason="")
    with pytest.raises(NotAllowed):  # someone without access to the case
        services.case_mark_in_error(actor=chair_x.__class__.objects.create(username="x"), case=case,
                                    expected_version=version(case), reason="trùng")
    services.case_mark_in_error(actor=worker_x, case=case, expected_version=version(case), reason="Trùng với BC-1")
    case.refresh_from_db()
    assert case.stage == Stage.IN_ERROR and Case.objects.filter(pk=case.pk).exists()


def test_two_workers_editing_at_once_the_second_is_told_and_nothing_is_overwritten(new_case, worker_x, make_user,
                                                                                    commune_x):
    from treem.accounts.models import Role

    second = make_user("canbo.x2", Role.COMMUNE_WORKER, commune_x)
    case = new_case()
    services.case_assign(actor=worker_x, case=case, user=second, expected_version=version(case))
    seen = version(case)  # both opened the form at this version
    services.case_update(actor=worker_x, case=Case.objects.get(pk=case.pk), expected_version=seen,
                         data={"place_detail": "Bản Nà Khum"})
    with pytest.raises(services.StaleCase):
        services.case_update(actor=second, case=Case.objects.get(pk=case.pk), expected_version=seen,
                             data={"place_detail": "Bản khác", "narrative": "ghi đè"})
    case.refresh_from_db()
    assert case.place_detail == "Bản Nà Khum" and case.narrative.startswith("Cháu bị bố đánh")
    assert case.version == seen + 1


def test_referral_needs_consent_or_an_override_by_an_authorised_role(new_case, worker_x, chair_x,
                                                                    provincial_case_worker, social_work_centre,
                                                                    centre_user):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    with pytest.raises(ValidationError):
        services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                 agency=social_work_centre, kind="social_work", shared_information="cần tư vấn")
    with pytest.raises(NotAllowed):  # a commune worker may not skip consent
        services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                 agency=social_work_centre, kind="social_work", shared_information="cần tư vấn",
                                 override_reason="khẩn cấp")
    referral = services.referral_create(actor=provincial_case_worker, case=case, expected_version=version(case),
                                        agency=social_work_centre, kind="social_work",
                                        shared_information="cần tư vấn", override_reason="Mẹ là người gây hại")
    assert referral.override_by == provincial_case_worker
    assert AuditEvent.objects.filter(action="cases.referral.consent_override", object_id=str(referral.pk)).exists()
    assert Alert.objects.filter(recipient=centre_user, kind=AlertKind.REFERRAL, referral=referral).exists()
    with_consent = services.referral_create(
        actor=worker_x, case=case, expected_version=version(case), agency=social_work_centre, kind="social_work",
        shared_information="x", consent_by="Trẻ và mẹ", consent_on=timezone.localdate())
    assert with_consent.consent_by == "Trẻ và mẹ" and not with_consent.override_reason


def test_agency_answers_its_referral_and_the_worker_is_alerted(new_case, worker_x, chair_x, social_work_centre,
                                                              centre_user, hospital_user):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    referral = services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                        agency=social_work_centre, kind="social_work", shared_information="x",
                                        consent_by="mẹ", consent_on=timezone.localdate())
    with pytest.raises(NotAllowed):
        services.referral_respond(actor=hospital_user, referral=referral, status="accepted")
    with pytest.raises(ValidationError):
        services.referral_respond(actor=centre_user, referral=referral, status="declined", note="")
    services.referral_respond(actor=centre_user, referral=referral, status="accepted", note="Nhận")
    assert Alert.objects.filter(recipient=worker_x, kind=AlertKind.REFERRAL_ANSWERED).exists()


def test_transfer_moves_the_case_to_the_new_commune_with_consent(new_case, worker_x, chair_x, worker_y, commune_y):
    case = walk(new_case(), worker_x, chair_x, Stage.ASSESSMENT)
    with pytest.raises(ValidationError):
        services.case_transfer(actor=worker_x, case=case, expected_version=version(case), to_commune=commune_y,
                               reason="chuyển nhà")
    services.case_transfer(actor=worker_x, case=case, expected_version=version(case), to_commune=commune_y,
                           reason="Gia đình chuyển đến xã mới", consent_by="mẹ", consent_on=timezone.localdate())
    case.refresh_from_db()
    assert case.commune == commune_y
    active = CaseAssignment.objects.filter(case=case, ended_at__isnull=True)
    assert list(active.values_list("user__username", flat=True)) == ["canbo.y"]
    assert Alert.objects.filter(recipient=worker_y, kind=AlertKind.TRANSFER_IN).exists()


def test_adding_a_register_child_requires_seeing_it(new_case, worker_x, commune_y, lai_chau):
    from datetime import date

    case = new_case()
    other = Child.objects.create(full_name="Trẻ xã khác", name_folded="tre xa khac", sex="F",
                                 birth_date=date(2015, 1, 1), province=lai_chau, commune=commune_y)
    with pytest.raises(NotAllowed):
        services.case_child_add(actor=worker_x, case=case, expected_version=version(case), child=other)


def test_the_chairs_waiting_alert_is_resolved_once_the_plan_is_decided(new_case, worker_x, chair_x, client):
    from treem.cases.events import alert_text

    case = walk(new_case(), worker_x, chair_x, Stage.APPROVAL)
    waiting = Alert.objects.get(recipient=chair_x, kind=AlertKind.PLAN_SUBMITTED)
    assert waiting.read_at is None and "chờ đồng chí phê duyệt" in alert_text(waiting)
    services.plan_decide(actor=chair_x, plan=case.plans.get(), expected_version=version(case), approve=True)
    waiting.refresh_from_db()
    assert waiting.read_at is not None  # done: no longer among the chair's unread alerts
    assert alert_text(waiting) == f"Kế hoạch của hồ sơ {case.reference}: đã được phê duyệt"
    client.force_login(chair_x)
    page = client.get("/cases/alerts/").content.decode()
    assert case.reference in page and "chờ đồng chí phê duyệt" not in page
