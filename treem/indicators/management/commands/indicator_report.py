"""`treem indicator-report --province CODE --year YYYY [--by-commune] --json`: one JSON object per line for each bound
target of the province (and each computed indicator without a target), with the figures of that year.

Keys: code, name, unit, method, numerator, denominator, value, baseline {value, year}, target {value, year,
direction}, status, communes (with --by-commune: code, name, numerator, denominator, value). Numbers are JSON
numbers (as decimal strings are not); a missing figure is null, never 0.
"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.indicators.models import Indicator, Method, Rollup, TargetBinding, Value, ValueStatus
from treem.indicators.status import binding_years, refresh_status


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _figure(indicator: Indicator, unit: Unit, year: int) -> tuple:
    """(numerator, denominator, value) of the unit for the year: its own accepted value, else its roll-up."""
    own = Value.objects.filter(indicator=indicator, unit=unit, year=year, sub_period=0, disaggregation="",
                               status=ValueStatus.ACCEPTED).first()
    if own is not None:
        return own.numerator, own.denominator, own.value
    rollup = (Rollup.objects.filter(indicator=indicator, unit=unit, year=year, sub_period=0, disaggregation="")
              .order_by("-hierarchy_on").first())
    if rollup is not None:
        return rollup.numerator, rollup.denominator, rollup.value
    return None, None, None


def _communes(indicator: Indicator, province: Unit, year: int) -> list[dict]:
    communes = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, province=province)
    values = {v.unit_id: v for v in Value.objects.filter(indicator=indicator, unit__in=communes, year=year,
                                                         sub_period=0, disaggregation="",
                                                         status=ValueStatus.ACCEPTED)}
    rows = []
    for commune in communes.order_by("code"):
        v = values.get(commune.pk)
        rows.append({"code": commune.code, "name": commune.name,
                     "numerator": _number(v.numerator) if v else None,
                     "denominator": _number(v.denominator) if v else None,
                     "value": _number(v.value) if v else None})
    return rows


class Command(BaseCommand):
    help = "Print the province's bound targets and computed indicators for a year, one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="current province code, e.g. 92")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--by-commune", action="store_true", help="add each commune's figures")
        parser.add_argument("--json", action="store_true", help="JSON lines (the only format for now)")

    def handle(self, *args, province, year, by_commune, **options):
        translation.activate("vi")
        unit = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=province).first()
        if unit is None:
            raise CommandError(f"Không có tỉnh, thành phố mã {province!r} (mã hiện hành, ví dụ 92).")
        if not 1990 <= year <= 2100:
            raise CommandError("Năm phải từ 1990 đến 2100.")
        refresh_status([unit.pk])
        bindings = (TargetBinding.objects.filter(unit=unit).select_related("indicator", "target__document")
                    .prefetch_related("target__values").order_by("indicator__group", "indicator__order",
                                                                  "target__document__issued_on", "target__order"))
        bound = set()
        for binding in bindings:
            indicator = binding.indicator
            bound.add(indicator.pk)
            baseline_year, target_year, goal = binding_years(binding)
            self._write(indicator, unit, year, by_commune, {
                "baseline": {"value": _number(binding.target.baseline_value), "year": baseline_year},
                "target": {"value": _number(goal.value) if goal else None, "year": target_year,
                           "direction": goal.direction if goal else None},
                "status": binding.status})
        for indicator in Indicator.objects.filter(method=Method.COMPUTED).exclude(pk__in=bound).order_by(
                "group", "order", "code"):
            self._write(indicator, unit, year, by_commune, {
                "baseline": {"value": None, "year": None},
                "target": {"value": None, "year": None, "direction": None}, "status": None})

    def _write(self, indicator, unit, year, by_commune, extra):
        numerator, denominator, value = _figure(indicator, unit, year)
        row = {"code": indicator.code, "name": indicator.name_vi, "unit": indicator.get_measure_display(),
               "method": indicator.method, "numerator": _number(numerator), "denominator": _number(denominator),
               "value": _number(value), **extra,
               "communes": _communes(indicator, unit, year) if by_commune else []}
        self.stdout.write(json.dumps(row, ensure_ascii=False))
