"""Demo child-friendly assessments for the demo communes (treem.accounts.demo.DEMO_PROVINCES) over two years, made
through the services as the demo commune workers and provincial officers: some recognised, one returned, one short
of recognition by a single criterion at 0 although its total passes, one close to the threshold, one not started.
Idempotent: a commune and year that already has an assessment is left alone."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from treem.accounts.demo import DEMO_PROVINCES
from treem.accounts.models import Assignment, Role
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem

from . import services
from .models import Assessment, Criterion, FileKind, Status

MINUTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# per year offset (0 = last year, 1 = this year): commune index -> what happens
PLANS = {
    0: {0: "recognised", 1: "recognised", 2: "recognised", 3: "recognised", 4: "zero"},
    1: {0: "recognised", 1: "returned", 2: "near", 3: "draft", 4: "zero"},
}
WORST = {"zero": {5: "worst"}, "near": {"2.1": "97", "1.4": "50", "10.1": "97", "12.2": "40"}}


def _values(criterion, how):
    out = {}
    for sub in criterion.sub_indicators.all():
        best = sub.min_value if sub.scoring == "at_most" else sub.max_value
        worst = sub.max_value if sub.scoring == "at_most" else sub.min_value
        chosen = best
        if how == "zero" and criterion.number == 5:
            chosen = worst
        elif how == "near" and sub.code in WORST["near"]:
            chosen = Decimal(WORST["near"][sub.code])
        out[sub.code] = str(chosen)
    return out


def _person(role, unit):
    found = Assignment.objects.filter(role=role, unit=unit).select_related("user").first()
    return found.user if found else None


@transaction.atomic
def load(stdout) -> None:
    codes = [code for _short, _legacy, communes in DEMO_PROVINCES.values() for code in communes]
    communes = sorted(Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code__in=codes)
                      .select_related("province"), key=lambda u: codes.index(u.code))
    this_year = timezone.localdate().year
    made = 0
    for offset, year in enumerate((this_year - 1, this_year)):
        recognised_by_province: dict = {}
        for index, commune in enumerate(communes):
            how = PLANS[offset].get(index)
            worker, officer = _person(Role.COMMUNE_WORKER, commune), _person(Role.FOCAL_OFFICER, commune.province)
            if how is None or worker is None or officer is None:
                continue
            if Assessment.objects.filter(commune=commune, year=year).exists():
                continue
            made += 1
            a = services.assessment_start(actor=worker, commune=commune, year=year)
            for criterion in Criterion.objects.filter(standard=a.standard).prefetch_related("sub_indicators"):
                services.values_save(actor=worker, assessment=a, criterion=criterion,
                                     values=_values(criterion, how),
                                     notes={"7.1": "Số liệu của Trạm Y tế xã", "13.1": "Phiếu khảo sát tháng 9"})
            if how == "draft":
                continue
            services.file_add(actor=worker, assessment=a, kind=FileKind.MINUTES, title="Biên bản Hội đồng đánh giá",
                              upload=SimpleUploadedFile("bien-ban.pdf", MINUTES))
            services.assessment_submit(actor=worker, assessment=a, on=date(year, 10, 20))
            if how == "returned":
                services.assessment_return(actor=officer, assessment=a,
                                           comment="Bổ sung minh chứng tiêu chí 11 (biên bản diễn đàn trẻ em).")
            elif how in ("recognised", "zero"):
                services.assessment_appraise(actor=officer, assessment=a, comment="Đồng ý với kết quả tự đánh giá.")
                if how == "recognised":
                    recognised_by_province.setdefault(commune.province, (officer, []))[1].append(a)
        for province, (officer, chosen) in recognised_by_province.items():
            if chosen and Assessment.objects.filter(pk__in=[a.pk for a in chosen], status=Status.APPRAISED).exists():
                services.recognise(actor=officer, province=province, year=year, assessments=chosen,
                                   signer="Nguyễn Văn Bình", signed_on=date(year, 11, 25))
    if made:
        record(SYSTEM, "demo.childfriendly.load", None, summary={"count": made})
    stdout.write(f"child-friendly demo: {made} assessments")
