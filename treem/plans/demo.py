"""Demo plans: Directive 28-CT/TW and Decision 1183/QĐ-TTg above; the two seed documents loaded THROUGH the parser
into their post-2025 provinces (Sóc Trăng -> Cần Thơ, Kiên Giang -> An Giang); a short synthetic Lai Châu programme;
a 2026 annual reporting round per province (deadline 10/11/2026) with agencies on time, late, returned and missing.

Idempotent: a document already registered is not loaded again; a round already open is left as it is.
"""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from treem.accounts.models import Agency
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .importing import build_proposal, draft_create, draft_save, review_defaults
from .models import Document, DocumentType, ReportingRound, Target, TaskStatus
from .reminders import send_reminders
from .rounds import (
    default_expected_agencies,
    round_create,
    submission_accept,
    submission_return,
    submission_save,
    submission_start,
    submission_submit,
    targets_for,
)
from .services import document_for_citation, document_update, find_document, target_update, task_update_create

SEEDS = Path(__file__).parent / "seeds"
DATA = Path(__file__).parent / "data"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = date(2026, 11, 10)

NATIONAL = [
    {
        "number": "28-CT/TW",
        "doc_type": DocumentType.DIRECTIVE,
        "issued_on": date(2023, 12, 25),
        "issuer_name": "Bộ Chính trị",
        "place": "Hà Nội",
        "title": "Về tăng cường công tác chăm sóc, giáo dục và bảo vệ trẻ em đáp ứng yêu cầu phát triển đất nước "
        "phồn vinh, hạnh phúc",
    },
    {
        "number": "1183/QĐ-TTg",
        "doc_type": DocumentType.DECISION,
        "issued_on": date(2024, 10, 14),
        "issuer_name": "Thủ tướng Chính phủ",
        "place": "Hà Nội",
        "title": "Ban hành Kế hoạch thực hiện Chỉ thị số 28-CT/TW ngày 25 tháng 12 năm 2023 của Bộ Chính trị về tăng "
        "cường công tác chăm sóc, giáo dục và bảo vệ trẻ em đáp ứng yêu cầu phát triển đất nước phồn vinh, "
        "hạnh phúc",
        "implements": ["28-CT/TW"],
    },
]

# (file, current province code, the number it is registered under, corrections an officer makes in the review,
#  the document the province's 2026 round collects reports on)
PLANS = [
    (SEEDS / "001_626193b0675de070.txt", "92", "3452/UBND-VX", {}, "61-CTr/TU"),
    (
        SEEDS / "002_dd8384e2b7666dd2.txt",
        "91",
        "234/KH-UBND",
        {"number": "234/KH-UBND", "place": "Kiên Giang"},
        "234/KH-UBND",
    ),
    (DATA / "laichau_48_ctr_tu.md", "12", "48-CTr/TU", {}, "48-CTr/TU"),
]

# What an officer completes by hand: the programme that came attached to dispatch 3452 (seed 001).
COMPLETIONS = {
    "61-CTr/TU": {
        "issuer_name": "Ban Thường vụ Tỉnh ủy Sóc Trăng",
        "place": "Sóc Trăng",
        "title": "Chương trình của Ban Thường vụ Tỉnh ủy thực hiện Chỉ thị số 28-CT/TW, ngày 25/12/2023 của "
        "Bộ Chính trị về tăng cường công tác chăm sóc, giáo dục và bảo vệ trẻ em đáp ứng yêu cầu "
        "phát triển đất nước phồn vinh, hạnh phúc",
    },
}

# Which department reports the figures of a target (read from the target's wording, folded).
TARGET_AGENCIES = [
    ("suy dinh duong", "Sở Y tế"),
    ("hoc", "Sở Giáo dục và Đào tạo"),
    ("giao duc", "Sở Giáo dục và Đào tạo"),
]

# How the demo round goes for each expected agency, in alphabetical order (Sở Y tế is set apart, see below).
PATTERN = ["accepted", "late", "missing", "on_time", "draft", "late", "accepted", "missing", "on_time"]
HEALTH = {"91": "missing", "92": "returned", "12": "accepted"}  # the demo reporters soyte.<province>


def _province(code: str) -> Unit:
    return Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code)


def _national(stdout) -> None:
    for item in NATIONAL:
        doc = find_document(item["number"])
        if doc is None:
            doc, _created = document_for_citation(
                actor=SYSTEM,
                number=item["number"],
                issued_on=item["issued_on"],
                issuer=item["issuer_name"],
                province=None,
            )
        fields = {k: v for k, v in item.items() if k != "implements"}
        if doc.is_placeholder or not doc.title:
            for key, value in fields.items():
                setattr(doc, key, value)
            doc.province, doc.is_placeholder = None, False
            doc.save()
        for number in item.get("implements", []):
            doc.implements.add(find_document(number))


def _plan(path: Path, province: Unit, number: str, corrections: dict) -> Document | None:
    if (existing := find_document(number)) and not existing.is_placeholder:
        return None
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    draft = draft_create(actor=SYSTEM, upload=upload, province=province)
    review = review_defaults(build_proposal(draft), corrections)
    return draft_save(actor=SYSTEM, draft=draft, review=review)


def _complete(number: str, fields: dict) -> None:
    document = find_document(number)
    if document is not None and not document.title:
        document_update(actor=SYSTEM, document=document, data=fields)


def _target_agencies(document: Document, province: Unit) -> None:
    agencies = {fold(a.name): a for a in Agency.objects.filter(province=province, valid_to__isnull=True)}
    for target in Target.objects.filter(document=document):
        text = fold(target.text)
        for keyword, name in TARGET_AGENCIES:
            if keyword in text and (agency := agencies.get(fold(name))):
                target_update(actor=SYSTEM, target=target, data={}, agencies=[agency])
                break


def _at(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> datetime:
    return datetime.combine(date(2026, month, day), time(hour, minute), tzinfo=VN)


def _report_text(agency: Agency, round_: ReportingRound) -> str:
    return (
        f"{agency.name} báo cáo kết quả năm {round_.period_year} thực hiện {round_.document.name_vi()}:\n"
        "1. Đã quán triệt, triển khai kế hoạch của ngành; lồng ghép các chỉ tiêu về trẻ em vào kế hoạch năm.\n"
        "2. Đã phối hợp với các xã, phường kiểm tra việc bảo đảm môi trường sống an toàn cho trẻ em.\n"
        "3. Khó khăn: kinh phí và nhân lực làm công tác trẻ em ở cơ sở còn thiếu; đề nghị bổ sung trong năm tới."
    )


def _play(round_: ReportingRound, agency: Agency, outcome: str) -> None:
    if outcome == "missing":
        return
    submission = submission_start(actor=SYSTEM, round_=round_, agency=agency)
    figures = {}
    for index, target in enumerate(targets_for(round_, agency)):
        value = next(iter(target.values.all()), None)
        if value is not None:
            figures[target.pk] = (value.value + (index % 3) - 1, "Số liệu sơ bộ")
    submission_save(actor=SYSTEM, submission=submission, text=_report_text(agency, round_), figures=figures)
    if outcome == "draft":
        return
    day = {"on_time": 8, "accepted": 5, "returned": 9, "late": 14}[outcome]
    submission_submit(actor=SYSTEM, submission=submission, at=_at(day, 10 + len(agency.name) % 7))
    if outcome == "accepted":
        submission_accept(actor=SYSTEM, submission=submission)
    elif outcome == "returned":
        submission_return(
            actor=SYSTEM,
            submission=submission,
            note="Bổ sung số liệu về tỷ lệ trẻ em suy dinh dưỡng và trẻ em có hoàn cảnh đặc biệt.",
        )


def _round(province: Unit, document: Document) -> ReportingRound | None:
    title = "Báo cáo năm 2026 thực hiện Chỉ thị 28-CT/TW"
    if ReportingRound.objects.filter(province=province, period_year=2026, document=document).exists():
        return None
    expected = default_expected_agencies(document, province, DEADLINE)
    health = next((a for a in expected if a.name == "Sở Y tế"), None)
    if health is None:
        health = Agency.objects.get(province=province, name="Sở Y tế")
        expected.append(health)
    round_ = round_create(
        actor=SYSTEM,
        document=document,
        province=province,
        title=title,
        period_year=2026,
        deadline=DEADLINE,
        agencies=expected,
        focal_agency=health,
        reminder_days="7,3,1",
    )
    others = sorted((a for a in expected if a.pk != health.pk), key=lambda a: a.name)
    for index, agency in enumerate(others):
        _play(round_, agency, PATTERN[index % len(PATTERN)])
    _play(round_, health, HEALTH[province.code])
    return round_


def _progress(document: Document) -> None:
    """A few progress reports on tasks, as agencies would write them."""
    for task in document.tasks.prefetch_related("assignments__agency").order_by("order")[:3]:
        agency = next((a.agency for a in task.assignments.all() if a.agency and a.agency.valid_to is None), None)
        if agency is None or task.updates.exists():
            continue
        task_update_create(
            actor=SYSTEM,
            task=task,
            status=TaskStatus.IN_PROGRESS,
            period_year=2026,
            text="Đã xây dựng kế hoạch của ngành năm 2026 và tổ chức hội nghị triển khai.",
            figures=[{"label": "Số lượt cán bộ được tập huấn", "value": "120"}],
        )


@transaction.atomic
def load(stdout) -> None:
    _national(stdout)
    loaded = []
    for path, code, number, corrections, round_number in PLANS:
        province = _province(code)
        document = _plan(path, province, number, corrections)
        if document is not None:
            loaded.append(document)
            for number_, fields in COMPLETIONS.items():
                _complete(number_, fields)
            round_document = find_document(round_number)
            _target_agencies(round_document, province)
            _progress(round_document)
        if (round_document := find_document(round_number)) is not None:
            _round(province, round_document)
    sent = send_reminders() if loaded else {"rounds": 0, "tasks": 0}
    record(SYSTEM, "demo.plans.load", summary={"documents": [d.number for d in loaded], "reminders": sent})
    stdout.write(
        f"plans: {Document.objects.count()} documents, "
        f"{ReportingRound.objects.count()} reporting rounds"
        + (f" ({len(loaded)} plans read through the parser)" if loaded else "")
        + "\n"
    )
