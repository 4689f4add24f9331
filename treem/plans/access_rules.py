"""Who reaches the plans' records (treem.access.rules). Richer than a ByUnit: plans belong to provinces, not communes.

* Documents and targets: national documents (no province), and those of the provinces the reader works in, through a
  province, a commune (its province) or an agency (the agency's province).
* Tasks: national ones and those of the provinces the reader works in through a province or a commune; an agency
  grant reaches the tasks of its agency and of the agencies it succeeded (not the province's other tasks).
* Rounds: those of the reader's provinces (province-level grants only), and the rounds her agency is expected in.
* Submissions: those of the reader's provinces' rounds, and her agency's own.

Each rule has its SQL form (`q`) and its Python form (`allows`); tests/foundation/test_access_rules.py proves
they agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q

from treem.access import ByUnit, Scope, register
from treem.access.rules import NOTHING, value_at
from treem.accounts.models import Agency
from treem.geo.models import Unit

from .models import (
    ConsolidatedReport,
    Document,
    PlanDraft,
    ReportingRound,
    RoundAgency,
    Submission,
    Target,
    Task,
    TaskAgency,
)
from .succession import predecessors_closure


def area_provinces(scope: Scope, cap: str) -> set[int]:
    """Provinces the reader works in through a province or a commune (not through an agency)."""
    provinces = set(scope.province_ids(cap))
    if communes := scope.commune_ids(cap):
        provinces |= set(Unit.objects.filter(pk__in=communes).values_list("province_id", flat=True))
    return provinces


def agency_provinces(scope: Scope, cap: str) -> set[int]:
    ids = scope.agency_ids(cap)
    if not ids:
        return set()
    return set(Agency.objects.filter(pk__in=ids, province__isnull=False).values_list("province_id", flat=True))


def agency_family(scope: Scope, cap: str) -> set[int]:
    """The reader's agencies and those they succeeded."""
    ids = scope.agency_ids(cap)
    return predecessors_closure(ids) if ids else set()


@dataclass(frozen=True)
class PlanArea:
    """National records (no province) and those of every province the reader works in (area or agency)."""

    province: str = "province"

    def _provinces(self, scope: Scope, cap: str) -> set[int]:
        return area_provinces(scope, cap) | agency_provinces(scope, cap)

    def q(self, scope: Scope, cap: str) -> Q:
        if not scope.has(cap):
            return NOTHING
        if scope.is_national(cap):
            return Q()
        return Q(**{f"{self.province}__isnull": True}) | Q(**{f"{self.province}__in": self._provinces(scope, cap)})

    def allows(self, scope: Scope, cap: str, obj: Model) -> bool:
        if not scope.has(cap):
            return False
        if scope.is_national(cap):
            return True
        province = value_at(obj, self.province)
        return province is None or province in self._provinces(scope, cap)


@dataclass(frozen=True)
class TaskRule:
    """Tasks of the reader's area (national ones too); an agency grant: its agency family's tasks only."""

    def q(self, scope: Scope, cap: str) -> Q:
        if not scope.has(cap):
            return NOTHING
        if scope.is_national(cap):
            return Q()
        q = NOTHING
        if provinces := area_provinces(scope, cap):
            q |= Q(document__province__isnull=True) | Q(document__province__in=provinces)
        if family := agency_family(scope, cap):
            q |= Q(pk__in=TaskAgency.objects.filter(agency__in=family).values("task_id"))
        return q

    def allows(self, scope: Scope, cap: str, obj: Model) -> bool:
        if not scope.has(cap):
            return False
        if scope.is_national(cap):
            return True
        if provinces := area_provinces(scope, cap):
            province = value_at(obj, "document__province")
            if province is None or province in provinces:
                return True
        family = agency_family(scope, cap)
        return bool(family) and TaskAgency.objects.filter(task_id=obj.pk, agency__in=family).exists()


@dataclass(frozen=True)
class RoundRule:
    """Rounds of the reader's provinces (province-level grants), and those her agency is expected in.

    `round` is the path to the round ("" for the round itself, "round" for a round's consolidated report)."""

    round: str = ""

    def _path(self, name: str) -> str:
        return f"{self.round}__{name}" if self.round else name

    def q(self, scope: Scope, cap: str) -> Q:
        if not scope.has(cap):
            return NOTHING
        if scope.is_national(cap):
            return Q()
        q = NOTHING
        if provinces := scope.province_ids(cap):
            q |= Q(**{f"{self._path('province')}__in": provinces})
        if agencies := scope.agency_ids(cap):
            expected = RoundAgency.objects.filter(agency__in=agencies).values("round_id")
            q |= Q(**{f"{self._path('pk')}__in": expected})
        return q

    def allows(self, scope: Scope, cap: str, obj: Model) -> bool:
        if not scope.has(cap):
            return False
        round_ = getattr(obj, self.round) if self.round else obj
        if scope.is_national(cap) or round_.province_id in scope.province_ids(cap):
            return True
        agencies = scope.agency_ids(cap)
        return bool(agencies) and RoundAgency.objects.filter(round_id=round_.pk, agency__in=agencies).exists()


register(Document, PlanArea("province"))
register(Target, PlanArea("document__province"))
register(Task, TaskRule())
register(ReportingRound, RoundRule())
register(ConsolidatedReport, RoundRule("round"))
# A pending upload: those who may edit its province's plans (drafts are read with EDIT_PLANS).
register(PlanDraft, ByUnit(commune=None, province="province"))
# A submission: the province's round (province-level grants), or the agency's own report.
register(Submission, ByUnit(commune=None, province="round__province", agency="agency"))
