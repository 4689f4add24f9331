"""Roll-ups over the administrative hierarchy as of a date, and legacy units converted into current ones.

A province's figure as of a day is the sum of the figures of its communes in force that day; the country's is the
sum of the provinces'. Counts add; a rate is recomputed from the summed numerators and denominators (never an
average of rates). A figure keyed to a unit no longer in force that day (a commune of Sóc Trăng before 01/07/2025)
is placed on the units it became (geo UnitConversion): a merged unit's figures add up; a unit split across several
(a partial conversion) needs a share decided by a person (ConversionShare), else its figures are not placed and the
roll-up says how many units wait for that decision. A figure keyed to a unit that did not exist yet that day (a
current commune seen in the 2024 hierarchy) is not placed either: splitting it back would need the same decision.

The values themselves never change: a legacy unit's value stays as it was reported; `converted` gives "the value of
the legacy units converted into a current unit" beside it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.geo.models import Unit, UnitConversion, UnitLevel

from . import expressions
from .models import MULTIPLIER, ConversionShare, Indicator, Measure, Method, Rollup, Value


class ConversionNeedsDecision(ValueError):
    """A legacy unit was split and no share says how much of its figures goes where; the message is for a person."""


@dataclass
class Sum:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    units: set = field(default_factory=set)

    def add(self, numerator, denominator, share: Decimal, unit_id) -> None:
        if numerator is None:
            return
        self.numerator = (self.numerator or Decimal(0)) + Decimal(numerator) * share
        if denominator is not None:
            self.denominator = (self.denominator or Decimal(0)) + Decimal(denominator) * share
        self.units.add(unit_id)


def value_of(measure: str, numerator, denominator) -> Decimal | None:
    """numerator / denominator x multiplier, or the count; None when it cannot be said (no figure, 0 children)."""
    if numerator is None:
        return None
    if measure == Measure.COUNT:
        return Decimal(numerator)
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator) * MULTIPLIER[measure]).quantize(Decimal("0.0001"))


def placements(unit_ids, on: date) -> tuple[dict[int, list[tuple[int, Decimal]]], set[int]]:
    """Where each unit's figures go in the hierarchy of `on`: {unit: [(unit in force, share)]}, and the units that
    cannot be placed (a split without a share, a unit that did not exist yet)."""
    unit_ids = set(unit_ids)
    in_force = set(Unit.objects.filter(pk__in=unit_ids).valid_on(on).values_list("pk", flat=True))
    placed = {u: [(u, Decimal(1))] for u in in_force}
    unplaced = set()
    ended = set(Unit.objects.filter(pk__in=unit_ids - in_force, valid_to__lt=on).values_list("pk", flat=True))
    conversions = defaultdict(list)
    for conv in (UnitConversion.objects.filter(legacy_id__in=ended, effective__lte=on)
                 .select_related("indicator_share")):
        conversions[conv.legacy_id].append(conv)
    for legacy in ended:
        convs = conversions.get(legacy, [])
        if len(convs) == 1 and not convs[0].partial:
            placed[legacy] = [(convs[0].current_id, Decimal(1))]
            continue
        shares = [(c.current_id, _share(c)) for c in convs]
        if not convs or any(s is None for _, s in shares):
            unplaced.add(legacy)
        else:
            placed[legacy] = shares
    unplaced |= unit_ids - in_force - ended
    return placed, unplaced


def _share(conversion: UnitConversion) -> Decimal | None:
    try:
        return conversion.indicator_share.share
    except ConversionShare.DoesNotExist:
        return None


def converted(indicator: Indicator, unit: Unit, year: int, *, sub_period: int = 0, disaggregation: str = "") -> dict:
    """The value of the legacy units that became `unit`, converted into it: {"numerator", "denominator", "value",
    "parts" (legacy units that became it), "parts_with_data"}. Merged units add up; a split unit needs its share
    (ConversionNeedsDecision otherwise)."""
    conversions = list(UnitConversion.objects.filter(current=unit).select_related("legacy", "indicator_share"))
    values = {v.unit_id: v for v in Value.objects.filter(
        indicator=indicator, year=year, sub_period=sub_period, disaggregation=disaggregation,
        unit_id__in=[c.legacy_id for c in conversions])}
    total = Sum()
    for conv in conversions:
        value = values.get(conv.legacy_id)
        if value is None:
            continue
        share = Decimal(1) if not conv.partial else _share(conv)
        if share is None:
            raise ConversionNeedsDecision(
                _("%(legacy)s was split across several units; how much of its figures goes to %(current)s has not "
                  "been decided. Record the share of the split before converting its values.")
                % {"legacy": conv.legacy, "current": unit})
        numerator = value.numerator if value.numerator is not None else (
            value.value if indicator.measure == Measure.COUNT else None)
        total.add(numerator, value.denominator, share, conv.legacy_id)
    return {"numerator": total.numerator, "denominator": total.denominator,
            "value": value_of(indicator.measure, total.numerator, total.denominator),
            "parts": len(conversions), "parts_with_data": len(total.units)}


def _figure(value: Value, measure: str):
    numerator = value.numerator
    if numerator is None and measure == Measure.COUNT:
        numerator = value.value
    return numerator, value.denominator


def province_sums(indicators: list[Indicator], province: Unit, year: int, on: date):
    """{(indicator_id, sub_period, disaggregation): (Sum, units_total)} for a province in the hierarchy of `on`,
    and the number of units whose figures could not be placed."""
    communes = set(Unit.objects.filter(province=province, level=UnitLevel.COMMUNE).valid_on(on)
                   .values_list("pk", flat=True))
    by_id = {i.pk: i for i in indicators}
    sums, unplaced_units = {}, set()
    for level, targets in ((UnitLevel.COMMUNE, communes), (UnitLevel.PROVINCE, {province.pk})):
        candidates = (Value.objects.filter(indicator__in=indicators, year=year, unit__level=level)
                      .filter(Q(unit_id__in=targets) | Q(unit__conversions_to__current_id__in=targets))
                      .exclude(value__isnull=True, numerator__isnull=True).distinct())
        rows = list(candidates.only("indicator_id", "unit_id", "sub_period", "disaggregation", "numerator",
                                    "denominator", "value"))
        placed, unplaced = placements({v.unit_id for v in rows}, on)
        unplaced_units |= unplaced
        level_sums, own = defaultdict(Sum), {}
        for v in rows:
            numerator, denominator = _figure(v, by_id[v.indicator_id].measure)
            k = (v.indicator_id, v.sub_period, v.disaggregation)
            if level == UnitLevel.PROVINCE and v.unit_id == province.pk:
                own[k] = Sum()
                own[k].add(numerator, denominator, Decimal(1), v.unit_id)
                continue
            for target, share in placed.get(v.unit_id, []):
                if target in targets:
                    # communes: which communes have data; a province: which legacy provinces reported
                    who = target if level == UnitLevel.COMMUNE else v.unit_id
                    level_sums[k].add(numerator, denominator, share, who)
        level_sums.update(own)
        parts = None
        for k, s in level_sums.items():
            if k in sums:
                continue  # communes first: a province's own figure only where no commune has one
            if level == UnitLevel.COMMUNE:
                sums[k] = (s, len(communes))
                continue
            # The province's own figure; else its legacy provinces' (merged: they add up, so many parts).
            if parts is None:
                parts = UnitConversion.objects.filter(current=province).count() or 1
            sums[k] = (s, 1 if s.units == {province.pk} else parts)
    return sums, len(unplaced_units)


def refresh_rollups(province_ids, year: int, on: date, indicators: list[Indicator] | None = None) -> int:
    """Recompute the Rollup rows of these provinces and of the country for a year, hierarchy of `on`. Returns rows."""
    indicators = indicators or list(Indicator.objects.all())
    base = [i for i in indicators if i.method != Method.DERIVED]
    derived = [i for i in indicators if i.method == Method.DERIVED and i.expression]
    now = timezone.now()
    rows = []
    provinces = list(Unit.objects.filter(pk__in=province_ids))
    for province in provinces:
        sums, _unplaced = province_sums(base, province, year, on)
        for (indicator_id, sub_period, disaggregation), (s, units_total) in sums.items():
            measure = next(i.measure for i in base if i.pk == indicator_id)
            rows.append(Rollup(indicator_id=indicator_id, unit=province, year=year, sub_period=sub_period,
                               disaggregation=disaggregation, hierarchy_on=on, numerator=s.numerator,
                               denominator=s.denominator, value=value_of(measure, s.numerator, s.denominator),
                               units_total=units_total, units_with_data=len(s.units), refreshed_at=now))
    Rollup.objects.filter(unit__in=provinces, year=year, hierarchy_on=on,
                          indicator__in=base + derived).delete()
    Rollup.objects.bulk_create(rows, batch_size=1000)
    rows += _derive(derived, provinces, year, on, now)
    rows += _country(base, derived, year, on, now)
    return len(rows)


def _derive(derived, units, year, on, now) -> list[Rollup]:
    """Derived indicators over roll-ups: the expression evaluated on the inputs' roll-up values of the same key."""
    if not derived:
        return []
    order = expressions.evaluation_order({i.code: i.expression for i in derived})
    codes = {i.code: i for i in Indicator.objects.all()}
    unit_ids = [u.pk if u is not None else None for u in units]
    rows = []
    for code in order:
        indicator = codes[code]
        inputs = expressions.references(indicator.expression)
        found = defaultdict(dict)
        qs = Rollup.objects.filter(indicator__code__in=inputs, year=year, hierarchy_on=on, disaggregation="")
        qs = qs.filter(unit__isnull=True) if unit_ids == [None] else qs.filter(unit_id__in=unit_ids)
        for r in qs.values("indicator__code", "unit_id", "sub_period", "value", "units_total", "units_with_data"):
            found[(r["unit_id"], r["sub_period"])][r["indicator__code"]] = r
        made = []
        for (unit_id, sub_period), values in found.items():
            result = expressions.evaluate(indicator.expression, {c: v["value"] for c, v in values.items()})
            if result is None:
                continue
            made.append(Rollup(indicator=indicator, unit_id=unit_id, year=year, sub_period=sub_period,
                               disaggregation="", hierarchy_on=on, value=result.quantize(Decimal("0.0001")),
                               units_total=max(v["units_total"] for v in values.values()),
                               units_with_data=min(v["units_with_data"] for v in values.values()), refreshed_at=now))
        Rollup.objects.bulk_create(made)
        rows += made
    return rows


def _country(base, derived, year, on, now) -> list[Rollup]:
    """The country: the sum of every province's roll-up of the same hierarchy date."""
    sums = defaultdict(lambda: [None, None, 0, 0])
    measure = {i.pk: i.measure for i in base}
    for r in Rollup.objects.filter(indicator__in=base, year=year, hierarchy_on=on, unit__isnull=False).values(
            "indicator_id", "sub_period", "disaggregation", "numerator", "denominator", "units_total",
            "units_with_data"):
        s = sums[(r["indicator_id"], r["sub_period"], r["disaggregation"])]
        if r["numerator"] is not None:
            s[0] = (s[0] or 0) + r["numerator"]
            if r["denominator"] is not None:
                s[1] = (s[1] or 0) + r["denominator"]
        s[2] += r["units_total"]
        s[3] += r["units_with_data"]
    rows = [Rollup(indicator_id=k[0], unit=None, year=year, sub_period=k[1], disaggregation=k[2], hierarchy_on=on,
                   numerator=s[0], denominator=s[1], value=value_of(measure[k[0]], s[0], s[1]), units_total=s[2],
                   units_with_data=s[3], refreshed_at=now) for k, s in sums.items()]
    Rollup.objects.filter(unit__isnull=True, year=year, hierarchy_on=on, indicator__in=base + derived).delete()
    Rollup.objects.bulk_create(rows, batch_size=1000)
    return rows + _derive(derived, [None], year, on, now)
