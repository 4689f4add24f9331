"""Demo indicators (after the plans demo): the demo plans' targets bound to indicators; several years (2021-2026) of
values for Cần Thơ (the Sóc Trăng 2023 baseline, 77/108 communes = 71,3%, kept on the legacy province), An Giang
(Kiên Giang before 2025) and Lai Châu; some targets on track and some off.

Historical years are the province's series as an import would bring them (source "imported", keyed to the unit of the
time: the legacy province before 2025); 2026 figures are the values of the 2026 round's submissions (accepted ones
locked, the returned one a draft). Computed indicators come from `indicators-refresh` when the engine is installed.
Idempotent: a value already recorded is left as it is.
"""

from decimal import Decimal

from django.core.management import call_command, get_commands
from django.db import transaction
from django.utils import timezone

from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.plans.models import Document, ReportingRound, SubmissionStatus, Target

from . import services
from .models import Better, Group, Indicator, Measure, Method, Source, TargetBinding, Value, ValueStatus
from .status import refresh_status

# The indicators the demo needs when the catalogue is not loaded yet (the engine's fixture loads the full one).
FALLBACK = [
    ("cfc_communes_share", "Tỷ lệ xã, phường đạt tiêu chuẩn phù hợp với trẻ em", Group.GENERAL, Measure.PERCENT,
     Better.HIGHER, Method.REPORTED, "Sở Y tế"),
    ("under5_underweight_share", "Tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể cân nặng theo tuổi",
     Group.HEALTH, Measure.PERCENT, Better.LOWER, Method.REPORTED, "Sở Y tế"),
    ("under5_stunting_share", "Tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể chiều cao theo tuổi",
     Group.HEALTH, Measure.PERCENT, Better.LOWER, Method.REPORTED, "Sở Y tế"),
    ("kindergarten_attendance_share", "Tỷ lệ trẻ em 5 tuổi đi học mẫu giáo", Group.EDUCATION, Measure.PERCENT,
     Better.HIGHER, Method.REPORTED, "Sở Giáo dục và Đào tạo"),
    ("lower_secondary_dropout_share", "Tỷ lệ trẻ em bỏ học cấp trung học cơ sở", Group.EDUCATION,
     Measure.PERCENT, Better.LOWER, Method.REPORTED, "Sở Giáo dục và Đào tạo"),
    ("sc_share", "Tỷ lệ trẻ em có hoàn cảnh đặc biệt trên tổng số trẻ em", Group.PROTECTION, Measure.PERCENT,
     Better.LOWER, Method.COMPUTED, ""),
    ("sc_supported_share", "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp", Group.PROTECTION,
     Measure.PERCENT, Better.HIGHER, Method.COMPUTED, ""),
]

# Which indicator a demo target measures (folded words of its text, first match wins); others: the best proposal.
KEYWORDS = [
    ("tieu chuan phu hop voi tre em", "cfc_communes_share"),
    ("can nang theo tuoi", "under5_underweight_share"),
    ("chieu cao theo tuoi", "under5_stunting_share"),
    ("mau giao", "kindergarten_attendance_share"),
    ("bo hoc cap trung hoc co so", "lower_secondary_dropout_share"),
    ("duoc tro giup", "sc_supported_share"),
    ("hoan canh dac biet/tong so", "sc_share"),
]

# (legacy province code or "", current province code) -> indicator -> {year: value}; before 2025 on the legacy one.
SERIES = {
    "92": {  # Cần Thơ; before 2025 Sóc Trăng (legacy 94)
        "cfc_communes_share": {2021: (74, 108), 2022: (75, 108), 2023: (77, 108), 2024: (81, 108),
                               2025: ("share", Decimal("0.80"))},
        "under5_underweight_share": {2021: "10.6", 2022: "10.2", 2023: "9.8", 2024: "9.5", 2025: "9.3"},
        "under5_stunting_share": {2021: "21.0", 2022: "20.3", 2023: "19.6", 2024: "18.4", 2025: "17.0"},
        "kindergarten_attendance_share": {2021: "98.6", 2022: "98.8", 2023: "99.0", 2024: "99.0", 2025: "99.1"},
        "lower_secondary_dropout_share": {2021: "2.10", 2022: "1.95", 2023: "1.82", 2024: "1.70", 2025: "1.50"},
        "sc_share": {2021: "1.20", 2022: "1.15", 2023: "1.11", 2024: "1.08"},
        "sc_supported_share": {2021: "92.0", 2022: "92.8", 2023: "93.4", 2024: "94.1"},
    },
    "91": {  # An Giang; before 2025 Kiên Giang (legacy 91)
        "cfc_communes_share": {2021: "80.2", 2022: "82.0", 2023: "83.5", 2024: "85.1",
                               2025: ("share", Decimal("0.84"))},
        "under5_underweight_share": {2021: "11.2", 2022: "10.9", 2023: "10.5", 2024: "10.1", 2025: "9.9"},
        "under5_stunting_share": {2021: "22.4", 2022: "21.9", 2023: "21.3", 2024: "20.9", 2025: "20.2"},
    },
    "12": {  # Lai Châu (not merged)
        "cfc_communes_share": {2021: "70.1", 2022: "72.9", 2023: "75.5", 2024: "78.0",
                               2025: ("share", Decimal("0.81"))},
        "under5_stunting_share": {2021: "27.5", 2022: "26.9", 2023: "26.3", 2024: "26.1", 2025: "25.9"},
        "sc_supported_share": {2021: "88.0", 2022: "89.1", 2023: "90.2", 2024: "90.9"},
    },
}
ROUND_2026 = {  # the 2026 round's health figures: Lai Châu's report accepted, Cần Thơ's returned (a draft value)
    "12": {"under5_stunting_share": "25.6"},
    "92": {"under5_underweight_share": "9.0", "under5_stunting_share": "16.2"},
    "91": {"under5_stunting_share": "19.8"},
}


def ensure_catalogue() -> int:
    added = 0
    for order, (code, name, group, measure, better, method, lead) in enumerate(FALLBACK):
        _obj, created = Indicator.objects.get_or_create(code=code, defaults={
            "name_vi": name, "group": group, "measure": measure, "better": better, "method": method,
            "lead_agency_vi": lead, "order": 900 + order, "catalogue_version": "demo"})
        added += created
    return added


def _province(code: str) -> Unit:
    return Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code)


def _legacy_of(province: Unit) -> Unit:
    """The legacy province whose name the current one carries (Sóc Trăng's programme for Cần Thơ: the document's
    area); else the legacy unit of the same name."""
    area = (Document.objects.filter(province=province, area__isnull=False).exclude(area__system=UnitSystem.CURRENT)
            .values_list("area", flat=True).first())
    if area:
        return Unit.objects.get(pk=area)
    return (Unit.objects.filter(system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE, name=province.name).first()
            or province)


def _indicator_for(target: Target) -> Indicator | None:
    text = fold(target.text)
    for words, code in KEYWORDS:
        if words in text and (indicator := Indicator.objects.filter(code=code).first()):
            return indicator
    best = services.binding_propose(target, limit=1)
    return best[0].indicator if best and best[0].score >= 0.6 else None


def _bind(province: Unit) -> int:
    bound = 0
    for target in Target.objects.filter(document__province=province).select_related("document", "area"):
        if TargetBinding.objects.filter(target=target).exists():
            continue
        indicator = _indicator_for(target)
        if indicator is None:
            continue
        legacy = target.area if target.area is not None and not target.area.is_current else None
        services.target_bind(SYSTEM, target, indicator, province, legacy)
        bound += 1
    return bound


def _communes(unit: Unit) -> int:
    return Unit.objects.filter(system=unit.system, level=UnitLevel.COMMUNE, province=unit).count()


def _store(indicator: Indicator, unit: Unit, year: int, spec, **extra) -> bool:
    if Value.objects.filter(indicator=indicator, unit=unit, year=year, sub_period=0, disaggregation="").exists():
        return False
    numerator = denominator = None
    if isinstance(spec, tuple) and spec[0] == "share":
        denominator = Decimal(_communes(unit))
        numerator = (denominator * spec[1]).to_integral_value()
    elif isinstance(spec, tuple):
        numerator, denominator = Decimal(spec[0]), Decimal(spec[1])
    value = (numerator / denominator * 100).quantize(Decimal("0.0001")) if denominator else Decimal(spec)
    Value.objects.create(indicator=indicator, unit=unit, year=year, numerator=numerator, denominator=denominator,
                         value=value, **extra)
    return True


def _history(province: Unit) -> int:
    legacy = _legacy_of(province)
    written = 0
    for code, years in SERIES[province.code].items():
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            continue
        for year, spec in years.items():
            unit = province if year >= 2025 else legacy
            written += _store(indicator, unit, year, spec, source=Source.IMPORTED, status=ValueStatus.ACCEPTED,
                              provenance={"file": "chuỗi số liệu lịch sử của tỉnh (dữ liệu mẫu)",
                                          "territory": unit.name})
    return written


def _round_values(province: Unit) -> int:
    round_ = ReportingRound.objects.filter(province=province, period_year=2026).first()
    if round_ is None:
        return 0
    written = 0
    for submission in round_.submissions.select_related("agency", "round__province"):
        if submission.status not in (SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED):
            continue
        status = ValueStatus.ACCEPTED if submission.status == SubmissionStatus.ACCEPTED else ValueStatus.DRAFT
        unit = services.reporting_unit(submission)
        for indicator in services.reported_indicators(submission):
            spec = ROUND_2026.get(province.code, {}).get(indicator.code)
            if spec is None:
                continue
            written += _store(indicator, unit, 2026, spec, source=Source.REPORTED, status=status,
                              submission=submission, comment="",
                              provenance={"submission": str(submission.pk), "agency": submission.agency.name,
                                          "round": round_.title})
    return written


@transaction.atomic
def load(stdout) -> None:
    added = ensure_catalogue()
    bound = written = 0
    provinces = [_province(code) for code in SERIES]
    for province in provinces:
        written += _history(province)
        written += _round_values(province)
    if "indicators_refresh" in get_commands():
        call_command("indicators_refresh", stdout=stdout)
    for province in provinces:
        bound += _bind(province)
    judged = refresh_status([p.pk for p in provinces])
    record(SYSTEM, "demo.indicators.load", summary={"indicators": added, "bound": bound, "values": written,
                                                    "at": timezone.now().isoformat()})
    stdout.write(f"indicators: {bound} targets bound, {written} values, {judged} statuses\n")
