"""Every write to protection cases: one transaction, a permission check, an audit event, a timeline event.

Writes that change a case take the version the person saw (`expected_version`): when someone else changed the case in
between, `StaleCase` is raised and nothing is written (optimistic locking on RecordModel.version). After each change
the stage is derived again, the deadlines recomputed and the deadline alerts checked.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, forbid_unless, scope_for
from treem.accounts.models import Agency, Assignment, Role, User
from treem.accounts.selectors import agencies_visible_to
from treem.audit.services import changes, record
from treem.core.actors import SystemActor
from treem.core.exceptions import NotAllowed
from treem.core.formats import format_date
from treem.core.text import clean, fold
from treem.geo.models import Unit, UnitLevel
from treem.registry.models import Child, Sex
from treem.registry.quality.duplicates import canonical
from treem.registry.quality.models import DuplicatePair, PairStatus
from treem.registry.quality.services import QualityProblem, children_merge
from treem.registry.selectors import children_visible_to

from . import deadlines
from .access import case_access, shows_names
from .events import add_event, assigned_workers, commune_chairs, commune_workers, notify, resolve_plan_alerts
from .files import inspect_upload
from .matching import candidate_scope, find, personal_id_of
from .models import (
    OPEN_ITEM_STATUSES,
    Alert,
    AlertKind,
    Case,
    CaseAssignment,
    CaseChild,
    CaseConcern,
    CaseDocument,
    Confidentiality,
    DetailedAssessment,
    Distribution,
    EmergencyMeasure,
    EventKind,
    InitialAssessment,
    ItemStatus,
    Plan,
    PlanItem,
    PlanStatus,
    Referral,
    ReferralStatus,
    Review,
    Separation,
    ServiceRecord,
    Source,
    Stage,
    Transfer,
)
from .workflow import compute_stage, current_plan

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class StaleCase(Exception):
    """Someone else changed the case after this person loaded it: nothing was written."""


# -- plumbing --------------------------------------------------------------------------------------------------------


def _lock(case: Case, expected_version) -> Case:
    """Compare-and-set on the version: the second of two concurrent writers gets StaleCase."""
    rows = Case.objects.filter(pk=case.pk)
    if expected_version not in (None, ""):
        rows = rows.filter(version=int(expected_version))
    if rows.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise StaleCase
    case.refresh_from_db()
    return case


def _finish(case: Case) -> Case:
    case.stage = compute_stage(case)
    Case.objects.filter(pk=case.pk).update(stage=case.stage)
    deadlines.refresh_deadlines(case)
    if not deadlines.alerts_are_held():
        deadlines.check_deadlines(case=case)
    return case


def _require(actor, case: Case, *, edit: bool = False, approve: bool = False, manage: bool = False):
    access = case_access(actor, case)
    forbid_unless(scope_for(actor), access.full)
    if edit:
        forbid_unless(scope_for(actor), access.can_edit)
    if approve:
        forbid_unless(scope_for(actor), access.can_approve)
    if manage:
        forbid_unless(scope_for(actor), access.can_manage)
    return access


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed: reopen it first."))


def _user(actor):
    return actor if getattr(actor, "pk", None) and not isinstance(actor, SystemActor) else None


def _now_or(value):
    return value or timezone.now()


def _new_reference(received_at: datetime) -> str:
    day = timezone.localtime(received_at).strftime("%y%m%d")
    for _attempt in range(20):
        code = f"BC-{day}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))
        if not Case.objects.filter(reference=code).exists():
            return code
    raise RuntimeError("could not find a free reference code")


def _check_commune(commune: Unit) -> None:
    if commune is None or commune.level != UnitLevel.COMMUNE or not commune.is_current:
        raise ValidationError(_("Choose a current commune."))


def estimated_birth_date(age: int, on: date) -> date:
    return date(on.year - int(age), 7, 1)


def _provisional_child(actor, commune: Unit, *, full_name: str, sex: str, birth_date: date | None = None,
                       age: int | None = None, on: date, request=None) -> Child:
    full_name = clean(full_name)  # spaces collapsed, invisible characters removed
    if not full_name:
        raise ValidationError(_("A new child needs a name (a first name or a nickname is enough)."))
    if sex not in Sex.values:
        raise ValidationError(_("A new child needs a sex."))
    note = ""
    if birth_date is None:
        if age is None:
            raise ValidationError(_("A new child needs a date of birth or an approximate age."))
        birth_date = estimated_birth_date(age, on)
        note = f"Ngày sinh ước tính từ tuổi ({age})."  # never "from a report": the register must not tell
    if birth_date > on:
        raise ValidationError(_("The date of birth is in the future."))
    child = Child.objects.create(full_name=full_name, name_folded=fold(full_name), sex=sex, birth_date=birth_date,
                                 province=commune.province, commune=commune, provisional=True, source="case intake",
                                 notes=note)
    record(actor, "cases.provisional_child.create", child, unit=commune, request=request,
           summary={"provisional": True, "source": "case intake"})
    return child


def may_link(actor, commune: Unit, child: Child) -> bool:
    """A child of the register may be named in a report by someone who may read her record, or who was proposed her
    as recording a report about her commune (cases.matching.candidate_scope)."""
    return (children_visible_to(actor).filter(pk=child.pk).exists()
            or candidate_scope(actor, commune)[0].filter(pk=child.pk).exists())


def _link_children(actor, case: Case, children, request=None) -> int:
    linked = 0
    on = timezone.localtime(case.received_at).date()
    for entry in children or ():
        child = entry.get("child")
        if child is not None:
            if not may_link(actor, case.commune, child):
                raise NotAllowed
        elif personal_id_of(entry) and (found := find(actor, case.commune, entry, on=on)).auto is not None:
            child = found.auto  # the same personal ID: this child, without asking
            record(actor, "cases.case.child_match", case, unit=case.commune, request=request,
                   summary={"child": str(child.pk), "matched": "personal_id"})
        else:
            child = _provisional_child(actor, case.commune, full_name=entry.get("full_name", ""),
                                       sex=entry.get("sex", ""), birth_date=entry.get("birth_date"),
                                       age=entry.get("age"), on=on, request=request)
        _, created = CaseChild.objects.get_or_create(case=case, child=child, defaults={"added_by": _user(actor)})
        linked += int(created)
    return linked


def _assign(actor, case: Case, user) -> bool:
    if CaseAssignment.objects.filter(case=case, user=user, ended_at__isnull=True).exists():
        return False
    CaseAssignment.objects.create(case=case, user=user, assigned_by=_user(actor))
    return True


# -- intake (Form 01) ------------------------------------------------------------------------------------------------


@transaction.atomic
def intake_record(*, actor, commune: Unit, narrative: str, channel: str, concern_types, received_at=None,
                  request_type: str = "intervention", reporter_anonymous: bool = False, reporter_name: str = "",
                  reporter_phone: str = "", reporter_relation: str = "", place_detail: str = "",
                  confidentiality: str = Confidentiality.CONFIDENTIAL, distribution: str = Distribution.PROVINCE,
                  children=(), children_description: str = "", source: str = Source.STAFF, request=None) -> Case:
    """Record a report and forward it at once to the commune where it happened: its workers are assigned and alerted.

    Anyone with RECEIVE_REPORTS may record a report about any commune (the report goes where the child is); the
    public page records with actor=None and source=public.
    """
    if source != Source.PUBLIC:
        scope = scope_for(actor)
        forbid_unless(scope, scope.has(Capability.RECEIVE_REPORTS), needs=Capability.RECEIVE_REPORTS)
    _check_commune(commune)
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationError(_("Describe what happened."))
    concern_types = sorted(set(concern_types or ()))
    if not concern_types:
        raise ValidationError(_("Choose at least one abuse or concern type."))
    received_at = _now_or(received_at)
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError(_("The time of receipt is in the future."))
    if reporter_anonymous:
        reporter_name = reporter_phone = ""
    case = Case(
        reference=_new_reference(received_at), received_at=received_at, channel=channel, request_type=request_type,
        source=source, reporter_anonymous=reporter_anonymous, reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(), reporter_relation=reporter_relation.strip(),
        province=commune.province, commune=commune, place_detail=place_detail.strip(), narrative=narrative,
        children_description=(children_description or "").strip(), confidentiality=confidentiality,
        distribution=distribution, recorded_by=_user(actor),
    )
    case.full_clean(exclude=["province", "recorded_by"])
    case.save()
    CaseConcern.objects.bulk_create([CaseConcern(case=case, kind=kind) for kind in concern_types])
    _link_children(actor, case, children, request=request)
    add_event(case, EventKind.RECEIVED, actor, at=received_at, channel=channel)
    add_event(case, EventKind.FORWARDED, actor, commune=commune.name)
    workers = commune_workers(commune)
    for worker in workers:
        _assign(actor, case, worker)
    notify(workers or commune_chairs(commune), AlertKind.NEW_REPORT, case=case, key=f"case:{case.pk}:new",
           reference=case.reference, commune=commune.name)
    record(actor, "cases.case.intake", case, unit=commune, request=request,
           summary={"channel": channel, "source": source, "concerns": concern_types,
                    "children": case.case_children.count()})
    return _finish(case)


INTAKE_FIELDS = ["channel", "request_type", "reporter_anonymous", "reporter_name", "reporter_phone",
                 "reporter_relation", "place_detail", "narrative", "children_description", "confidentiality",
                 "distribution", "received_at"]


@transaction.atomic
def case_update(*, actor, case: Case, expected_version, data: dict, concern_types=None, request=None) -> Case:
    """Correct the report's details. Two people editing at once: the second gets StaleCase, nothing is overwritten."""
    _require(actor, case, edit=True)
    case = _lock(case, expected_version)
    before = {f: getattr(case, f) for f in INTAKE_FIELDS}
    for field in INTAKE_FIELDS:
        if field in data:
            setattr(case, field, data[field])
    if case.reporter_anonymous:
        case.reporter_name = case.reporter_phone = ""
    case.full_clean(exclude=["province", "recorded_by"])
    case.save(update_fields=[*INTAKE_FIELDS, "updated_at"])
    diff = changes(before, {f: getattr(case, f) for f in INTAKE_FIELDS})
    if concern_types is not None:
        old = sorted(case.concerns.values_list("kind", flat=True))
        new = sorted(set(concern_types))
        if not new:
            raise ValidationError(_("Choose at least one abuse or concern type."))
        if old != new:
            case.concerns.all().delete()
            CaseConcern.objects.bulk_create([CaseConcern(case=case, kind=k) for k in new])
            diff["concerns"] = [old, new]
    if diff:
        add_event(case, EventKind.UPDATED, actor, fields=sorted(diff))
        record(actor, "cases.case.update", case, unit=case.commune, request=request,
               summary={k: (["…", "…"] if k in {"narrative", "reporter_name", "reporter_phone"} else v)
                        for k, v in diff.items()})
    return _finish(case)


@transaction.atomic
def case_assign(*, actor, case: Case, user, expected_version=None, request=None) -> Case:
    _require(actor, case, manage=True)
    if not scope_for(user).may(Capability.EDIT_CASES, case.commune):
        raise ValidationError(_("Only a worker of this commune or a supervisor of its province can be assigned."))
    case = _lock(case, expected_version)
    if _assign(actor, case, user):
        add_event(case, EventKind.ASSIGNED, actor, worker=user.get_username())
        notify([user], AlertKind.ASSIGNED, case=case, key=f"case:{case.pk}:assigned:{user.pk}:{case.version}",
               reference=case.reference)
        record(actor, "cases.case.assign", case, unit=case.commune, request=request,
               summary={"user": user.get_username()})
    return _finish(case)


@transaction.atomic
def case_unassign(*, actor, case: Case, user, expected_version=None, request=None) -> Case:
    _require(actor, case, manage=True)
    case = _lock(case, expected_version)
    ended = CaseAssignment.objects.filter(case=case, user=user, ended_at__isnull=True).update(ended_at=timezone.now())
    if ended:
        add_event(case, EventKind.UNASSIGNED, actor, worker=user.get_username())
        record(actor, "cases.case.unassign", case, unit=case.commune, request=request,
               summary={"user": user.get_username()})
    return _finish(case)


@transaction.atomic
def case_child_add(*, actor, case: Case, expected_version=None, child: Child | None = None, full_name: str = "",
                   sex: str = "", birth_date=None, age=None, request=None) -> Case:
    _require(actor, case, edit=True)
    _require_open(case)
    case = _lock(case, expected_version)
    entry = {"child": child} if child is not None else {"full_name": full_name, "sex": sex,
                                                         "birth_date": birth_date, "age": age}
    if _link_children(actor, case, [entry], request=request):
        add_event(case, EventKind.CHILD_LINKED, actor, provisional=child is None)
        record(actor, "cases.case.child_link", case, unit=case.commune, request=request,
               summary={"provisional": child is None})
    return _finish(case)


@transaction.atomic
def case_child_identify(*, actor, case: Case, provisional: Child, registered: Child, expected_version=None,
                        request=None) -> Child:
    """One decision: the provisional child a report created is this child of the register. The two records are merged
    by the data-quality module's merge (registry.quality.services.children_merge): the register's record is kept with
    its facts, both histories stay, and every case naming the provisional record (this one and any other) now names
    the register's. Needs the case's names (shows_names) and the right to edit the commune's register."""
    access = _require(actor, case, edit=True)
    forbid_unless(scope_for(actor), shows_names(access, case, in_list=False))
    if not provisional.provisional or not CaseChild.objects.filter(case=case, child=provisional).exists():
        raise ValidationError(_("This child is not a provisional record of this case."))
    if registered.pk == provisional.pk or registered.provisional:
        raise ValidationError(_("Choose a child of the register."))
    if not children_visible_to(actor).filter(pk=registered.pk).exists():
        raise NotAllowed
    case = _lock(case, expected_version)
    a, b = canonical(provisional.pk, registered.pk)
    first = provisional if a == provisional.pk else registered
    second = registered if first is provisional else provisional
    now = timezone.now()
    pair, _created = DuplicatePair.objects.get_or_create(child_a_id=a, child_b_id=b, defaults={
        "commune_id": first.commune_id, "province_id": first.province_id, "other_commune_id": second.commune_id,
        "probability": 1.0, "match_weight": 0.0, "explanation": "identified by a case worker",
        "detected_at": now, "last_seen_at": now})
    if pair.status == PairStatus.NOT_SAME:
        raise ValidationError(_("Someone decided that these two records are different children: ask the commune's "
                                "register team to check."))
    try:
        kept = children_merge(actor=actor, pair=pair, survivor="a" if a == registered.pk else "b", choices={},
                              request=request)
    except QualityProblem as problem:
        raise ValidationError(str(problem)) from None
    add_event(case, EventKind.CHILD_LINKED, actor, provisional=False, identified=True)
    record(actor, "cases.case.child_identify", case, unit=case.commune, request=request,
           summary={"provisional": str(provisional.pk), "kept": str(kept.pk)})
    _finish(case)
    return kept


# -- assessments and emergency (Forms 02, 07, 03) --------------------------------------------------------------------


@transaction.atomic
def initial_assessment_record(*, actor, case: Case, expected_version, risk_level: str, harm: str = "",
                              life_threatened=False, health_threatened=False, dignity_threatened=False,
                              carer_is_abuser=False, conclusion: str = "", assessed_at=None,
                              request=None) -> InitialAssessment:
    _require(actor, case, edit=True)
    _require_open(case)
    case = _lock(case, expected_version)
    assessment = InitialAssessment.objects.create(
        case=case, assessed_at=_now_or(assessed_at), assessed_by=actor, risk_level=risk_level, harm=harm,
        life_threatened=life_threatened, health_threatened=health_threatened, dignity_threatened=dignity_threatened,
        carer_is_abuser=carer_is_abuser, conclusion=conclusion)
    case.emergency_required = assessment.emergency_required
    Case.objects.filter(pk=case.pk).update(emergency_required=case.emergency_required)
    add_event(case, EventKind.ASSESSED, actor, risk=risk_level, emergency=assessment.emergency_required)
    record(actor, "cases.initial_assessment.create", case, unit=case.commune, request=request,
           summary={"risk": risk_level, "emergency_required": assessment.emergency_required})
    _finish(case)
    return assessment


@transaction.atomic
def emergency_record(*, actor, case: Case, expected_version, measures: str, place_of_care: str = "",
                     started_at=None, request=None) -> EmergencyMeasure:
    _require(actor, case, edit=True)
    _require_open(case)
    case = _lock(case, expected_version)
    measure = EmergencyMeasure.objects.create(case=case, started_at=_now_or(started_at), measures=measures,
                                              place_of_care=place_of_care, recorded_by=actor)
    add_event(case, EventKind.EMERGENCY, actor)
    record(actor, "cases.emergency.create", case, unit=case.commune, request=request)
    _finish(case)
    return measure


@transaction.atomic
def separation_start(*, actor, case: Case, expected_version, planned_end: date, separated_from: str,
                     place_of_care: str, reason: str, started_at=None, request=None) -> Separation:
    """Form 07. The planned end may not pass the limit of the separation_end deadline rule (15 days, Decree 56/2017
    art. 32.3); only an extension goes beyond."""
    _require(actor, case, edit=True)
    _require_open(case)
    started_at = _now_or(started_at)
    start_day = timezone.localtime(started_at).date()
    if planned_end < start_day:
        raise ValidationError(_("The planned end is before the start."))
    limit = deadlines.separation_limit(case, started_at)
    if limit and planned_end > limit[1]:
        raise ValidationError(_("A temporary separation lasts at most %(days)s days (until %(date)s); only a "
                                "competent authority can extend it.") % {"days": limit[0],
                                                                         "date": format_date(limit[1])})
    case = _lock(case, expected_version)
    separation = Separation.objects.create(case=case, started_at=started_at, planned_end=planned_end,
                                           separated_from=separated_from, place_of_care=place_of_care, reason=reason,
                                           recorded_by=actor)
    add_event(case, EventKind.SEPARATION_STARTED, actor, until=planned_end.isoformat())
    record(actor, "cases.separation.create", case, unit=case.commune, request=request,
           summary={"planned_end": planned_end.isoformat()})
    _finish(case)
    return separation


@transaction.atomic
def separation_extend(*, actor, separation: Separation, expected_version, until: date, authority: str,
                      reason: str, request=None) -> Separation:
    case = separation.case
    _require(actor, case, edit=True)
    if not authority.strip():
        raise ValidationError(_("Name the competent authority that asked for the extension."))
    if until <= separation.end_date:
        raise ValidationError(_("The new end must be after the current end."))
    if separation.ended_at:
        raise ValidationError(_("This separation has ended."))
    case = _lock(case, expected_version)
    separation.extended_until, separation.extension_authority, separation.extension_reason = until, authority, reason
    separation.save(update_fields=["extended_until", "extension_authority", "extension_reason", "updated_at"])
    add_event(case, EventKind.SEPARATION_EXTENDED, actor, until=until.isoformat(), authority=authority)
    record(actor, "cases.separation.extend", case, unit=case.commune, request=request,
           summary={"until": until.isoformat(), "authority": authority})
    _finish(case)
    return separation


@transaction.atomic
def separation_end(*, actor, separation: Separation, expected_version, ended_at=None, request=None) -> Separation:
    case = separation.case
    _require(actor, case, edit=True)
    if separation.ended_at:
        raise ValidationError(_("This separation has ended."))
    case = _lock(case, expected_version)
    separation.ended_at = _now_or(ended_at)
    separation.save(update_fields=["ended_at", "updated_at"])
    add_event(case, EventKind.SEPARATION_ENDED, actor)
    record(actor, "cases.separation.end", case, unit=case.commune, request=request)
    _finish(case)
    return separation


@transaction.atomic
def detailed_assessment_record(*, actor, case: Case, expected_version, needs_summary: str, factors: dict,
                               meeting_at=None, meeting_chair: str = "", participants: str = "",
                               conclusions: str = "", assessed_at=None, request=None) -> DetailedAssessment:
    _require(actor, case, edit=True)
    _require_open(case)
    if case.stage in {Stage.INTAKE, Stage.EMERGENCY}:
        raise ValidationError(_("Record the initial assessment and any emergency protection first."))
    case = _lock(case, expected_version)
    assessment = DetailedAssessment.objects.create(
        case=case, assessed_at=_now_or(assessed_at), factors=factors, needs_summary=needs_summary,
        meeting_at=meeting_at, meeting_chair=meeting_chair, participants=participants, conclusions=conclusions,
        recorded_by=actor)
    add_event(case, EventKind.DETAILED_ASSESSMENT, actor)
    record(actor, "cases.detailed_assessment.create", case, unit=case.commune, request=request)
    _finish(case)
    return assessment


# -- plan (Forms 04, 05), services -----------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, case: Case, expected_version, goals: str, request=None) -> Plan:
    _require(actor, case, edit=True)
    _require_open(case)
    if case.stage != Stage.PLANNING:
        raise ValidationError(_("A plan is drafted after the detailed assessment, or when a review asks for a "
                                "new plan."))
    existing = current_plan(case)
    if existing is not None and existing.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}:
        raise ValidationError(_("This case already has a plan being drafted."))
    case = _lock(case, expected_version)
    number = (case.plans.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    plan = Plan.objects.create(case=case, number=number, goals=goals, drafted_by=actor)
    add_event(case, EventKind.PLAN_DRAFTED, actor, number=number)
    record(actor, "cases.plan.create", plan, unit=case.commune, request=request, summary={"case": case.reference})
    _finish(case)
    return plan


def _editable_plan(plan: Plan) -> None:
    if plan.status not in {PlanStatus.DRAFT, PlanStatus.RETURNED}:
        raise ValidationError(_("Only a draft or returned plan can be changed."))


@transaction.atomic
def plan_item_add(*, actor, plan: Plan, expected_version, kind: str, description: str, starts_on: date,
                  ends_on: date, assignee: str, provider: Agency | None = None, provider_name: str = "",
                  cost=0, request=None) -> PlanItem:
    case = plan.case
    _require(actor, case, edit=True)
    _editable_plan(plan)
    if ends_on < starts_on:
        raise ValidationError(_("The expected end is before the start."))
    if cost is not None and cost < 0:
        raise ValidationError(_("The cost cannot be negative."))
    _lock(case, expected_version)
    item = PlanItem(plan=plan, kind=kind, description=description, starts_on=starts_on, ends_on=ends_on,
                    assignee=assignee, provider=provider, provider_name=provider_name, cost=cost or 0)
    item.full_clean()
    item.save()
    record(actor, "cases.plan_item.create", plan, unit=case.commune, request=request,
           summary={"kind": kind, "cost": str(item.cost)})
    _finish(case)
    return item


@transaction.atomic
def plan_submit(*, actor, plan: Plan, expected_version, request=None) -> Plan:
    """Form 04 goes to the commune chair. A plan without a service is refused."""
    case = plan.case
    _require(actor, case, edit=True)
    _require_open(case)
    _editable_plan(plan)
    if not plan.items.exclude(status=ItemStatus.CANCELLED).exists():
        raise ValidationError(_("A plan needs at least one service or task before it is submitted."))
    case = _lock(case, expected_version)
    plan.status, plan.submitted_at, plan.decided_at, plan.decided_by = PlanStatus.SUBMITTED, timezone.now(), None, None
    plan.save(update_fields=["status", "submitted_at", "decided_at", "decided_by", "updated_at"])
    add_event(case, EventKind.PLAN_SUBMITTED, actor, number=plan.number)
    notify(commune_chairs(case.commune), AlertKind.PLAN_SUBMITTED, case=case,
           key=f"plan:{plan.pk}:submitted:{plan.submitted_at:%Y%m%d%H%M%S}", reference=case.reference)
    record(actor, "cases.plan.submit", plan, unit=case.commune, request=request, summary={"case": case.reference})
    _finish(case)
    return plan


@transaction.atomic
def plan_decide(*, actor, plan: Plan, expected_version, approve: bool, note: str = "", request=None) -> Plan:
    """Form 05: only the chair of the case's commune approves (or returns) the plan."""
    case = plan.case
    _require(actor, case, approve=True)
    _require_open(case)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be decided."))
    if not approve and not note.strip():
        raise ValidationError(_("Say what should change when returning a plan."))
    case = _lock(case, expected_version)
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_at, plan.decided_by, plan.decision_note = timezone.now(), actor, note
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    if approve:
        older = case.plans.filter(status=PlanStatus.APPROVED).exclude(pk=plan.pk)
        PlanItem.objects.filter(plan__in=older, status__in=OPEN_ITEM_STATUSES).update(status=ItemStatus.CANCELLED)
        older.update(status=PlanStatus.SUPERSEDED)
    add_event(case, EventKind.PLAN_APPROVED if approve else EventKind.PLAN_RETURNED, actor, number=plan.number)
    resolve_plan_alerts(plan, "approved" if approve else "returned")
    notify(assigned_workers(case), AlertKind.PLAN_DECIDED, case=case,
           key=f"plan:{plan.pk}:decided:{plan.decided_at:%Y%m%d%H%M%S}", reference=case.reference,
           decision="approved" if approve else "returned")
    record(actor, "cases.plan.approve" if approve else "cases.plan.return", plan, unit=case.commune,
           request=request, summary={"case": case.reference, "note": note[:200]})
    _finish(case)
    return plan


@transaction.atomic
def service_record(*, actor, item: PlanItem, expected_version, delivered_on: date, note: str, done: bool = False,
                   request=None) -> ServiceRecord:
    case = item.plan.case
    _require(actor, case, edit=True)
    _require_open(case)
    if item.plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Services are recorded once the plan is approved."))
    if item.status not in OPEN_ITEM_STATUSES:
        raise ValidationError(_("This service is already finished."))
    if delivered_on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    case = _lock(case, expected_version)
    entry = ServiceRecord.objects.create(item=item, delivered_on=delivered_on, note=note, recorded_by=actor)
    item.status = ItemStatus.DONE if done else ItemStatus.IN_PROGRESS
    item.completed_on = delivered_on if done else None
    item.save(update_fields=["status", "completed_on", "updated_at"])
    add_event(case, EventKind.SERVICE_DELIVERED, actor, service=item.kind, done=done)
    record(actor, "cases.service.record", case, unit=case.commune, request=request,
           summary={"item": item.pk, "done": done})
    _finish(case)
    return entry


@transaction.atomic
def plan_item_cancel(*, actor, item: PlanItem, expected_version, reason: str, request=None) -> PlanItem:
    case = item.plan.case
    _require(actor, case, edit=True)
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    case = _lock(case, expected_version)
    item.status = ItemStatus.CANCELLED
    item.save(update_fields=["status", "updated_at"])
    record(actor, "cases.plan_item.cancel", case, unit=case.commune, request=request,
           summary={"item": item.pk, "reason": reason[:200]})
    _finish(case)
    return item


# -- consent, referrals, transfers -----------------------------------------------------------------------------------


def _consent(actor, access, consent_by: str, consent_on, override_reason: str) -> dict:
    """Recorded consent, or an override only an authorised role (the chair, a provincial supervisor) may log."""
    if consent_by.strip() and consent_on:
        if consent_on > timezone.localdate():
            raise ValidationError(_("The consent date is in the future."))
        return {"consent_by": consent_by.strip(), "consent_on": consent_on}
    if override_reason.strip():
        forbid_unless(scope_for(actor), access.can_override_consent)
        return {"override_reason": override_reason.strip(), "override_by": _user(actor)}
    raise ValidationError(_("Record who gave consent and when, or (authorised roles only) why it was not "
                            "obtained."))


def agency_users(agency: Agency):
    assignments = Assignment.objects.valid_on(timezone.localdate()).filter(
        agency=agency, role__in=[Role.CASE_WORKER, Role.FOCAL_OFFICER, Role.COMMUNE_WORKER])
    return list(User.objects.filter(pk__in=assignments.values("user_id"), is_active=True))


@transaction.atomic
def referral_create(*, actor, case: Case, expected_version, agency: Agency, kind: str, shared_information: str,
                    item: PlanItem | None = None, consent_by: str = "", consent_on=None, override_reason: str = "",
                    request=None) -> Referral:
    access = _require(actor, case, edit=True)
    _require_open(case)

    if not agencies_visible_to(actor, on=timezone.localdate()).filter(pk=agency.pk).exists():
        raise ValidationError(_("Choose an agency of the province."))
    if item is not None and item.plan.case_id != case.pk:
        raise ValidationError(_("The service belongs to another case."))
    consent = _consent(actor, access, consent_by, consent_on, override_reason)
    case = _lock(case, expected_version)
    referral = Referral.objects.create(case=case, item=item, agency=agency, kind=kind,
                                       shared_information=shared_information, created_by=actor, **consent)
    add_event(case, EventKind.REFERRED, actor, agency=agency.name, overridden=bool(consent.get("override_reason")))
    notify(agency_users(agency), AlertKind.REFERRAL, case=None, referral=referral, key=f"referral:{referral.pk}",
           commune=case.commune.name, service=item.kind if item else kind)
    record(actor, "cases.referral.create", referral, unit=case.commune, request=request,
           summary={"case": case.reference, "agency": agency.name, "consent_override": bool(consent.get(
               "override_reason"))})
    if consent.get("override_reason"):
        record(actor, "cases.referral.consent_override", referral, unit=case.commune, request=request,
               summary={"reason": consent["override_reason"][:300]})
    _finish(case)
    return referral


def may_answer_referral(actor, referral: Referral) -> bool:
    scope = scope_for(actor)
    return referral.agency_id in scope.agency_ids(Capability.VIEW_CASES)


@transaction.atomic
def referral_respond(*, actor, referral: Referral, status: str, note: str = "", request=None) -> Referral:
    """The agency accepts, declines, or reports the referred service completed."""
    forbid_unless(scope_for(actor), may_answer_referral(actor, referral))
    allowed = {ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
               ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED}}
    if status not in allowed.get(referral.status, set()):
        raise ValidationError(_("This answer is not possible now."))
    if status == ReferralStatus.DECLINED and not note.strip():
        raise ValidationError(_("Say why the referral is declined."))
    case = _lock(referral.case, None)
    referral.status, referral.responded_at, referral.responded_by, referral.response_note = (
        status, timezone.now(), actor, note)
    referral.save(update_fields=["status", "responded_at", "responded_by", "response_note", "updated_at"])
    add_event(case, EventKind.REFERRAL_ANSWERED, actor, agency=referral.agency.name, status=status)
    notify(assigned_workers(case), AlertKind.REFERRAL_ANSWERED, case=case,
           key=f"referral:{referral.pk}:{status}", reference=case.reference, agency=referral.agency.name,
           status=status)
    record(actor, "cases.referral.respond", referral, unit=case.commune, request=request,
           summary={"status": status})
    _finish(case)
    return referral


@transaction.atomic
def case_transfer(*, actor, case: Case, expected_version, to_commune: Unit, reason: str, consent_by: str = "",
                  consent_on=None, override_reason: str = "", request=None) -> Transfer:
    """The child moved: the case goes to the new commune, whose workers take it over and are alerted."""
    access = _require(actor, case, manage=True)
    _require_open(case)
    _check_commune(to_commune)
    if to_commune.pk == case.commune_id:
        raise ValidationError(_("The case is already in this commune."))
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    consent = _consent(actor, access, consent_by, consent_on, override_reason)
    case = _lock(case, expected_version)
    transfer = Transfer.objects.create(case=case, from_commune=case.commune, to_commune=to_commune, reason=reason,
                                       created_by=actor, **consent)
    from_name = case.commune.name
    Case.objects.filter(pk=case.pk).update(commune=to_commune, province=to_commune.province)
    case.commune, case.province = to_commune, to_commune.province
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=timezone.now())
    workers = commune_workers(to_commune)
    for worker in workers:
        _assign(actor, case, worker)
    add_event(case, EventKind.TRANSFERRED, actor, from_commune=from_name, to_commune=to_commune.name)
    notify(workers + commune_chairs(to_commune), AlertKind.TRANSFER_IN, case=case,
           key=f"case:{case.pk}:transfer:{transfer.pk}", reference=case.reference, commune=to_commune.name)
    record(actor, "cases.case.transfer", case, unit=to_commune, request=request,
           summary={"from": from_name, "to": to_commune.name,
                    "consent_override": bool(consent.get("override_reason"))})
    _finish(case)
    return transfer


# -- review (Form 06), closure ---------------------------------------------------------------------------------------


@transaction.atomic
def review_record(*, actor, case: Case, expected_version, progress: str, outcome: str, child_situation: str = "",
                  reviewed_at=None, request=None) -> Review:
    _require(actor, case, edit=True)
    _require_open(case)
    if case.stage not in {Stage.IMPLEMENTATION, Stage.REVIEW}:
        raise ValidationError(_("A review follows the implementation of an approved plan."))
    case = _lock(case, expected_version)
    review = Review.objects.create(case=case, reviewed_at=_now_or(reviewed_at), progress=progress,
                                   child_situation=child_situation, outcome=outcome, recorded_by=actor)
    add_event(case, EventKind.REVIEWED, actor, outcome=outcome)
    record(actor, "cases.review.create", case, unit=case.commune, request=request, summary={"outcome": outcome})
    _finish(case)
    return review


def open_services(case: Case):
    return PlanItem.objects.filter(plan__case=case, plan__status=PlanStatus.APPROVED, status__in=OPEN_ITEM_STATUSES)


@transaction.atomic
def case_close(*, actor, case: Case, expected_version, reason: str, request=None) -> Case:
    """Close with a reason. Refused while services of the approved plan are still open."""
    _require(actor, case, edit=True)
    _require_open(case)
    if not reason.strip():
        raise ValidationError(_("Give the result and the reason for closing."))
    if open_services(case).exists():
        raise ValidationError(_("Services of the plan are still open: record them as done or cancel them first."))
    if case.stage in {Stage.PLANNING, Stage.APPROVAL} and case.plans.exists():
        raise ValidationError(_("A plan is being drafted or awaits approval: finish it or review it first."))
    if case.stage == Stage.IMPLEMENTATION:
        raise ValidationError(_("Review the plan's results (Form 06) before closing."))
    case = _lock(case, expected_version)
    case.closed_at, case.closed_by, case.closure_reason = timezone.now(), actor, reason.strip()
    case.save(update_fields=["closed_at", "closed_by", "closure_reason", "updated_at"])
    add_event(case, EventKind.CLOSED, actor)
    record(actor, "cases.case.close", case, unit=case.commune, request=request, summary={"reason": reason[:300]})
    return _finish(case)


@transaction.atomic
def case_reopen(*, actor, case: Case, expected_version, reason: str, request=None) -> Case:
    _require(actor, case, edit=True)
    if case.stage != Stage.CLOSED:
        raise ValidationError(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    case = _lock(case, expected_version)
    case.closed_at = case.closed_by = None
    case.reopened_at = timezone.now()
    case.save(update_fields=["closed_at", "closed_by", "reopened_at", "updated_at"])
    add_event(case, EventKind.REOPENED, actor, reason=reason.strip()[:300])
    record(actor, "cases.case.reopen", case, unit=case.commune, request=request, summary={"reason": reason[:300]})
    return _finish(case)


@transaction.atomic
def case_mark_in_error(*, actor, case: Case, expected_version, reason: str, request=None) -> Case:
    """A case is never deleted: one recorded by mistake (a duplicate, a test, spam) is marked, with a reason."""
    _require(actor, case, manage=True)
    if case.stage == Stage.IN_ERROR:
        raise ValidationError(_("This case is already marked recorded in error."))
    if not reason.strip():
        raise ValidationError(_("Give a reason."))
    case = _lock(case, expected_version)
    case.in_error_at, case.in_error_by, case.in_error_reason = timezone.now(), actor, reason.strip()
    case.save(update_fields=["in_error_at", "in_error_by", "in_error_reason", "updated_at"])
    add_event(case, EventKind.IN_ERROR, actor, reason=reason.strip()[:300])
    record(actor, "cases.case.in_error", case, unit=case.commune, request=request, summary={"reason": reason[:300]})
    return _finish(case)


# -- documents -------------------------------------------------------------------------------------------------------


@transaction.atomic
def document_attach(*, actor, case: Case, expected_version, upload, kind: str, title: str,
                    request=None) -> CaseDocument:
    """Attach a file whose content is one of the allowed types and matches its extension (see treem.cases.files)."""
    _require(actor, case, edit=True)
    detected = inspect_upload(upload)  # raises ValidationError
    case = _lock(case, expected_version)
    upload.seek(0)
    content = upload.read()
    document = CaseDocument(case=case, kind=kind, title=title.strip() or upload.name[:200],
                            original_name=upload.name[:200], content_type=detected.content_type,
                            extension=detected.extension, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
    from django.core.files.base import ContentFile

    document.file.save(f"{document.sha256[:16]}{detected.extension}", ContentFile(content), save=False)
    document.save()
    add_event(case, EventKind.DOCUMENT, actor, title=document.title[:100])
    record(actor, "cases.document.attach", case, unit=case.commune, request=request,
           summary={"type": detected.content_type, "size": len(content)})
    _finish(case)
    return document


# -- alerts ----------------------------------------------------------------------------------------------------------


def alerts_mark_read(*, actor, ids=None) -> int:
    qs = Alert.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())

