"""A bound target's status from the latest value (the rule of ind-common / DOMAIN.md "Indicators"; the rule is data).

met: the latest value meets the target (its direction); otherwise the expected progress at the latest year is the
straight line from the baseline (value, year) to the target (value, year); progress = (latest - baseline) /
(target - baseline); on track when progress >= expected share, at risk when >= expected x StatusRule.at_risk_share,
off track below. No latest value, or no baseline: no data ("chưa có số liệu nền", never 0).
Forecast: the least-squares line through the series (>= 2 years) at the target year.

`evaluate` is pure (hypothesis-tested); `refresh_status` reads values and roll-ups and writes TargetBinding.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Better, Measure, Rollup, StatusRule, TargetBinding, TargetStatus, Value, ValueStatus
from .sync import values_sync

HIGHER_DIRECTIONS = {"at_least", "increase_to"}
LOWER_DIRECTIONS = {"below", "reduce_to"}
# Better statuses are larger (the monotonicity the tests check); no data stands apart.
RANK = {TargetStatus.OFF_TRACK: 0, TargetStatus.AT_RISK: 1, TargetStatus.ON_TRACK: 2, TargetStatus.MET: 3}


@dataclass(frozen=True)
class Result:
    status: str
    expected_share: Decimal | None = None  # of the way from baseline to target by the latest year
    progress: Decimal | None = None  # of the way actually made
    forecast: Decimal | None = None


def higher_is_better(direction: str, better: str = Better.HIGHER) -> bool:
    if direction in HIGHER_DIRECTIONS:
        return True
    if direction in LOWER_DIRECTIONS:
        return False
    return better == Better.HIGHER  # "equal": the indicator's own direction


def meets(value: Decimal, target: Decimal, direction: str, better: str = Better.HIGHER) -> bool:
    return {
        "at_least": value >= target,
        "increase_to": value >= target,
        "below": value < target,
        "reduce_to": value <= target,
        "equal": value == target,
    }.get(direction, value >= target if better == Better.HIGHER else value <= target)


def forecast(series: list[tuple[int, Decimal]], year: int | None) -> Decimal | None:
    """The least-squares line through (year, value) at `year`; None with fewer than two distinct years."""
    points = [(Decimal(y), Decimal(v)) for y, v in series if v is not None]
    if year is None or len({y for y, _ in points}) < 2:
        return None
    n = Decimal(len(points))
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return (mean_y + slope * (Decimal(year) - mean_x)).quantize(Decimal("0.0001"))


def evaluate(*, baseline: tuple[Decimal, int] | None, target: tuple[Decimal, int | None, str],
             latest: tuple[Decimal, int] | None, series: list[tuple[int, Decimal]] = (),
             at_risk_share: Decimal = Decimal("0.75"), better: str = Better.HIGHER) -> Result:
    target_value, target_year, direction = target
    predicted = forecast(list(series), target_year)
    if latest is None or baseline is None:
        return Result(TargetStatus.NO_DATA, forecast=predicted)
    latest_value, latest_year = latest
    if meets(latest_value, target_value, direction, better):
        return Result(TargetStatus.MET, forecast=predicted)
    baseline_value, baseline_year = baseline
    sign = 1 if higher_is_better(direction, better) else -1
    needed = (target_value - baseline_value) * sign
    gained = (latest_value - baseline_value) * sign
    if target_year is None or target_year <= baseline_year:
        expected = Decimal(1)
    else:
        expected = min(Decimal(1), max(Decimal(0), Decimal(latest_year - baseline_year)
                                       / Decimal(target_year - baseline_year)))
    if needed <= 0:
        # The baseline already met the target but the latest value does not: it fell back behind it.
        return Result(TargetStatus.OFF_TRACK, expected, None, predicted)
    progress = gained / needed
    if progress >= expected:
        status = TargetStatus.ON_TRACK
    elif progress >= expected * at_risk_share:
        status = TargetStatus.AT_RISK
    else:
        status = TargetStatus.OFF_TRACK
    return Result(status, expected, progress, predicted)


def current_rule(on: date | None = None) -> StatusRule | None:
    on = on or timezone.localdate()
    return StatusRule.objects.valid_on(on).order_by("-valid_from", "pk").first()


def series_for(indicator, unit, disaggregation: str = "") -> list[tuple[int, Decimal]]:
    """Yearly figures of the indicator for the unit: its own accepted values, else (a province, the country) its
    roll-ups as of the latest hierarchy date. A year has one figure: the unit's own value wins."""
    values = Value.objects.filter(indicator=indicator, unit=unit, sub_period=0, disaggregation=disaggregation,
                                  status=ValueStatus.ACCEPTED, value__isnull=False)
    by_year = {v.year: v.value for v in values}
    rollups = (Rollup.objects.filter(indicator=indicator, unit=unit, sub_period=0, disaggregation=disaggregation,
                                     value__isnull=False).order_by("year", "-hierarchy_on"))
    for r in rollups:
        by_year.setdefault(r.year, r.value)
    return sorted(by_year.items())


def binding_years(binding: TargetBinding) -> tuple[int | None, int | None, object]:
    """(baseline year, target year, the TargetValue the status is judged against)."""
    values = list(binding.target.values.all())
    dated = [v for v in values if v.year]
    goal = max(dated, key=lambda v: v.year) if dated else (values[0] if values else None)
    target_year = (goal.year if goal is not None and goal.year else None) or binding.target_year
    baseline_year = binding.target.baseline_year or binding.baseline_year
    return baseline_year, target_year, goal


def judge(binding: TargetBinding, rule: StatusRule | None = None) -> Result:
    baseline_year, target_year, goal = binding_years(binding)
    if goal is None:
        return Result(TargetStatus.NO_DATA)
    series = series_for(binding.indicator, binding.unit)
    latest = series[-1] if series else None
    baseline_value = binding.target.baseline_value
    baseline = (baseline_value, baseline_year) if baseline_value is not None and baseline_year else None
    line = list(series)
    if baseline is not None and baseline_year not in dict(series):
        line = sorted([*series, (baseline_year, baseline_value)])
    share = rule.at_risk_share if rule is not None else Decimal("0.75")
    return evaluate(baseline=baseline, target=(goal.value, target_year, goal.direction),
                    latest=(latest[1], latest[0]) if latest else None, series=line, at_risk_share=share,
                    better=binding.indicator.better)


def bounded(value: Decimal | None, measure: str) -> Decimal | None:
    """A straight line runs past what a share can be: a forecast percentage stays within 0-100, a count above 0."""
    if value is None:
        return None
    if measure == Measure.PERCENT:
        return min(max(value, Decimal(0)), Decimal(100))
    return max(value, Decimal(0))


def refresh_status(province_ids=None) -> int:
    """Judge every bound target (of these current provinces) again and store its status; returns how many."""
    values_sync(province_ids=province_ids)
    rule = current_rule()
    bindings = TargetBinding.objects.select_related("target", "indicator", "unit").prefetch_related("target__values")
    if province_ids is not None:
        bindings = bindings.filter(Q(unit_id__in=province_ids) | Q(unit__province_id__in=province_ids))
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for binding in bindings:
            result = judge(binding, rule)
            series = series_for(binding.indicator, binding.unit)
            binding.status = result.status
            binding.latest_year, binding.latest_value = series[-1] if series else (None, None)
            binding.forecast_value = bounded(result.forecast, binding.indicator.measure)
            binding.status_at = now
            binding.save(update_fields=["status", "latest_year", "latest_value", "forecast_value", "status_at",
                                        "updated_at"])
            count += 1
    return count
