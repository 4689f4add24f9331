"""Roll-ups over the hierarchy as of a date: a province's numerator is the sum of its communes', for any date,
through merges and splits; a split unit without a decided share is refused, never guessed."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.indicators.engine_data import catalogue  # noqa: F401 (the fixture)
from treem.geo.models import Unit, UnitConversion, UnitLevel, UnitSystem
from treem.indicators.models import ConversionShare, Indicator, Rollup, Source, Value
from treem.indicators.rollups import ConversionNeedsDecision, converted, refresh_rollups

DATES = [date(2024, 12, 31), date(2025, 7, 1), date(2026, 6, 15)]


def _units():
    soc_trang = Unit.objects.get(system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE, code="94")
    can_tho = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code="92")
    legacy = list(Unit.objects.filter(province=soc_trang, level=UnitLevel.COMMUNE).order_by("code")[:40])
    # a few split ones for sure
    split = list(Unit.objects.filter(province=soc_trang, level=UnitLevel.COMMUNE,
                                     conversions_to__partial=True).distinct().order_by("code")[:6])
    current = list(Unit.objects.filter(province=can_tho, level=UnitLevel.COMMUNE).order_by("code")[:10])
    return soc_trang, can_tho, legacy + [u for u in split if u not in legacy], current


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(picks=st.lists(st.tuples(st.integers(0, 45), st.integers(0, 500), st.integers(0, 500)), min_size=1,
                      max_size=15),
       weights=st.lists(st.integers(1, 9), min_size=12, max_size=12), decide=st.booleans(),
       on=st.sampled_from(DATES))
def test_province_numerator_is_the_sum_of_its_communes(picks, weights, decide, on):
    soc_trang, can_tho, legacy, current = _units()
    population = Indicator.objects.get(code="child_population")
    share_id = Indicator.objects.get(code="personal_id_share")
    with transaction.atomic():
        units = {}
        for index, a, b in picks:
            unit = (legacy + current)[index % (len(legacy) + len(current))]
            units[unit.pk] = (unit, Decimal(a + b), Decimal(a))
        for unit, count, with_id in units.values():
            Value.objects.create(indicator=population, unit=unit, year=2024, numerator=count, value=count,
                                 source=Source.COMPUTED)
            Value.objects.create(indicator=share_id, unit=unit, year=2024, numerator=with_id, denominator=count,
                                 source=Source.COMPUTED)
        # Shares of the split units (decided or not): weights normalised to 1 per legacy unit.
        shares = {}
        if decide:
            for unit, *_ in units.values():
                convs = list(UnitConversion.objects.filter(legacy=unit, partial=True).order_by("pk"))
                if not convs:
                    continue
                ws = [weights[i % len(weights)] for i in range(len(convs))]
                parts = [(Decimal(w) / sum(ws)).quantize(Decimal("0.000001")) for w in ws]
                parts[-1] = Decimal(1) - sum(parts[:-1])
                for conv, part in zip(convs, parts, strict=True):
                    ConversionShare.objects.create(conversion=conv, share=part)
                    shares[conv.pk] = part
        province = soc_trang if on < date(2025, 7, 1) else can_tho
        refresh_rollups([province.pk], 2024, on, indicators=[population, share_id])

        # Independently: each commune in force on the day, and what each value gives it.
        communes = set(Unit.objects.filter(province=province, level=UnitLevel.COMMUNE).valid_on(on)
                       .values_list("pk", flat=True))
        expected_n, expected_id, expected_d = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
        for unit, count, with_id in units.values():
            if unit.valid_from and unit.valid_from > on:
                continue  # a current commune seen in the old hierarchy: not placed
            if unit.valid_to is None or unit.valid_to >= on:
                targets = [(unit.pk, Decimal(1))]
            else:
                convs = list(UnitConversion.objects.filter(legacy=unit))
                if len(convs) == 1 and not convs[0].partial:
                    targets = [(convs[0].current_id, Decimal(1))]
                elif convs and all(c.pk in shares for c in convs):
                    targets = [(c.current_id, shares[c.pk]) for c in convs]
                else:
                    with pytest.raises(ConversionNeedsDecision):
                        converted(population, Unit.objects.get(pk=convs[0].current_id), 2024)
                    continue
            for target, part in targets:
                if target in communes:
                    expected_n[target] += count * part
                    expected_id[target] += with_id * part
                    expected_d[target] += count * part
        rollup = Rollup.objects.filter(indicator=population, unit=province, year=2024, hierarchy_on=on,
                                       disaggregation="").first()
        if not expected_n:
            assert rollup is None or rollup.units_with_data == 0
        else:
            assert rollup.numerator == sum(expected_n.values())
            assert rollup.units_with_data == len(expected_n)
            assert rollup.units_total == len(communes)
            rate = Rollup.objects.get(indicator=share_id, unit=province, year=2024, hierarchy_on=on,
                                      disaggregation="")
            assert rate.numerator == sum(expected_id.values())
            assert rate.denominator == sum(expected_d.values())
            if rate.denominator:  # recomputed from the sums, never an average of the communes' rates
                assert rate.value == (rate.numerator / rate.denominator * 100).quantize(Decimal("0.0001"))
            country = Rollup.objects.get(indicator=population, unit=None, year=2024, hierarchy_on=on,
                                         disaggregation="")
            assert country.numerator == rollup.numerator
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_legacy_province_value_stays_as_reported_and_converts_into_its_successor():
    """Sóc Trăng 2023: 77/108 communes child-friendly = 71,3%, kept on Sóc Trăng; converted into Cần Thơ beside it."""
    soc_trang = Unit.objects.get(system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE, code="94")
    hau_giang = Unit.objects.get(system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE, code="93")
    can_tho = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code="92")
    cfc = Indicator.objects.get(code="cfc_communes_share")
    Value.objects.create(indicator=cfc, unit=soc_trang, year=2023, numerator=77, denominator=108,
                         value=Decimal("71.2963"), source=Source.REPORTED)
    result = converted(cfc, can_tho, 2023)
    assert (result["numerator"], result["denominator"]) == (77, 108)
    assert result["parts"] == 3 and result["parts_with_data"] == 1  # Sóc Trăng, Hậu Giang, Cần Thơ (old)
    Value.objects.create(indicator=cfc, unit=hau_giang, year=2023, numerator=50, denominator=75,
                         value=Decimal("66.6667"), source=Source.REPORTED)
    result = converted(cfc, can_tho, 2023)
    assert (result["numerator"], result["denominator"]) == (127, 183)  # merged: the parts add up
    assert result["value"] == (Decimal(127) / 183 * 100).quantize(Decimal("0.0001"))
    assert Value.objects.get(indicator=cfc, unit=soc_trang).value == Decimal("71.2963")  # unchanged
    # In the 2023 hierarchy, Sóc Trăng's roll-up is its own figure.
    refresh_rollups([soc_trang.pk], 2023, date(2023, 12, 31), indicators=[cfc])
    own = Rollup.objects.get(indicator=cfc, unit=soc_trang, year=2023, disaggregation="")
    assert (own.numerator, own.denominator, own.units_total, own.units_with_data) == (77, 108, 1, 1)
    # In today's, Cần Thơ's roll-up adds its legacy provinces' figures and says how many of them reported.
    refresh_rollups([can_tho.pk], 2023, date(2026, 1, 1), indicators=[cfc])
    merged = Rollup.objects.get(indicator=cfc, unit=can_tho, year=2023, disaggregation="")
    assert (merged.numerator, merged.denominator, merged.units_total, merged.units_with_data) == (127, 183, 3, 2)


@pytest.mark.django_db
def test_a_split_unit_without_a_share_is_refused_with_a_clear_message():
    from django.utils import translation

    conv = UnitConversion.objects.filter(partial=True).select_related("legacy", "current").first()
    population = Indicator.objects.get(code="child_population")
    Value.objects.create(indicator=population, unit=conv.legacy, year=2024, numerator=100, value=100,
                         source=Source.COMPUTED)
    with translation.override("vi"), pytest.raises(ConversionNeedsDecision, match="tỷ lệ"):
        converted(population, conv.current, 2024)
    ConversionShare.objects.create(conversion=conv, share=Decimal("0.25"), basis="Theo dân số")
    assert converted(population, conv.current, 2024)["numerator"] == 25
