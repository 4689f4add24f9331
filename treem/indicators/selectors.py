"""Every read of indicators a person sees: targets with their status, series, the communes' scorecard, breakdowns.

Reads only Value / Rollup / TargetBinding rows (scoped with treem.access.restrict, VIEW_INDICATORS) and the plans'
targets they are bound to: a page view never scans children or cases. A province's computed figure is its Rollup
(the latest hierarchy date for each year); a reported figure is a Value keyed to the unit reported for; a draft
reported value is not shown.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Max, Q
from django.http import Http404
from django.utils.translation import pgettext, pgettext_lazy

from treem.access import Capability, require, restrict, scope_for
from treem.cases.models import ConcernType
from treem.core.collation import unit_key, vi_key
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import CircumstanceGroup

from .charts import Point, format_value
from .models import Better, Indicator, Measure, Refresh, Rollup, TargetBinding, TargetStatus, Value, ValueStatus

VIEW = Capability.VIEW_INDICATORS

STATUS_LABELS = {
    TargetStatus.MET: pgettext_lazy("dashboard", "Met"),
    TargetStatus.ON_TRACK: pgettext_lazy("dashboard", "On track"),
    TargetStatus.AT_RISK: pgettext_lazy("dashboard", "At risk"),
    TargetStatus.OFF_TRACK: pgettext_lazy("dashboard", "Off track"),
    TargetStatus.NO_DATA: pgettext_lazy("dashboard", "No data"),
}
NO_BASELINE = pgettext_lazy("dashboard", "no baseline data")
NO_BASELINE_STATUS = pgettext_lazy("dashboard", "No baseline data")
STATUS_ORDER = {TargetStatus.OFF_TRACK: 0, TargetStatus.AT_RISK: 1, TargetStatus.NO_DATA: 2,
                TargetStatus.ON_TRACK: 3, TargetStatus.MET: 4}
DIMENSION_LABELS = {
    "sex": pgettext_lazy("dashboard", "Sex"), "age": pgettext_lazy("dashboard", "Age group"),
    "ethnicity": pgettext_lazy("dashboard", "Ethnic group"), "group": pgettext_lazy("dashboard", "Group"),
    "abuse": pgettext_lazy("dashboard", "Type of abuse"),
}
GROUP_LABELS = {
    "general": pgettext_lazy("dashboard", "General"), "health": pgettext_lazy("dashboard", "Health and nutrition"),
    "protection": pgettext_lazy("dashboard", "Protection"), "education": pgettext_lazy("dashboard", "Education"),
    "play": pgettext_lazy("dashboard", "Culture and play"),
    "participation": pgettext_lazy("dashboard", "Participation"),
}
MEASURE_LABELS = {
    Measure.PERCENT: pgettext_lazy("dashboard", "per cent (%)"),
    Measure.PER_MILLE: pgettext_lazy("dashboard", "per mille (‰)"),
    Measure.COUNT: pgettext_lazy("dashboard", "count"),
    Measure.RATIO: pgettext_lazy("dashboard", "ratio (per 100)"),
}
SEX_LABELS = {"M": pgettext_lazy("dashboard", "Boys"), "F": pgettext_lazy("dashboard", "Girls")}
SHOWN = [ValueStatus.ACCEPTED, ValueStatus.SUBMITTED]


@dataclass
class Figure:
    """One figure of an indicator for a unit and a year, from a Value or a Rollup."""

    year: int
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    source: str = ""
    status: str = ValueStatus.ACCEPTED
    units_total: int | None = None
    units_with_data: int | None = None

    @property
    def point(self) -> Point:
        return Point(self.year, self.value)


def scope_provinces(user):
    """Current provinces whose indicators the user may read as a whole (province or national grants)."""
    scope = scope_for(user)
    qs = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
    if not scope.has(VIEW):
        return qs.none()
    if scope.is_national(VIEW):
        return qs
    return qs.filter(pk__in=scope.province_ids(VIEW))


def scope_communes(user):
    """Communes granted to the user one by one (a commune worker, a commune chair)."""
    return Unit.objects.filter(pk__in=scope_for(user).commune_ids(VIEW)).select_related("province")


def scope_communes_of(province: Unit) -> list[int]:
    """The ids of the province's current communes (the filter of the scorecard and the indicator page)."""
    return list(Unit.objects.filter(province=province, level=UnitLevel.COMMUNE, system=UnitSystem.CURRENT)
                .values_list("pk", flat=True))


def province_for(user, code: str) -> Unit:
    """The current province by code, 403 unless the user may read its indicators as a whole."""
    province = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code).first()
    if province is None:
        raise Http404
    require(user, VIEW, province)
    return province


def commune_for(user, code: str) -> Unit:
    commune = (Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=code)
               .select_related("province").first())
    if commune is None:
        raise Http404
    require(user, VIEW, commune)
    return commune


# ---------------------------------------------------------------- figures


def figures(user, indicator_ids, unit_ids, *, disaggregation: str | None = "", year: int | None = None) -> dict:
    """{(indicator_id, unit_id, disaggregation): {year: Figure}} from Values and Rollups in the user's scope (two
    queries). A Value of the unit wins over a Rollup of the same year; of several Rollups the latest hierarchy wins."""
    out: dict = defaultdict(dict)
    base = Q(indicator_id__in=list(indicator_ids), unit_id__in=list(unit_ids), sub_period=0)
    if disaggregation is not None:
        base &= Q(disaggregation=disaggregation)
    if year is not None:
        base &= Q(year=year)
    rollups = (restrict(Rollup, user, VIEW).filter(base).order_by("hierarchy_on")
               .values_list("indicator_id", "unit_id", "disaggregation", "year", "value", "numerator", "denominator",
                            "units_total", "units_with_data"))
    for ind, unit, dis, yr, value, num, den, total, with_data in rollups:
        out[(ind, unit, dis)][yr] = Figure(yr, value, num, den, "rollup", units_total=total,
                                           units_with_data=with_data)
    values = (restrict(Value, user, VIEW).filter(base, status__in=SHOWN)
              .values_list("indicator_id", "unit_id", "disaggregation", "year", "value", "numerator", "denominator",
                           "source", "status"))
    for ind, unit, dis, yr, value, num, den, source, status in values:
        out[(ind, unit, dis)][yr] = Figure(yr, value, num, den, source, status)
    return out


def series(found: dict, indicator_id: int, unit_id: int, disaggregation: str = "") -> list[Figure]:
    return [f for _, f in sorted(found.get((indicator_id, unit_id, disaggregation), {}).items())
            if f.value is not None]


def trend(points: list[Figure], better: str) -> dict:
    """The direction of the last change and whether it is for the better: {"arrow", "good", "label"}."""
    if len(points) < 2:
        return {"arrow": "", "good": None, "label": ""}
    change = points[-1].value - points[-2].value
    if change == 0:
        return {"arrow": "→", "good": None, "label": pgettext("dashboard", "unchanged")}
    good = (change > 0) == (better == Better.HIGHER)
    return {"arrow": "↑" if change > 0 else "↓", "good": good,
            "label": pgettext("dashboard", "better") if good else pgettext("dashboard", "worse")}


def data_as_of(province: Unit | None) -> datetime | None:
    """When the computed figures were last refreshed for the province (or the country): the latest finished run."""
    runs = Refresh.objects.filter(finished_at__isnull=False)
    if province is not None:
        runs = runs.filter(Q(province=province) | Q(province__isnull=True))
    latest = runs.aggregate(at=Max("finished_at"))["at"]
    if latest is None and province is not None:
        latest = Rollup.objects.filter(unit=province).aggregate(at=Max("refreshed_at"))["at"]
    return latest


# ---------------------------------------------------------------- targets


@dataclass
class TargetRow:
    binding: TargetBinding
    indicator: Indicator
    unit: Unit
    baseline: Point | None
    goal: Point | None
    goal_value: object  # the plans' TargetValue (direction, value, year)
    series: list[Figure]
    status: str
    status_label: str
    trend: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    @property
    def latest(self) -> Figure | None:
        return self.series[-1] if self.series else None


def _goal(target):
    values = list(target.values.all())
    if not values:
        return None
    return max(values, key=lambda v: (v.year is not None, v.year or 0))


def bound_targets(user, province: Unit, *, status: str = "", group: str = "") -> list[TargetRow]:
    """Every target bound to an indicator for the province, with baseline, series, goal and status; off track first.
    A fixed number of queries whatever the number of targets."""
    bindings = list(restrict(TargetBinding, user, VIEW).filter(unit=province)
                    .select_related("indicator", "target", "target__document", "baseline_unit", "unit")
                    .prefetch_related("target__values"))
    if group:
        bindings = [b for b in bindings if b.indicator.group == group]
    found = figures(user, {b.indicator_id for b in bindings}, [province.pk])
    rows = []
    for binding in bindings:
        indicator, target = binding.indicator, binding.target
        points = series(found, indicator.pk, province.pk)
        goal_value = _goal(target)
        # The binding holds the years the officer confirmed (a parsed target often states neither).
        baseline_year = binding.baseline_year or target.baseline_year
        goal_year = binding.target_year or (goal_value.year if goal_value is not None else None)
        baseline = (Point(baseline_year, target.baseline_value)
                    if target.baseline_value is not None and baseline_year else None)
        goal = Point(goal_year, goal_value.value) if goal_value is not None and goal_year else None
        state = binding.status or TargetStatus.NO_DATA
        label = str(STATUS_LABELS.get(state, state))
        if state == TargetStatus.NO_DATA and baseline is None:
            label = str(NO_BASELINE_STATUS)
        m = indicator.measure
        latest = points[-1] if points else None
        rows.append(TargetRow(
            binding=binding, indicator=indicator, unit=province, baseline=baseline, goal=goal,
            goal_value=goal_value, series=points, status=state, status_label=label,
            trend=trend(points, indicator.better),
            texts={
                "baseline": (f"{format_value(baseline.value, m)} ({baseline.year})" if baseline
                             else str(NO_BASELINE)),
                "latest": f"{format_value(latest.value, m)} ({latest.year})" if latest else "",
                "goal": (f"{goal_value.get_direction_display()} {format_value(goal_value.value, m)}"
                         + (f" ({goal_year})" if goal_year else "")) if goal_value else "",
                "forecast": format_value(binding.forecast_value, m) if binding.forecast_value is not None else "",
                "baseline_unit": binding.baseline_unit.name if binding.baseline_unit_id else "",
            }))
    if status:
        rows = [r for r in rows if r.status == status]
    rows.sort(key=lambda r: (STATUS_ORDER.get(r.status, 9), r.indicator.group, r.indicator.order, r.indicator.code))
    return rows


def status_counts(rows: list[TargetRow]) -> list[dict]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return [{"status": s, "label": STATUS_LABELS[s], "count": counts[s]} for s in STATUS_ORDER if counts[s]]


# ---------------------------------------------------------------- communes


def province_indicators(user, province: Unit) -> list[Indicator]:
    """The indicators with figures for the province's communes or bound to its targets, in catalogue order."""
    bound = restrict(TargetBinding, user, VIEW).filter(unit=province).values("indicator_id")
    measured = restrict(Value, user, VIEW).filter(unit__province=province).values("indicator_id")
    return list(Indicator.objects.filter(Q(pk__in=bound) | Q(pk__in=measured)).order_by("group", "order", "code"))


def latest_years(user, indicator_ids, unit_ids) -> dict[int, int]:
    """The latest year with a figure for any of the units, per indicator."""
    qs = (restrict(Value, user, VIEW).filter(indicator_id__in=list(indicator_ids), unit_id__in=list(unit_ids),
                                             sub_period=0, disaggregation="", status__in=SHOWN)
          .values("indicator_id").annotate(last=Max("year")).values_list("indicator_id", "last"))
    return dict(qs)


@dataclass
class CommuneRow:
    commune: Unit
    cells: dict  # indicator_id -> Figure | None
    below: list = field(default_factory=list)  # indicators on which the commune does worse than the province


def worse(value, reference, better: str) -> bool:
    if value is None or reference is None:
        return False
    return value < reference if better == Better.HIGHER else value > reference


def scorecard(user, province: Unit, indicators: list[Indicator], *, sort: str = "", descending: bool = False,
              year: int | None = None) -> dict:
    """Communes x indicators (each indicator's latest year, or `year`), sorted by a commune's name (Vietnamese
    collation) or by an indicator's value; the province's own figure beside; which communes pull the province down."""
    communes = list(Unit.objects.filter(province=province, level=UnitLevel.COMMUNE, system=UnitSystem.CURRENT))
    ids = [c.pk for c in communes]
    by_code = {i.code: i for i in indicators}
    years = {i.pk: year for i in indicators} if year else latest_years(user, by_code_ids(indicators), ids)
    found = figures(user, [i.pk for i in indicators], [*ids, province.pk], year=year)
    province_figs = {}
    for indicator in indicators:
        yr = years.get(indicator.pk)
        province_figs[indicator.pk] = found.get((indicator.pk, province.pk, ""), {}).get(yr) if yr else None
    rows = []
    for commune in communes:
        cells = {}
        for indicator in indicators:
            yr = years.get(indicator.pk)
            cells[indicator.pk] = found.get((indicator.pk, commune.pk, ""), {}).get(yr) if yr else None
        row = CommuneRow(commune, cells)
        for indicator in indicators:
            cell, ref = cells[indicator.pk], province_figs[indicator.pk]
            if cell and ref and worse(cell.value, ref.value, indicator.better):
                row.below.append(indicator)
        rows.append(row)
    sort_indicator = by_code.get(sort)
    if sort_indicator is not None:
        present = [r for r in rows if (c := r.cells[sort_indicator.pk]) is not None and c.value is not None]
        absent = sorted((r for r in rows if r not in present), key=lambda r: unit_key(r.commune))
        present.sort(key=lambda r: (r.cells[sort_indicator.pk].value, unit_key(r.commune)), reverse=descending)
        rows = present + absent  # communes without a figure always last
    else:
        rows.sort(key=lambda r: unit_key(r.commune), reverse=descending)
    pulling = sorted((r for r in rows if r.below), key=lambda r: (-len(r.below), unit_key(r.commune)))
    return {"rows": rows, "indicators": indicators, "province": province_figs, "years": years,
            "pulling_down": pulling[:10], "sort": sort if sort_indicator else "name", "descending": descending}


def by_code_ids(indicators) -> list[int]:
    return [i.pk for i in indicators]


# ---------------------------------------------------------------- one indicator


def by_commune(user, indicator: Indicator, province: Unit, year: int) -> list[tuple[Unit, Figure | None]]:
    communes = sorted(Unit.objects.filter(province=province, level=UnitLevel.COMMUNE, system=UnitSystem.CURRENT),
                      key=unit_key)
    found = figures(user, [indicator.pk], [c.pk for c in communes], year=year)
    return [(c, found.get((indicator.pk, c.pk, ""), {}).get(year)) for c in communes]


def breakdowns(user, indicator: Indicator, unit: Unit, year: int) -> list[dict]:
    """The disaggregated figures of a unit and a year, grouped by dimension: [{"dimension", "label", "rows"}]."""
    found = figures(user, [indicator.pk], [unit.pk], disaggregation=None, year=year)
    groups: dict = {}
    for (_, _, dis), by_year in found.items():
        if not dis or year not in by_year:
            continue
        parts = dict(part.split("=", 1) for part in dis.split(";") if "=" in part)
        key = ";".join(sorted(parts))
        group = groups.setdefault(key, {"dimension": key, "label": " × ".join(
            str(DIMENSION_LABELS.get(d, d)) for d in sorted(parts)), "rows": []})
        group["rows"].append({"label": " · ".join(dimension_value_label(d, parts[d]) for d in sorted(parts)),
                              "figure": by_year[year], "text": format_value(by_year[year].value, indicator.measure)})
    for group in groups.values():
        group["rows"].sort(key=lambda r: vi_key(r["label"]))
    return sorted(groups.values(), key=lambda g: (g["dimension"].count(";"), g["dimension"]))


def dimension_value_label(dimension: str, value: str) -> str:
    """A breakdown's value in words: Girls, 6-10 tuổi, the group's name, the abuse type's label; never a code."""
    if dimension == "sex":
        return str(SEX_LABELS.get(value, value))
    if dimension == "age":
        return pgettext("dashboard", "{band} years").format(band=value)
    if dimension == "group":
        group = CircumstanceGroup.objects.filter(code=value).only("name").first()
        return group.name if group else value
    if dimension == "abuse":
        return str(dict(ConcernType.choices).get(value, value))
    return value


def unit_series(user, indicator: Indicator, unit: Unit) -> list[Figure]:
    return series(figures(user, [indicator.pk], [unit.pk]), indicator.pk, unit.pk)


def binding_for(user, indicator: Indicator, unit: Unit) -> TargetRow | None:
    rows = [r for r in bound_targets(user, unit) if r.indicator.pk == indicator.pk]
    return rows[0] if rows else None


def commune_indicators(user, commune: Unit) -> list[dict]:
    """A commune's own figures: every indicator it has a value for, with its series and last change."""
    indicator_ids = (restrict(Value, user, VIEW).filter(unit=commune, status__in=SHOWN)
                     .values_list("indicator_id", flat=True).distinct())
    indicators = list(Indicator.objects.filter(pk__in=list(indicator_ids)).order_by("group", "order", "code"))
    found = figures(user, [i.pk for i in indicators], [commune.pk])
    rows = []
    for indicator in indicators:
        points = series(found, indicator.pk, commune.pk)
        latest = points[-1] if points else None
        rows.append({"indicator": indicator, "series": points, "latest": latest,
                     "latest_text": format_value(latest.value, indicator.measure) if latest else "",
                     "trend": trend(points, indicator.better)})
    return rows


def is_count(indicator: Indicator) -> bool:
    return indicator.measure == Measure.COUNT
