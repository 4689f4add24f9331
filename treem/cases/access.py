"""Who may see and do what on a protection case. The one place these rules live; selectors and services use it.

* FULL access (the case file): the workers assigned to the case, the chair of the case's commune, and the
  provincial supervisors (focal officers and case workers of the province, or national ones) unless the case's
  distribution scope is "commune only".
* SUMMARY access (reference, commune, stage, deadlines; no names, no narrative): supervisors of a "commune only"
  case, and read-only users of the province (leaders, auditors).
* The person who recorded a report sees that report (Form 01), not the case file.
* An agency a service was referred to sees that referral only.
Anyone else: the case does not exist (404).

Who learns a child's identity in a case (names, the link to the child's register record, the case on the child's
page) is one rule, `shows_names`, with its SQL form `names_q`: in lists only the assigned workers; in a case file
everyone with full access, except for a strictly confidential case, where only the assigned workers; the agency a
service was referred to, except for a strictly confidential case. Every path that reaches a case's children
(case pages, forms, the API, referrals, the register's child page) asks it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from treem.access import Capability, scope_for

from .models import Case, CaseAssignment, Confidentiality, Distribution

NONE, SUMMARY, FULL = "none", "summary", "full"


@dataclass(frozen=True)
class CaseAccess:
    level: str = NONE
    assigned: bool = False
    chair: bool = False
    supervisor: bool = False
    can_edit: bool = False

    @property
    def full(self) -> bool:
        return self.level == FULL

    @property
    def visible(self) -> bool:
        return self.level != NONE

    @property
    def can_approve(self) -> bool:
        return self.chair

    @property
    def can_manage(self) -> bool:
        """Assign workers, transfer, mark in error."""
        return self.full and (self.can_edit or self.chair)

    @property
    def can_override_consent(self) -> bool:
        return self.full and (self.supervisor or self.chair)


# The roles behind each capability are in treem.access.scope.ROLE_CAPABILITIES, and nowhere else.
CHAIR = Capability.APPROVE_PLANS  # the commune chair (on her commune)
SUPERVISE = Capability.SUPERVISE_CASES  # the case supervisors (on a province, or nationwide)


def _chair_communes(scope) -> frozenset[int]:
    return scope.commune_ids(CHAIR)


def _province_reach(scope, capability: str, case) -> bool:
    """A province-level (or national) grant of `capability` on the case's province; commune and agency grants do
    not count (a grant on an agency carries no province)."""
    return scope.is_national(capability) or case.province_id in scope.province_ids(capability)


def is_assigned(user, case) -> bool:
    return bool(getattr(user, "pk", None)) and CaseAssignment.objects.filter(
        case=case, user=user, ended_at__isnull=True).exists()


def case_access(user, case: Case) -> CaseAccess:
    scope = scope_for(user)
    if scope.is_system:
        return CaseAccess(level=FULL, supervisor=True, can_edit=True)
    if not scope.user_id:
        return CaseAccess()
    can_edit = scope.has(Capability.EDIT_CASES)
    assigned = scope.has(Capability.VIEW_CASES) and is_assigned(user, case)
    chair = case.commune_id in _chair_communes(scope)
    supervisor = _province_reach(scope, SUPERVISE, case)
    if assigned or chair or (supervisor and case.distribution == Distribution.PROVINCE):
        return CaseAccess(level=FULL, assigned=assigned, chair=chair, supervisor=supervisor,
                          can_edit=can_edit and (assigned or supervisor))
    if supervisor or _province_reach(scope, Capability.VIEW_CASES, case):
        return CaseAccess(level=SUMMARY, supervisor=supervisor)
    return CaseAccess()


def visible_q(user) -> Q:
    """Cases a user has FULL or SUMMARY access to (to be used on Case querysets)."""
    scope = scope_for(user)
    if scope.is_system:
        return Q()
    if not scope.user_id or not scope.has(Capability.VIEW_CASES):
        return Q(pk__in=[])
    # Supervisors carry VIEW_CASES too: every province-level reader of cases has at least the summary.
    if scope.is_national(Capability.VIEW_CASES):
        return Q()
    q = assigned_q(user) | Q(commune__in=_chair_communes(scope))
    if provinces := scope.province_ids(Capability.VIEW_CASES):
        q |= Q(province__in=provinces)
    return q


def full_q(user) -> Q:
    """Cases a user may open in full (the registry shows "a case exists" only for these)."""
    scope = scope_for(user)
    if scope.is_system:
        return Q()
    if not scope.user_id or not scope.has(Capability.VIEW_CASES):
        return Q(pk__in=[])
    q = assigned_q(user) | Q(commune__in=_chair_communes(scope))
    if scope.is_national(SUPERVISE):
        return q | Q(distribution=Distribution.PROVINCE)
    if provinces := scope.province_ids(SUPERVISE):
        q |= Q(province__in=provinces, distribution=Distribution.PROVINCE)
    return q


def assigned_q(user) -> Q:
    return Q(Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), user=user, ended_at__isnull=True)))


def shows_names(access: CaseAccess, case: Case, *, in_list: bool) -> bool:
    """Names in lists only to assigned workers; on the case page to everyone with full access, except for a strictly
    confidential case, where only the assigned workers see them."""
    if not access.full:
        return False
    if access.assigned:
        return True
    return not in_list and case.confidentiality != Confidentiality.STRICT


def names_q(user) -> Q:
    """SQL form of `shows_names(case_access(user, case), case, in_list=False)`: the cases whose children the user may
    know by name (and so find linked from the register)."""
    if scope_for(user).is_system:
        return ~Q(confidentiality=Confidentiality.STRICT)
    return full_q(user) & (assigned_q(user) | ~Q(confidentiality=Confidentiality.STRICT))


def referral_shows_names(user, referral, *, in_list: bool) -> bool:
    """The children's names on a referral: the case team as on the case (`shows_names`); the agency the service was
    referred to needs to know whom the service is for, except in a strictly confidential case (the assigned workers
    introduce the child)."""
    case = referral.case
    access = case_access(user, case)
    if access.full:
        return shows_names(access, case, in_list=in_list)
    return case.confidentiality != Confidentiality.STRICT


def shows_reporter(access: CaseAccess, case: Case, user) -> bool:
    if not access.full:
        return False
    if case.confidentiality == Confidentiality.NORMAL:
        return True
    return access.assigned or (case.recorded_by_id is not None and case.recorded_by_id == getattr(user, "pk", None))


def mask_name(name: str) -> str:
    """'Nguyễn Thị Lan' -> 'N. T. L.'"""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part) or "?"
