"""Every read of protection cases, filtered by the reader (treem.cases.access). Views and the API only use these.

For other modules:
* `cases_for_child_visible_to(user, child)`: the registry shows "a case exists" on a child's page only when this is
  not empty (it lists only cases the user may open in full).
* `report_counts`, `children_counts`, `deadline_compliance`: statistics for the indicators module.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from treem.access import Capability, restrict, scope_for
from treem.accounts.models import Assignment, Role, User
from treem.audit.services import record_view
from treem.core.ages import age_band
from treem.core.collation import unit_key

from . import deadlines as engine
from .access import (
    FULL,
    CaseAccess,
    assigned_q,
    case_access,
    mask_name,
    names_q,
    referral_shows_names,
    visible_q,
)
from .models import (
    OPEN_STAGES,
    Alert,
    Case,
    CaseChild,
    CaseConcern,
    Deadline,
    DeadlineRule,
    Referral,
    Stage,
)

# -- cases -----------------------------------------------------------------------------------------------------------


def cases_visible_to(user):
    """Cases the user has full or summary access to, with `viewer_assigned` annotated."""
    return (Case.objects.filter(visible_q(user)).annotate(viewer_assigned=assigned_q(user))
            .select_related("commune", "province"))


def case_for(user, pk, *, request=None, log: bool = True, what: str = "") -> tuple[Case, CaseAccess]:
    """One case and the reader's access, or Http404 when she may not see it at all. Every opening is logged."""
    case = Case.objects.select_related("commune", "province", "recorded_by").filter(pk=pk).first()
    if case is None:
        raise Http404
    access = case_access(user, case)
    if not access.visible:
        raise Http404
    if log:
        record_view(user, case, unit=case.commune, request=request, what=what or access.level)
    return case, access


def cases_for_child_visible_to(user, child):
    """Cases of this child that the user may open in full and in which she may know the child by name: the registry
    shows "a case exists" (and links it) only when not empty. A strictly confidential case stays invisible from the
    register to all but its assigned workers."""
    return Case.objects.filter(names_q(user), case_children__child=child).distinct().order_by("-received_at")


def case_children(case: Case, *, names: bool) -> list[dict]:
    rows = []
    for link in case.case_children.select_related("child").order_by("added_at"):
        child = link.child
        rows.append({"child": child, "name": child.full_name if names else mask_name(child.full_name),
                     "sex": child.get_sex_display(), "birth_date": child.birth_date,
                     "provisional": child.provisional})
    return rows


def case_rows(user, qs) -> list[dict]:
    """List rows: names as initials unless the viewer is assigned to the case."""
    qs = qs.prefetch_related(Prefetch("case_children", queryset=CaseChild.objects.select_related("child")),
                             "concerns")
    rows = []
    for case in qs:
        assigned = getattr(case, "viewer_assigned", False)
        names = [link.child.full_name if assigned else mask_name(link.child.full_name)
                 for link in case.case_children.all()]
        rows.append({"case": case, "names": names, "concerns": [c.get_kind_display() for c in case.concerns.all()],
                     "assigned": assigned})
    return rows


def my_cases(user):
    return cases_visible_to(user).filter(assigned_q(user), stage__in=OPEN_STAGES)


def filter_cases(qs, *, stage: str = "", commune=None, q: str = ""):
    if stage == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif stage:
        qs = qs.filter(stage=stage)
    if commune:
        qs = qs.filter(commune=commune)
    if q:
        qs = qs.filter(reference__icontains=q.strip())
    return qs


# -- intakes (what the recorder sees) --------------------------------------------------------------------------------


def intakes_recorded_by(user):
    if not getattr(user, "pk", None):
        return Case.objects.none()
    return Case.objects.filter(recorded_by=user).select_related("commune", "province").order_by("-received_at")


def intake_for(user, pk, *, request=None) -> Case:
    case = intakes_recorded_by(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    record_view(user, case, unit=case.commune, request=request, what="intake")
    return case


# -- referrals -------------------------------------------------------------------------------------------------------


def referrals_to_my_agency(user):
    """Referrals to the agencies the user works for: the referred part only."""
    agencies = scope_for(user).agency_ids(Capability.VIEW_CASES)
    return (Referral.objects.filter(agency__in=agencies).select_related("agency", "item", "case__commune")
            .order_by("-created_at"))


def referral_for(user, pk, *, request=None) -> tuple[Referral, str]:
    """A referral and how much of it the user sees: "full" (the case team) or "agency" (the referred part)."""
    referral = Referral.objects.select_related("case__commune", "agency", "item").filter(pk=pk).first()
    if referral is None:
        raise Http404
    if case_access(user, referral.case).full:
        part = FULL
    elif referral.agency_id in scope_for(user).agency_ids(Capability.VIEW_CASES):
        part = "agency"
    else:
        raise Http404
    record_view(user, referral, unit=referral.case.commune, request=request, what=part)
    return referral, part


def referral_children(user, referral: Referral, *, in_list: bool = False) -> list[str]:
    """Whom the service is for: the children's names where `referral_shows_names` allows, else initials; nothing
    else of the file."""
    names = referral_shows_names(user, referral, in_list=in_list)
    return [link.child.full_name if names else mask_name(link.child.full_name)
            for link in referral.case.case_children.select_related("child")]


# -- deadlines and alerts --------------------------------------------------------------------------------------------


def case_deadlines(case: Case, now=None) -> list[dict]:
    now = now or timezone.now()
    return [{"deadline": d, "status": engine.status(d, now)}
            for d in case.deadlines.select_related("rule").order_by("due_at")]


def due_deadlines(user, *, commune=None, province=None, within_days: int = 3, now=None) -> list[dict]:
    """Open clocks of open cases the user may see that are overdue or due within `within_days`."""
    now = now or timezone.now()
    cases = cases_visible_to(user).filter(stage__in=OPEN_STAGES)
    if commune is not None:
        cases = cases.filter(commune=commune)
    if province is not None:
        cases = cases.filter(province=province)
    clocks = (Deadline.objects.filter(case__in=cases.values("pk"), met_at__isnull=True,
                                      due_at__lte=now + timedelta(days=within_days))
              .select_related("rule", "case__commune", "case__province").order_by("due_at"))
    return [{"deadline": d, "status": engine.status(d, now), "overdue": d.due_at < now} for d in clocks]


def due_by_commune(rows: list[dict]) -> list[dict]:
    groups = defaultdict(lambda: {"overdue": 0, "soon": 0, "rows": []})
    for row in rows:
        commune = row["deadline"].case.commune
        group = groups[commune]
        group["commune"] = commune
        group["overdue" if row["overdue"] else "soon"] += 1
        group["rows"].append(row)
    return sorted(groups.values(), key=lambda g: (-g["overdue"], unit_key(g["commune"])))


def alerts_for(user, *, unread_only: bool = False):
    qs = Alert.objects.filter(recipient=user).select_related("case", "referral")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def assignable_users(case: Case):
    """Workers of the case's commune and supervisors of its province (candidates for assignment)."""
    assignments = Assignment.objects.valid_on(timezone.localdate()).filter(
        Q(role=Role.COMMUNE_WORKER, unit=case.commune) | Q(role__in=[Role.FOCAL_OFFICER, Role.CASE_WORKER],
                                                           unit=case.province))
    return User.objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by("username")


# -- statistics for the indicators module ----------------------------------------------------------------------------

def _stats_cases(user, start: date | None, end: date | None, province=None, commune=None):
    """Cases in the user's statistical scope (counts are shown to whoever reads indicators or cases of the unit),
    received in [start, end], excluding those recorded in error."""
    scope = scope_for(user)
    cap = Capability.VIEW_INDICATORS if scope.has(Capability.VIEW_INDICATORS) else Capability.VIEW_CASES
    if not scope.has(cap):
        return Case.objects.none()
    qs = restrict(Case.objects.all(), scope, cap).exclude(stage=Stage.IN_ERROR)
    if start:
        qs = qs.filter(received_at__gte=_day_start(start))
    if end:
        qs = qs.filter(received_at__lt=_day_start(end + timedelta(days=1)))
    if province is not None:
        qs = qs.filter(province=province)
    if commune is not None:
        qs = qs.filter(commune=commune)
    return qs


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def report_counts(user, *, by: str, start: date | None = None, end: date | None = None, province=None,
                  commune=None) -> dict[str, int]:
    """Number of reports (cases) by "concern", "commune", "status", "channel" or "province" (codes as keys; a
    report with two concern types counts under both)."""
    cases = _stats_cases(user, start, end, province, commune)
    if by == "concern":
        rows = CaseConcern.objects.filter(case__in=cases.values("pk")).values_list("kind", flat=True)
        return dict(Counter(rows))
    field = {"commune": "commune__code", "province": "province__code", "status": "stage", "channel": "channel"}[by]
    return dict(Counter(cases.values_list(field, flat=True)))


def children_counts(user, *, by: str, start: date | None = None, end: date | None = None, province=None,
                    commune=None) -> dict[str, int]:
    """Number of distinct children concerned by reports, by "sex", "age_group" (age when the report was received),
    "concern", "commune" or "status"."""
    cases = _stats_cases(user, start, end, province, commune)
    links = CaseChild.objects.filter(case__in=cases.values("pk")).select_related("child", "case__commune")
    groups: dict[str, set] = defaultdict(set)
    concerns = defaultdict(set)
    if by == "concern":
        for case_id, kind in CaseConcern.objects.filter(case__in=cases.values("pk")).values_list("case_id", "kind"):
            concerns[case_id].add(kind)
    for link in links:
        child, case = link.child, link.case
        if by == "sex":
            keys = [child.sex]
        elif by == "age_group":
            keys = [age_band(child.birth_date, timezone.localtime(case.received_at).date())]
        elif by == "concern":
            keys = concerns[case.pk]
        elif by == "commune":
            keys = [case.commune.code]
        elif by == "status":
            keys = [case.stage]
        else:
            raise ValueError(f"unknown grouping {by!r}")
        for key in keys:
            groups[key].add(child.pk)
    return {key: len(children) for key, children in groups.items()}


def deadline_compliance(user, *, start: date | None = None, end: date | None = None, province=None, commune=None,
                        now=None) -> list[dict]:
    """For each deadline rule: clocks that have come due (or were met), how many were met in time, the share.

    A clock still running and not yet due is not counted. share is a percentage (None when nothing was due).
    """
    now = now or timezone.now()
    cases = _stats_cases(user, start, end, province, commune)
    out = []
    clocks = Deadline.objects.filter(case__in=cases.values("pk")).filter(Q(met_at__isnull=False) | Q(due_at__lte=now))
    by_rule = defaultdict(lambda: {"in_time": 0, "late": 0, "missed": 0})
    for rule_id, due, met in clocks.values_list("rule_id", "due_at", "met_at"):
        bucket = by_rule[rule_id]
        if met is None:
            bucket["missed"] += 1
        elif met <= due:
            bucket["in_time"] += 1
        else:
            bucket["late"] += 1
    for rule in DeadlineRule.objects.filter(pk__in=by_rule.keys()).order_by("code"):
        b = by_rule[rule.pk]
        total = b["in_time"] + b["late"] + b["missed"]
        out.append({"rule": rule, "code": rule.code, "label": rule.label, "total": total, **b,
                    "share": 100 * b["in_time"] / total if total else None})
    return out
