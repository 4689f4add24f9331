"""Reads of the child-friendly module, scoped through treem.access (a commune its own, a province its communes),
and the figure the indicator "share of communes meeting the standard" (cfc_communes_share) is built from."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from treem.access import fetch, restrict, scope_for
from treem.geo.models import Unit, UnitLevel, UnitSystem

from . import scoring
from .models import Alert, Assessment, Criterion, Status, SubmissionWindow
from .services import VIEW, window

NEAR_POINTS = 50  # "close to the threshold": at most this many points short, or above it but held back by criteria


def assessments_visible_to(user):
    return restrict(Assessment.objects.select_related("commune", "province", "submitted_by"), user, VIEW)


def assessment_for(user, pk):
    return fetch(Assessment.objects.select_related("commune", "province", "standard", "submitted_by",
                                                   "appraised_by", "decision"), user, VIEW, pk=pk)


def provinces_for(user):
    """The provinces whose overview the user may open: her province grants, or all for a national grant."""
    scope = scope_for(user)
    provinces = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
    if scope.is_national(VIEW):
        return provinces
    return provinces.filter(pk__in=scope.province_ids(VIEW))


def recognised_share(province_ids, year: int, hierarchy_on: date) -> list[dict]:
    """Per commune of the given provinces as the hierarchy stood on `hierarchy_on`: numerator 1 when the commune was
    recognised for `year`, else 0; denominator 1. A legacy commune (before the 2025 merger) keeps the result it was
    recognised with: pass a day before 01/07/2025 to count over the legacy hierarchy."""
    communes = (Unit.objects.valid_on(hierarchy_on).filter(level=UnitLevel.COMMUNE, province_id__in=province_ids)
                .values_list("pk", "province_id"))
    ids = [c for c, _p in communes]
    recognised = set(Assessment.objects.filter(year=year, status=Status.RECOGNISED, commune__in=ids)
                     .values_list("commune_id", flat=True))
    return [{"unit_id": c, "province_id": p, "numerator": 1 if c in recognised else 0, "denominator": 1}
            for c, p in communes]


@dataclass
class CommuneRow:
    commune: Unit
    current: Assessment | None
    score: scoring.AssessmentScore | None
    previous: Assessment | None
    previous_score: scoring.AssessmentScore | None

    @property
    def submitted(self) -> bool:
        return self.current is not None and self.current.status not in (Status.DRAFT,)

    @property
    def shortfall(self) -> int | None:
        return None if self.score is None else self.score.threshold - self.score.total

    @property
    def change(self) -> int | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score.total - self.previous_score.total


@dataclass
class Overview:
    province: Unit
    year: int
    rows: list[CommuneRow]
    window: tuple[date, date] | None
    days_left: int | None
    alert: bool
    near: list[CommuneRow] = field(default_factory=list)
    not_submitted: list[CommuneRow] = field(default_factory=list)
    recognisable: list[CommuneRow] = field(default_factory=list)


def _scored(assessments):
    return {a.commune_id: (a, scoring.assessment_score(a)) for a in assessments}


def province_overview(user, province: Unit, year: int, today: date | None = None) -> Overview:
    today = today or timezone.localdate()
    visible = assessments_visible_to(user).filter(province=province).prefetch_related("values", "corrections")
    current = _scored(visible.filter(year=year))
    previous = _scored(visible.filter(year=year - 1))
    communes = list(Unit.objects.filter(province=province, level=UnitLevel.COMMUNE, system=UnitSystem.CURRENT)
                    .order_by("name"))
    rows = [CommuneRow(c, *current.get(c.pk, (None, None)), *previous.get(c.pk, (None, None))) for c in communes]
    span = window(year)
    days_left = (span[1] - today).days if span and span[0] <= today <= span[1] else None
    rule = SubmissionWindow.objects.valid_on(scoring.assessment_day(year)).first()
    alert_days = rule.alert_days if rule else 0
    overview = Overview(province, year, rows, span, days_left, days_left is not None and days_left <= alert_days)
    for row in rows:
        if not row.submitted:
            overview.not_submitted.append(row)
        if row.score and not row.score.verdict.recognised and row.shortfall is not None and (
                row.shortfall <= NEAR_POINTS):
            overview.near.append(row)
        if row.current and row.current.status == Status.APPRAISED and row.score.verdict.recognised:
            overview.recognisable.append(row)
    overview.near.sort(key=lambda r: r.shortfall)
    return overview


def criteria_of(assessment: Assessment):
    return Criterion.objects.filter(standard_id=assessment.standard_id).prefetch_related("sub_indicators")


def alerts_for(user):
    return Alert.objects.filter(user=user, read_at__isnull=True).select_related("unit")
