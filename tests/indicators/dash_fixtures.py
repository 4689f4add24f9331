"""Indicators, bound targets and figures written directly (the engine and the binding are other helpers' work):
Lai Châu with two communes (X: Bình Lư, Y: Sin Suối Hồ), An Giang as the province outside the scope."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from treem.geo.models import Unit, UnitSystem
from treem.indicators.models import (
    Better,
    Group,
    Indicator,
    Measure,
    Method,
    Refresh,
    Rollup,
    Source,
    TargetBinding,
    TargetStatus,
    Value,
    ValueStatus,
)
from treem.plans.models import Direction, Document, DocumentType, Target, TargetValue

D = Decimal


def indicator(code, name, measure=Measure.PERCENT, better=Better.HIGHER, method=Method.REPORTED, group=Group.GENERAL,
              order=0):
    return Indicator.objects.get_or_create(code=code, defaults={
        "name_vi": name, "measure": measure, "better": better, "method": method, "group": group, "order": order})[0]


def value(ind, unit, year, v, num=None, den=None, disaggregation="", status=ValueStatus.ACCEPTED,
          source=Source.REPORTED):
    return Value.objects.create(indicator=ind, unit=unit, year=year, value=D(str(v)), disaggregation=disaggregation,
                                numerator=None if num is None else D(num), denominator=None if den is None else D(den),
                                source=source, status=status)


def rollup(ind, unit, year, v, num=None, den=None, disaggregation="", on=date(2026, 1, 1)):
    return Rollup.objects.create(indicator=ind, unit=unit, year=year, value=D(str(v)), disaggregation=disaggregation,
                                 numerator=None if num is None else D(num), denominator=None if den is None else D(den),
                                 hierarchy_on=on, refreshed_at=timezone.now())


def bind(ind, province, *, text, baseline=None, baseline_year=None, goal, goal_year=2030,
         direction=Direction.AT_LEAST, status=TargetStatus.NO_DATA, number="01/KH-UBND"):
    document = Document.objects.filter(number=number, province=province).first() or Document.objects.create(
        doc_type=DocumentType.PLAN, number=number, issued_on=date(2026, 1, 5), province=province,
        title="Kế hoạch thực hiện Chương trình bảo vệ trẻ em giai đoạn 2026-2030")
    target = Target.objects.create(document=document, text=text, unit="%", order=Target.objects.count(),
                                   baseline_value=None if baseline is None else D(str(baseline)),
                                   baseline_year=baseline_year, area=province, indicator_code=ind.code)
    TargetValue.objects.create(target=target, year=goal_year, value=D(str(goal)), direction=direction)
    return TargetBinding.objects.create(target=target, indicator=ind, unit=province, status=status, confirmed=True)


def unit(level, code):
    return Unit.objects.get(system=UnitSystem.CURRENT, level=level, code=code)


def world(lai_chau, commune_x, commune_y, an_giang):
    """Three bound targets in Lai Châu (one off track, one on track, one without baseline), figures for both communes
    and the province, and a target in An Giang that nobody in Lai Châu may see."""
    cfc = indicator("cfc_communes_share", "Tỷ lệ xã, phường đạt tiêu chuẩn phù hợp với trẻ em", order=1)
    under = indicator("under5_underweight_share", "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể nhẹ cân",
                      better=Better.LOWER, group=Group.HEALTH, order=2)
    sc = indicator("sc_children", "Số trẻ em có hoàn cảnh đặc biệt", measure=Measure.COUNT, better=Better.LOWER,
                   method=Method.COMPUTED, group=Group.PROTECTION, order=3)
    bind(cfc, lai_chau, text="Tỷ lệ xã đạt chuẩn phù hợp với trẻ em đạt 97,2%", baseline=71.3, baseline_year=2023,
         goal=97.2, status=TargetStatus.OFF_TRACK)
    bind(under, lai_chau, text="Giảm tỷ lệ suy dinh dưỡng thể nhẹ cân xuống dưới 6%", baseline=9.8,
         baseline_year=2023, goal=6, direction=Direction.BELOW, status=TargetStatus.ON_TRACK)
    bind(sc, lai_chau, text="Giảm số trẻ em có hoàn cảnh đặc biệt", goal=100, direction=Direction.REDUCE_TO)
    for year, v in [(2024, 72.1), (2025, 73.0)]:
        value(cfc, lai_chau, year, v)
    for year, v in [(2024, 9.1), (2025, 8.2)]:
        value(under, lai_chau, year, v)
    value(cfc, commune_x, 2025, 60.5)
    value(cfc, commune_y, 2025, 88.25)
    value(under, commune_x, 2025, 12.4)
    value(under, commune_y, 2025, 4.1)
    value(sc, commune_x, 2025, 17, source=Source.COMPUTED)
    value(sc, commune_y, 2025, 3, source=Source.COMPUTED)
    value(sc, commune_x, 2025, 2, disaggregation="sex=F", source=Source.COMPUTED)
    rollup(sc, lai_chau, 2025, 20)
    rollup(sc, lai_chau, 2025, 2, disaggregation="sex=F")
    rollup(sc, lai_chau, 2025, 18, disaggregation="sex=M")
    value(cfc, commune_x, 2026, 61, status=ValueStatus.DRAFT)  # a draft is never shown
    other = indicator("sex_ratio_at_birth", "Tỷ số giới tính khi sinh", measure=Measure.RATIO, better=Better.LOWER)
    bind(other, an_giang, text="Tỷ số giới tính khi sinh dưới 110", goal=110, direction=Direction.BELOW,
         number="02/KH-UBND")
    value(other, an_giang, 2025, 112.4)
    now = timezone.now()
    Refresh.objects.create(province=lai_chau, full=True, started_at=now, finished_at=now, watermark=now)
    return {"cfc": cfc, "under": under, "sc": sc, "other": other}
