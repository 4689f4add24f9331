"""`treem indicator-report`: one JSON object per bound target, the exact keys, figures equal to a direct count."""
# ruff: noqa: F811 (the module's fixtures are imported by name)

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.indicators.targets_fixtures import ind_world, iw, province  # noqa: F401
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.indicators.models import Indicator, TargetBinding, Value

KEYS = {"code", "name", "unit", "method", "numerator", "denominator", "value", "baseline", "target", "status",
        "communes"}


def report(*args) -> list[dict]:
    out = StringIO()
    call_command("indicator_report", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_object_per_bound_target_with_exact_keys(iw):
    rows = report("--province", "92", "--year", "2025", "--json")
    bound = TargetBinding.objects.filter(unit=province("92")).count()
    assert len(rows) >= bound > 0
    for row in rows:
        assert set(row) == KEYS
        assert set(row["baseline"]) == {"value", "year"} and set(row["target"]) == {"value", "year", "direction"}
    cfc = next(r for r in rows if r["code"] == "cfc_communes_share")
    assert cfc["baseline"] == {"value": 71.3, "year": 2023}
    assert cfc["target"] == {"value": 97.2, "year": 2030, "direction": "at_least"}
    assert cfc["status"] == "on_track" and cfc["method"] == "reported"


def test_figures_equal_a_direct_count(iw):
    cantho = province("92")
    communes = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, province=cantho).count()
    cfc = next(r for r in report("--province", "92", "--year", "2025", "--json")
               if r["code"] == "cfc_communes_share")
    stored = Value.objects.get(indicator__code="cfc_communes_share", unit=cantho, year=2025)
    assert cfc["denominator"] == communes == int(stored.denominator)
    assert cfc["numerator"] == int(stored.numerator)
    assert abs(cfc["value"] - 100 * cfc["numerator"] / cfc["denominator"]) < 0.0001


def test_by_commune_lists_every_commune(iw):
    rows = report("--province", "12", "--year", "2025", "--by-commune", "--json")
    communes = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, province__code="12")
    row = rows[0]
    assert [c["code"] for c in row["communes"]] == sorted(communes.values_list("code", flat=True))
    assert set(row["communes"][0]) == {"code", "name", "numerator", "denominator", "value"}


def test_computed_indicators_without_target_are_listed(iw):
    computed = Indicator.objects.filter(method="computed").exclude(
        bindings__unit__code="12", bindings__unit__level="province").values_list("code", flat=True)
    codes = {r["code"] for r in report("--province", "12", "--year", "2025", "--json")}
    assert set(computed) <= codes


def test_unknown_province_is_refused_in_vietnamese(iw):
    with pytest.raises(CommandError, match="Không có tỉnh"):
        report("--province", "999", "--year", "2025")
