"""A data subject's access export: everything treem holds on one child, and every access to it, in one XLSX
workbook encrypted with the password the commune worker chose (given to the parent by another channel).

Made by a background job (`run_subject_access`) with the handling worker's own scope at the time it runs. Protection
cases appear in full only when that worker may open the case and know the child by name in it
(treem.cases.selectors.cases_for_child_visible_to); otherwise the file says that protection records exist and must be
asked for from the authority handling them, and leaves out every case event.
"""

import io
from datetime import date, datetime

import xlsxwriter
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from treem.access import Capability
from treem.audit.models import AuditEvent
from treem.audit.services import record
from treem.cases.models import CaseChild
from treem.cases.selectors import cases_for_child_visible_to
from treem.core.files import download_url, prepared_file_create
from treem.core.formats import format_date
from treem.core.jobs import job_progress
from treem.core.models import Job
from treem.core.protect import SealExpired, encrypt_xlsx, unseal
from treem.registry import selectors as registry
from treem.registry.models import Child
from treem.registry.quality.export import neutralise
from treem.registry.quality.models import DuplicatePair, Finding

from .models import AccessRequest, RequestStatus

KIND = "privacy.subject_access"
RUNNER = "treem.privacy.subject.run_subject_access"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHILD_FIELDS = ["full_name", "sex", "birth_date", "ethnicity", "personal_id", "birth_registered", "commune", "village",
                "address", "school", "grade", "attends_school", "immunisation", "disability", "status", "status_on",
                "status_reason", "moved_to", "moved_on", "provisional", "notes", "created_at", "updated_at"]


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime | date):
        return format_date(value)
    return str(value)


def _field_value(obj, name: str) -> str:
    display = getattr(obj, f"get_{name}_display", None)
    return _text(display() if display else getattr(obj, name))


def _action_label(action: str) -> str:
    verb = action.rsplit(".", 1)[-1]
    labels = {
        "view": _("Viewed the record"), "list": _("Saw it in a list"), "create": _("Added to the register"),
        "update": _("Facts changed"), "print": _("Sheet printed"), "export": _("Data exported"),
        "merge": _("Records merged"), "decide": _("Duplicate decision"), "download": _("File downloaded"),
    }
    if action.startswith("privacy.accessrequest"):
        return _("Access request of the data subject")
    return labels.get(verb, _("Other operation"))


def _events_about(child: Child, entitled_case_ids: set[str]):
    """Audit events whose object is the child (or its household, or its carers) or whose summary names it; case
    events only for the cases the worker may see in full."""
    about = Q(object_type="registry.child", object_id=str(child.pk)) | Q(summary__icontains=str(child.pk))
    if child.household_id:
        about |= Q(object_type="registry.household", object_id=str(child.household_id))
    carer_ids = [str(link.carer_id) for link in child.carer_links.all()]
    if carer_ids:
        about |= Q(object_type="registry.carer", object_id__in=carer_ids)
    hidden_cases = Q(object_type__startswith="cases.") & ~Q(object_type="cases.case", object_id__in=entitled_case_ids)
    return AuditEvent.objects.filter(about).exclude(hidden_cases).order_by("at", "id")


def sections(user, child: Child, request: AccessRequest) -> list[tuple[str, list[str], list[list[str]]]]:
    """(sheet name, headers, rows) of the export, in Vietnamese."""
    child = registry.child_detail(user, child.pk)  # the worker's scope, with everything prefetched
    names = {f.name: str(f.verbose_name) for f in Child._meta.get_fields() if hasattr(f, "verbose_name")}
    entitled = list(cases_for_child_visible_to(user, child).prefetch_related("concerns"))
    entitled_ids = {str(case.pk) for case in entitled}
    hidden = CaseChild.objects.filter(child=child).exclude(case_id__in=[c.pk for c in entitled]).count()

    about = [[_("Child"), child.full_name], [_("Date of the request"), _text(request.requested_on)],
             [_("Requested by (relation to the child)"), request.get_relation_display()],
             [_("Identity document checked"), request.get_id_document_display()],
             [_("Handled by"), request.handled_by.get_full_name() or request.handled_by.get_username()],
             [_("Prepared on"), _text(timezone.now())]]
    if hidden:
        about.append([_("Protection records"), _(
            "Protection records about this child exist that this copy cannot include. They are confidential: ask the "
            "authority handling the case (the People's Committee of the commune or the provincial child protection "
            "office) for them.")])
    out = [(_("About this copy"), [_("Item"), _("Content")], about)]
    out.append((_("Register record"), [_("Item"), _("Content")],
                [[names.get(name, name), _field_value(child, name)] for name in CHILD_FIELDS]))
    out.append((_("Carers"), [_("Full name"), _("Relation"), _("Primary carer"), _("Phone"),
                              _("Personal identification number")],
                [[link.carer.full_name, link.get_relation_display(), _text(link.primary), link.carer.phone,
                  link.carer.personal_id] for link in child.carer_links.all()]))
    household = child.household
    out.append((_("Household"), [_("Item"), _("Content")], [
        [_("Head of household"), household.head_name], [_("Village"), household.village],
        [_("Address"), household.address], [_("Poverty status"), household.get_poverty_status_display()],
    ] if household else []))
    out.append((_("Circumstances and risks"), [_("Kind"), _("Name"), _("From"), _("To"), _("Source")],
                [[_("Special circumstance"), str(c.subgroup or c.group), _text(c.started_on), _text(c.ended_on),
                  c.source] for c in child.circumstances.all()]
                + [[_("Risk"), r.flag.name, _text(r.started_on), _text(r.ended_on), r.note]
                   for r in child.risks.all()]))
    out.append((_("Height and weight"), [_("Date"), _("Height (cm)"), _("Weight (kg)")],
                [[_text(m.measured_on), _text(m.height_cm), _text(m.weight_kg)] for m in child.measurements.all()]))
    out.append((_("Data quality"), [_("Found on"), _("Detail"), _("Severity"), _("Resolved on")],
                [[_text(f.detected_at), f.text, f.get_severity_display(), _text(f.resolved_at)]
                 for f in Finding.objects.filter(child=child).order_by("detected_at")]))
    pairs = DuplicatePair.objects.filter(Q(child_a=child) | Q(child_b=child)).order_by("detected_at")
    out.append((_("Possible duplicates"), [_("First proposed"), _("Decision"), _("Decided on"), _("Note")],
                [[_text(p.detected_at), p.get_status_display(), _text(p.decided_at), p.decision_note]
                 for p in pairs]))
    case_rows = []
    for case in entitled:
        link = case.case_children.get(child=child)
        case_rows.append([case.reference, _text(case.received_at), case.commune.name, case.get_stage_display(),
                          ", ".join(c.get_kind_display() for c in case.concerns.all()), child.full_name,
                          _text(link.added_at), _text(case.closed_at)])
    if hidden:
        case_rows.append([_("Confidential: ask the authority handling the case"), "", "", "", "", "", "", ""])
    out.append((_("Protection cases"), [_("Reference"), _("Received"), _("Commune"), _("Stage"), _("Concerns"),
                                        _("Name in the case file"), _("Added to the case"), _("Closed on")], case_rows))
    out.append((_("History of changes"), [_("Time"), _("By"), _("What happened"), _("Details")],
                [[_text(e.at), e.actor_label, e.label, "; ".join(f"{k}: {v}" for k, v in e.lines)]
                 for e in reversed(registry.child_history(user, child, limit=100_000))]))
    out.append((_("Every access"), [_("Time"), _("By"), _("What"), _("Record concerned")],
                [[_text(e.at), e.actor_label, _action_label(e.action), e.object_repr]
                 for e in _events_about(child, entitled_ids)]))
    return out


def build_workbook(parts) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for title, headers, rows in parts:
        sheet = workbook.add_worksheet(title[:31])
        for col, header in enumerate(headers):
            sheet.write_string(0, col, neutralise(header), bold)
            sheet.set_column(col, col, 40 if col else 24, wrap)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value:  # write_string: text a spreadsheet would run as a formula is neutralised
                    sheet.write_string(r, col, neutralise(str(value)))
        if not rows:
            sheet.write_string(1, 0, _("Nothing recorded."))
    workbook.close()
    return out.getvalue()


def run_subject_access(job: Job, *, request_id: str, sealed_password: str = "") -> dict:
    """The job runner: forget the sealed password, build the file with the worker's scope now, keep it for her."""
    Job.objects.filter(pk=job.pk).update(params={k: v for k, v in job.params.items() if k != "sealed_password"})
    request = AccessRequest.objects.select_related("child", "handled_by", "commune").get(pk=request_id)
    try:
        try:
            password = unseal(sealed_password)
        except SealExpired:
            raise ValueError("Yêu cầu đã chờ quá lâu nên mật khẩu không còn dùng được; hãy lập lại yêu cầu.") from None
        user = job.actor
        if (user is None or not user.is_active
                or not registry.children_visible_to(user, Capability.HANDLE_SUBJECT_ACCESS)
                .filter(pk=request.child_id).exists()):
            raise ValueError("Tài khoản không còn quyền giải quyết yêu cầu về trẻ này.")
        job_progress(job, 0, 1, "Đang chuẩn bị tệp")
        with translation.override("vi"):
            parts = sections(user, request.child, request)
        content = encrypt_xlsx(build_workbook(parts), password)
    except Exception:
        AccessRequest.objects.filter(pk=request.pk).update(status=RequestStatus.FAILED)
        raise
    filename = f"du-lieu-tre-em-{timezone.localdate():%Y%m%d}.xlsx"
    with transaction.atomic():
        prepared = prepared_file_create(owner=user, kind=KIND, filename=filename, content=content,
                                        content_type=XLSX_TYPE, rows=sum(len(rows) for _t, _h, rows in parts))
        AccessRequest.objects.filter(pk=request.pk).update(status=RequestStatus.READY)
        record(user, "privacy.accessrequest.export", request, unit=request.commune,
               summary={"child": str(request.child_id), "file": str(prepared.pk), "job": str(job.pk),
                        "encrypted": True, "sheets": len(parts)})
    job_progress(job, 1, 1, "Tệp đã sẵn sàng")
    return {"url": download_url(prepared), "file": str(prepared.pk)}
