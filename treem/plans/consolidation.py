"""The focal agency's consolidated report of a round, in the Decree 30 format (DOCX to edit, PDF to read).

Runs as a background job (treem.core.jobs) with a progress bar: one step per agency, then the two renderings.
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, require_area
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.faults import checkpoint
from treem.core.formats import format_number, format_percent
from treem.core.jobs import job_keep_result, job_progress, job_start
from treem.core.text import fold
from treem.reports.official import (
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    render_docx,
    render_pdf,
)

from .extensions import report_sections
from .models import ConsolidatedReport, ReportingRound, SubmissionStatus
from .rounds import figure_table, round_stats

STATUS_VI = {
    "missing": "Chưa báo cáo",
    SubmissionStatus.DRAFT: "Đang soạn",
    SubmissionStatus.SUBMITTED: "Đã gửi",
    SubmissionStatus.RETURNED: "Trả lại để sửa",
    SubmissionStatus.ACCEPTED: "Đã tiếp nhận",
}
DIRECTION_VI = {"at_least": "đạt", "below": "dưới", "reduce_to": "giảm còn", "increase_to": "tăng lên", "equal": "bằng"}


def _initials(name: str) -> str:
    """'Sở Y tế' -> 'SYT' (for the document symbol)."""
    return "".join(w[0] for w in fold(name).split() if w[0].isalpha()).upper()[:8] or "BC"


def _value(value, unit: str) -> str:
    if value is None:
        return ""
    text = format_number(value, 2, trim=True)
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def build_document(round_: ReportingRound, progress=None, actor=None) -> OfficialDocument:
    """The report; `actor` (the officer who consolidates) scopes what the apps above plans add (indicators)."""
    stats = round_stats(round_)
    province = round_.province.name
    focal = round_.focal_agency.name if round_.focal_agency else f"Ủy ban nhân dân {province}"
    body = [
        Paragraph(
            f"Thực hiện {round_.document.name_vi()}"
            + (f" ngày {round_.document.issued_on:%d/%m/%Y}" if round_.document.issued_on else "")
            + f", {focal} tổng hợp báo cáo {round_.title.lower() if round_.title else ''} như sau:"
        ),
        Heading("I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", 1),
        Paragraph(
            f"Hạn báo cáo: ngày {round_.deadline:%d/%m/%Y}. Số cơ quan, đơn vị phải báo cáo: {stats.expected}; "
            f"đã báo cáo: {stats.received}"
            + (f" ({format_percent(stats.completeness)})" if stats.completeness is not None else "")
            + f"; trong đó đúng hạn: {stats.on_time}, trễ hạn: {stats.late}; chưa báo cáo: {stats.missing}."
        ),
    ]
    rows = []
    for index, row in enumerate(stats.rows, start=1):
        submission = row.submission
        sent = (
            timezone.localtime(submission.counted_at).strftime("%d/%m/%Y")
            if submission and submission.counted_at
            else ""
        )
        timely = "" if not row.received else ("Đúng hạn" if submission.on_time else "Trễ hạn")
        rows.append([str(index), row.expected.agency_name, STATUS_VI.get(row.status, row.status), sent, timely])
        if progress:
            progress(index, row.expected.agency_name)
    body.append(Table(["STT", "Cơ quan, đơn vị", "Tình trạng", "Ngày gửi", "Thời hạn"], rows))

    figures = figure_table(round_)
    sections = report_sections(round_, actor or SYSTEM)
    if figures or sections:
        body.append(Heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", 1))
    if figures:
        table_rows = []
        for index, item in enumerate(figures, start=1):
            target, value = item["target"], item["value"]
            goal = f"{DIRECTION_VI.get(value.direction, '')} {_value(value.value, target.unit)}" if value else ""
            baseline = _value(target.baseline_value, target.unit)
            reported = (
                "; ".join(f"{_value(f.value, target.unit)} ({f.submission.agency.name})" for f in item["figures"])
                or "Chưa có số liệu"
            )
            table_rows.append([str(index), target.text, baseline, goal.strip(), reported])
        body.append(Table(["STT", "Chỉ tiêu", "Số liệu nền", "Mục tiêu", "Kết quả báo cáo"], table_rows))
    body += sections

    body.append(Heading("III. KẾT QUẢ THỰC HIỆN NHIỆM VỤ CỦA CÁC CƠ QUAN, ĐƠN VỊ", 1))
    number = 0
    for row in stats.rows:
        if not row.received:
            continue
        number += 1
        body.append(Heading(f"{number}. {row.expected.agency_name}", 2))
        paragraphs = [p.strip() for p in row.submission.text.split("\n") if p.strip()]
        body += [Paragraph(p) for p in paragraphs] or [Paragraph("(Báo cáo bằng tệp đính kèm.)", italic=True)]
    if number == 0:
        body.append(Paragraph("Chưa có cơ quan, đơn vị nào gửi báo cáo."))
    missing = [r.expected.agency_name for r in stats.rows if not r.received]
    if missing:
        body.append(Heading("IV. CƠ QUAN, ĐƠN VỊ CHƯA BÁO CÁO", 1))
        body += [Bullet(name) for name in missing]
        body.append(Paragraph("Đề nghị các cơ quan, đơn vị trên khẩn trương gửi báo cáo để tổng hợp theo quy định."))
    return OfficialDocument(
        issuing_body_parent=f"UBND {province.upper()}" if round_.focal_agency else "",
        issuing_body=focal.upper(),
        number=f"      /BC-{_initials(focal)}",
        place=round_.province.name.replace("Tỉnh ", "").replace("Thành phố ", ""),
        date=timezone.localdate(),
        doc_type="BÁO CÁO",
        title=round_.title,
        body=body,
        signature=Signature(authority="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC", name=""),
        recipients=[f"- UBND {province};", "- Bộ Y tế (Cục Bà mẹ và Trẻ em);", "- Lưu: VT."],
    )


def run(job, *, round_id: str) -> dict:
    """The job runner: render the DOCX and PDF, keep them on a ConsolidatedReport, return its page."""
    round_ = ReportingRound.objects.select_related("document", "province", "focal_agency").get(pk=round_id)
    require_area(job.actor, Capability.EDIT_PLANS, round_.province)  # still allowed (a job run again later)
    expected = round_.expected.count()
    total = expected + 2
    job_progress(job, 0, total, _("Gathering the agencies' reports"))
    document = build_document(round_, progress=lambda i, name: job_progress(job, i, total, name), actor=job.actor)
    docx = render_docx(document)
    job_progress(job, expected + 1, total, _("Making the PDF file"))
    pdf = render_pdf(document)
    stats = round_stats(round_)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    report = ConsolidatedReport(round=round_, summary=stats.as_dict(), created_by=job.actor)
    try:
        # One transaction: the report, its audit event and the job's result. Killed before the commit, no report
        # is listed (the files written meanwhile belong to no report and are never offered).
        with transaction.atomic():
            report.docx.save(f"bao-cao-tong-hop-{stamp}.docx", ContentFile(docx), save=False)
            report.pdf.save(f"bao-cao-tong-hop-{stamp}.pdf", ContentFile(pdf), save=False)
            report.save()
            checkpoint("plans.consolidate.report_written")
            record(job.actor, "plans.round.consolidate", report, unit=round_.province, summary=stats.as_dict())
            result = job_keep_result(job, {"url": reverse("plans:round", args=[round_.pk]) + f"#report-{report.pk}",
                                           "report": str(report.pk)})
    except Exception:
        for stored in (report.docx, report.pdf):
            if stored.name:
                stored.storage.delete(stored.name)
        raise
    job_progress(job, total, total, _("Report ready"))
    return result


@transaction.atomic
def consolidation_start(*, actor, round_: ReportingRound):
    require_area(actor, Capability.EDIT_PLANS, round_.province)
    return job_start(
        actor=actor,
        kind="plans.consolidate",
        runner="treem.plans.consolidation.run",
        params={"round_id": str(round_.pk)},
        unit=round_.province,
        total=round_.expected.count() + 2,
    )
