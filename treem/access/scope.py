"""A user's scope: the capabilities her assignments in force give her, and where.

`Scope.may(capability, unit)` is the one check "this capability on this unit"; `treem.access.rules` turns it into
per-model filters (`restrict`) so that every read is scoped in SQL. Tests attack both through the UI and the API.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone

from treem.accounts.models import Assignment, Role
from treem.core.actors import SystemActor
from treem.core.exceptions import NotAllowed
from treem.geo.models import Unit, UnitLevel


class Capability:
    VIEW_UNITS = "units.view"
    VIEW_CHILDREN = "children.view"
    EDIT_CHILDREN = "children.edit"
    VIEW_CASES = "cases.view"
    EDIT_CASES = "cases.edit"
    RECEIVE_REPORTS = "cases.intake"
    APPROVE_PLANS = "cases.approve"  # the commune chair: approve a case's plan; full access to the commune's cases
    SUPERVISE_CASES = "cases.supervise"  # case supervisors of a province or nationwide: full unless commune-only
    VIEW_PLANS = "plans.view"
    EDIT_PLANS = "plans.edit"
    REPORT_FOR_AGENCY = "plans.report"
    VIEW_INDICATORS = "indicators.view"
    VIEW_AUDIT = "audit.view"
    MANAGE_USERS = "accounts.manage"
    MANAGE_REFERENCE = "reference.manage"
    VIEW_PROCESSING_RECORD = "privacy.view"  # the record of processing and the retention rules (read)
    MANAGE_PRIVACY = "privacy.manage"  # edit and confirm the retention rules
    HANDLE_SUBJECT_ACCESS = "privacy.subject_access"  # a parent's request for a child's data, in the register's units


C = Capability
READ_ONLY = {C.VIEW_UNITS, C.VIEW_CHILDREN, C.VIEW_CASES, C.VIEW_PLANS, C.VIEW_INDICATORS}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMUNE_WORKER: frozenset({C.VIEW_UNITS, C.VIEW_CHILDREN, C.EDIT_CHILDREN, C.VIEW_CASES, C.EDIT_CASES,
                                    C.RECEIVE_REPORTS, C.VIEW_PLANS, C.VIEW_INDICATORS, C.HANDLE_SUBJECT_ACCESS}),
    Role.VILLAGE_COLLABORATOR: frozenset({C.VIEW_UNITS, C.RECEIVE_REPORTS}),
    Role.COMMUNE_CHAIR: frozenset({C.VIEW_UNITS, C.VIEW_CHILDREN, C.VIEW_CASES, C.APPROVE_PLANS, C.VIEW_PLANS,
                                   C.VIEW_INDICATORS}),
    Role.CASE_WORKER: frozenset({C.VIEW_UNITS, C.VIEW_CHILDREN, C.VIEW_CASES, C.EDIT_CASES, C.RECEIVE_REPORTS,
                                 C.SUPERVISE_CASES}),
    Role.HOTLINE_OPERATOR: frozenset({C.VIEW_UNITS, C.RECEIVE_REPORTS}),
    Role.FOCAL_OFFICER: frozenset({C.VIEW_UNITS, C.VIEW_CHILDREN, C.EDIT_CHILDREN, C.VIEW_CASES, C.EDIT_CASES,
                                   C.SUPERVISE_CASES, C.VIEW_PLANS, C.EDIT_PLANS, C.VIEW_INDICATORS,
                                   C.HANDLE_SUBJECT_ACCESS}),
    Role.AGENCY_REPORTER: frozenset({C.VIEW_UNITS, C.VIEW_PLANS, C.REPORT_FOR_AGENCY}),
    Role.LEADER: frozenset(READ_ONLY),
    Role.AUDITOR: frozenset(READ_ONLY | {C.VIEW_AUDIT, C.VIEW_PROCESSING_RECORD}),
    Role.ADMINISTRATOR: frozenset({C.VIEW_UNITS, C.VIEW_AUDIT, C.MANAGE_USERS, C.MANAGE_REFERENCE, C.VIEW_PLANS,
                                   C.VIEW_INDICATORS, C.VIEW_PROCESSING_RECORD, C.MANAGE_PRIVACY}),
}


@dataclass(frozen=True)
class Grant:
    """One assignment in force: a role, where it applies, and what it allows."""

    role: str
    national: bool = False
    province_id: int | None = None
    commune_id: int | None = None
    agency_id: int | None = None


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    grants: tuple[Grant, ...] = ()
    is_system: bool = False
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def capabilities(self) -> frozenset[str]:
        caps: set[str] = set()
        for grant in self.grants:
            caps |= ROLE_CAPABILITIES.get(grant.role, frozenset())
        return frozenset(caps)

    def has(self, capability: str) -> bool:
        return self.is_system or capability in self.capabilities()

    def _grants_with(self, capability: str) -> list[Grant]:
        return [g for g in self.grants if capability in ROLE_CAPABILITIES.get(g.role, frozenset())]

    def is_national(self, capability: str) -> bool:
        return self.is_system or any(g.national for g in self._grants_with(capability))

    def province_ids(self, capability: str) -> frozenset[int]:
        return frozenset(g.province_id for g in self._grants_with(capability) if g.province_id)

    def commune_ids(self, capability: str) -> frozenset[int]:
        return frozenset(g.commune_id for g in self._grants_with(capability) if g.commune_id)

    def agency_ids(self, capability: str) -> frozenset[int]:
        return frozenset(g.agency_id for g in self._grants_with(capability) if g.agency_id)

    def may(self, capability: str, *units: Unit) -> bool:
        """The capability, and on every unit given: a commune, a province, or a legacy unit (through what it became)."""
        if not self.has(capability):
            return False
        return all(self.covers_unit(capability, unit) for unit in units)

    def may_area(self, capability: str, area: Unit | None) -> bool:
        """The capability over an area: a unit, or (None) the whole country, which needs a national grant."""
        if area is None:
            return self.is_national(capability)
        return self.may(capability, area)

    def may_agency(self, capability: str, agency) -> bool:
        """The capability on an agency: its own grant, its province, or (a commune's committee) its commune."""
        return self.has(capability) and self.covers_agency(capability, agency)

    def covers_unit(self, capability: str, unit: Unit) -> bool:
        """May act with `capability` on records of this unit (a commune, a province, or a legacy unit)."""
        if self.is_national(capability):
            return True
        if unit.level == UnitLevel.COMMUNE and unit.is_current and unit.pk in self.commune_ids(capability):
            return True
        province_id = unit.pk if unit.level == UnitLevel.PROVINCE else unit.province_id
        if unit.is_current:
            return province_id in self.province_ids(capability)
        # A legacy unit belongs to the scope through what it became.
        current = Unit.objects.filter(conversions_from__legacy_id__in=[unit.pk, province_id])
        return any(self.covers_unit(capability, u) for u in current)

    def covers_agency(self, capability: str, agency) -> bool:
        if self.is_national(capability) or agency.pk in self.agency_ids(capability):
            return True
        if agency.province_id and agency.province_id in self.province_ids(capability):
            return True
        return bool(agency.unit_id and agency.unit_id in self.commune_ids(capability))


def _grant(assignment: Assignment) -> Grant:
    unit = assignment.unit
    if assignment.agency_id:
        agency = assignment.agency
        return Grant(role=assignment.role, agency_id=agency.pk,
                     province_id=None, commune_id=agency.unit_id if agency.unit_id else None)
    if unit is None:
        return Grant(role=assignment.role, national=True)
    if unit.level == UnitLevel.PROVINCE:
        return Grant(role=assignment.role, province_id=unit.pk)
    return Grant(role=assignment.role, commune_id=unit.pk)


def scope_for(user, on: date | None = None) -> Scope:
    """The user's scope today (or on a date). Cached on the user object for the request."""
    if isinstance(user, SystemActor):
        return Scope(user_id=None, is_system=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    on = on or timezone.localdate()
    cache_key = f"_treem_scope_{on.isoformat()}"
    if (cached := getattr(user, cache_key, None)) is not None:
        return cached
    assignments = Assignment.objects.valid_on(on).filter(user=user).select_related("unit", "agency")
    scope = Scope(user_id=user.pk, grants=tuple(_grant(a) for a in assignments))
    setattr(user, cache_key, scope)
    return scope


def visible_units_q(scope: Scope) -> Q:
    """Units a user may browse: her communes and their province; every unit of her provinces; their legacy history."""
    cap = Capability.VIEW_UNITS
    if scope.is_national(cap):
        return Q()
    communes = scope.commune_ids(cap)
    provinces = scope.province_ids(cap)
    agency_provinces = set(
        Unit.objects.filter(agencies__pk__in=scope.agency_ids(cap)).values_list("pk", flat=True)
    )
    provinces = provinces | agency_provinces
    commune_provinces = set(Unit.objects.filter(pk__in=communes).values_list("province_id", flat=True))
    current = Q(pk__in=communes) | Q(pk__in=provinces | commune_provinces) | Q(province_id__in=provinces)
    legacy = (
        Q(conversions_to__current_id__in=communes)
        | Q(conversions_to__current_id__in=provinces)
        | Q(province__conversions_to__current_id__in=provinces)
    )
    return current | legacy


def require(actor, capability: str, *units: Unit) -> Scope:
    """403 unless the actor may use `capability` (on every unit given); returns the actor's scope.

    The 403 page names the roles that carry the capability."""
    scope = actor if isinstance(actor, Scope) else scope_for(actor)
    forbid_unless(scope, scope.may(capability, *units), needs=capability)
    return scope


def require_area(actor, capability: str, area: Unit | None) -> Scope:
    """403 unless the actor may use `capability` over `area` (a unit; None = nationwide, e.g. a national plan)."""
    scope = actor if isinstance(actor, Scope) else scope_for(actor)
    forbid_unless(scope, scope.may_area(capability, area), needs=capability)
    return scope


def require_agency(actor, capability: str, agency) -> Scope:
    scope = actor if isinstance(actor, Scope) else scope_for(actor)
    forbid_unless(scope, scope.may_agency(capability, agency), needs=capability)
    return scope


def forbid_unless(scope: Scope, allowed: bool, *, needs: str | None = None) -> None:
    """403 unless `allowed`; `needs` names the capability, so that the error page can say which roles have it."""
    if not allowed:
        raise NotAllowed(needs=needs)


def roles_with(capability: str) -> list[str]:
    """The roles (values of Role) that carry a capability, in the order of Role."""
    return [role for role in Role.values if capability in ROLE_CAPABILITIES.get(role, ())]
