"""Every write to documents, targets and tasks: one transaction, a scope check, an audit event."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext

from treem.access import Capability, forbid_unless, require_area, scope_for
from treem.accounts.models import Agency
from treem.audit.services import changes, record
from treem.core.text import fold

from .files import EVIDENCE_EXTENSIONS, check_upload
from .models import (
    Attachment,
    Direction,
    Document,
    DocumentType,
    ScheduleKind,
    Target,
    TargetValue,
    Task,
    TaskAgency,
    TaskStatus,
    TaskUpdate,
    number_key,
)
from .succession import predecessors_closure

C = Capability

# Genre names as written in documents (folded) -> DocumentType.
GENRES = {
    "chi thi": DocumentType.DIRECTIVE,
    "quyet dinh": DocumentType.DECISION,
    "chuong trinh": DocumentType.PROGRAMME,
    "chuong trinh hanh dong": DocumentType.PROGRAMME,
    "ke hoach": DocumentType.PLAN,
    "cong van": DocumentType.DISPATCH,
    "cong dien": DocumentType.DISPATCH,
    "thong tu": DocumentType.CIRCULAR,
    "thong tu lien tich": DocumentType.CIRCULAR,
    "nghi quyet": DocumentType.RESOLUTION,
    "nghi quyet lien tich": DocumentType.RESOLUTION,
    "nghi dinh": DocumentType.DECREE,
    "luat": DocumentType.LAW,
    "ket luan": DocumentType.CONCLUSION,
    "huong dan": DocumentType.GUIDANCE,
    "de an": DocumentType.SCHEME,
    "thong bao": DocumentType.NOTICE,
    "bao cao": DocumentType.REPORT,
}
# Type codes in document symbols ("234/KH-UBND", "61-CTr/TU", "1183/QĐ-TTg") -> DocumentType.
SYMBOL_CODES = {
    "ct": DocumentType.DIRECTIVE,
    "qd": DocumentType.DECISION,
    "ctr": DocumentType.PROGRAMME,
    "kh": DocumentType.PLAN,
    "cv": DocumentType.DISPATCH,
    "tt": DocumentType.CIRCULAR,
    "ttlt": DocumentType.CIRCULAR,
    "nq": DocumentType.RESOLUTION,
    "nd": DocumentType.DECREE,
    "kl": DocumentType.CONCLUSION,
    "hd": DocumentType.GUIDANCE,
    "da": DocumentType.SCHEME,
    "tb": DocumentType.NOTICE,
    "bc": DocumentType.REPORT,
}
# Symbols and issuers of national bodies: a document cited with these is a national one (no province).
NATIONAL_SYMBOLS = ("/tw", "-ttg", "/qh", "-cp", "/ttg", "-bch")
NATIONAL_ISSUERS = (
    "bo chinh tri",
    "ban bi thu",
    "ban chap hanh trung uong",
    "thu tuong",
    "chinh phu",
    "quoc hoi",
    "uy ban thuong vu quoc hoi",
    "bo ",
)


def genre_from_name(name: str | None) -> str:
    return GENRES.get(fold(name or ""), DocumentType.OTHER)


def genre_from_number(number: str | None) -> str:
    """'61-CTr/TU' -> programme, '234/KH-UBND' -> plan; a number without a type code is a dispatch."""
    folded = fold(number or "")
    parts = [p for p in re.split(r"[-/\s]+", folded) if p]
    for part in parts[1:]:
        if part in SYMBOL_CODES:
            return SYMBOL_CODES[part]
    return DocumentType.DISPATCH if len(parts) >= 2 else DocumentType.OTHER


def is_national(number: str | None, issuer: str | None) -> bool:
    folded_number, folded_issuer = fold(number or ""), fold(issuer or "")
    return folded_number.endswith(NATIONAL_SYMBOLS) or folded_issuer.startswith(NATIONAL_ISSUERS)


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


# -- documents ------------------------------------------------------------------------------------------------------

DOCUMENT_FIELDS = [
    "doc_type",
    "number",
    "issued_on",
    "place",
    "issuer_agency",
    "issuer_name",
    "signer",
    "title",
    "province",
    "area",
    "report_month",
    "report_day",
    "report_text",
]


def find_document(number: str, issued_on: date | None = None, *, province=None,
                  issuer: str | None = None) -> Document | None:
    """A document by its number and symbol (spacing, case and diacritics ignored). A number is unique per issuing
    body, not across the country: with `province`, only national documents and that province's are candidates
    (Lai Châu's 234/KH-UBND is not An Giang's); among them the same issuing body, then the same date, come first."""
    key = number_key(number)
    if not key:
        return None
    candidates = Document.objects.filter(number_key=key)
    if province is not None:
        candidates = candidates.filter(Q(province__isnull=True) | Q(province=province))
    candidates = list(candidates)
    issuer_key = fold(issuer)
    candidates.sort(key=lambda d: (bool(issuer_key) and bool(d.issuer_name) and fold(d.issuer_name) != issuer_key,
                                   issued_on is not None and d.issued_on != issued_on))
    return candidates[0] if candidates else None


def _check_document(doc: Document) -> None:
    if not doc.number.strip() and not doc.title.strip():
        raise ValidationError(pgettext("plans", "A document needs a number and symbol or a title."))
    if doc.report_month is not None and not 1 <= doc.report_month <= 12:
        raise ValidationError(pgettext("plans", "The month must be between 1 and 12."))
    if doc.report_day is not None and not 1 <= doc.report_day <= 31:
        raise ValidationError(pgettext("plans", "The day must be between 1 and 31."))


@transaction.atomic
def document_create(
    *, actor, data: dict, implements=(), file=None, source_text: str = "", parsed: dict | None = None
) -> Document:
    """Create a document. `file` is a CheckedFile (already content-checked)."""
    require_area(actor, C.EDIT_PLANS, data.get("province"))
    doc = Document(
        **{k: v for k, v in data.items() if k in DOCUMENT_FIELDS},
        source_text=source_text,
        parsed=parsed or {},
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _check_document(doc)
    if file is not None:
        doc.file_name, doc.file_sha256 = file.name, file.sha256
        doc.file.save(file.name, ContentFile(file.content), save=False)
    doc.save()
    if implements:
        doc.implements.set(implements)
    record(
        actor,
        "plans.document.create",
        doc,
        unit=doc.province,
        summary={"number": doc.number, "type": doc.doc_type, "implements": [str(d.pk) for d in implements]},
    )
    return doc


@transaction.atomic
def document_update(*, actor, document: Document, data: dict, implements=None) -> Document:
    require_area(actor, C.EDIT_PLANS, document.province)
    if "province" in data and data["province"] != document.province:
        require_area(actor, C.EDIT_PLANS, data["province"])
    before = {f: getattr(document, f) for f in DOCUMENT_FIELDS}
    for field, value in data.items():
        if field in DOCUMENT_FIELDS:
            setattr(document, field, value)
    _check_document(document)
    if document.is_placeholder and (document.file or document.title):
        document.is_placeholder = False
    document.version += 1
    document.save()
    summary = changes(before, {f: getattr(document, f) for f in DOCUMENT_FIELDS})
    if implements is not None:
        implements = [d for d in implements if d.pk != document.pk]
        if _creates_cycle(document, implements):
            raise ValidationError(pgettext("plans", "A document cannot implement a document that implements it."))
        old = sorted(str(pk) for pk in document.implements.values_list("pk", flat=True))
        document.implements.set(implements)
        new = sorted(str(d.pk) for d in implements)
        if old != new:
            summary["implements"] = [old, new]
    record(actor, "plans.document.update", document, unit=document.province, summary=summary)
    return document


def _creates_cycle(document: Document, implements) -> bool:
    """Would `document` implementing `implements` make it (indirectly) implement itself?"""
    frontier = [d.pk for d in implements]
    seen = set()
    while frontier:
        pk = frontier.pop()
        if pk == document.pk:
            return True
        if pk in seen:
            continue
        seen.add(pk)
        frontier += list(
            Document.objects.filter(pk=pk).values_list("implements__pk", flat=True).exclude(implements__pk=None)
        )
    return False


@transaction.atomic
def document_for_citation(
    *,
    actor,
    number: str,
    issued_on: date | None,
    issuer: str | None,
    province,
    genre: str | None = None,
    title: str = "",
) -> tuple[Document, bool]:
    """The cited document if known, else a placeholder known only from the citation (to be completed later).
    Returns (document, created)."""
    found = find_document(number, issued_on, province=province, issuer=issuer)
    if found is not None:
        return found, False
    scope = scope_for(actor)
    forbid_unless(scope, scope.has(C.EDIT_PLANS), needs=C.EDIT_PLANS)
    national = is_national(number, issuer)
    doc = Document.objects.create(
        doc_type=genre or genre_from_number(number),
        number=number.strip(),
        issued_on=issued_on,
        issuer_name=issuer or "",
        title=title,
        province=None if national else province,
        is_placeholder=True,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor,
        "plans.document.placeholder",
        doc,
        unit=doc.province,
        summary={"number": doc.number, "issuer": doc.issuer_name},
    )
    return doc, True


# -- targets --------------------------------------------------------------------------------------------------------


def _check_target(values: list[dict]) -> None:
    directions = set(Direction.values)
    years = [v.get("year") for v in values]
    if len(years) != len(set(years)):
        raise ValidationError(pgettext("plans", "A target has one value per year."))
    for value in values:
        if value.get("direction") not in directions:
            raise ValidationError(pgettext("plans", "Unknown direction %(d)s.") % {"d": value.get("direction")})
        if _decimal(value.get("value")) is None:
            raise ValidationError(pgettext("plans", "Each target value needs a number."))


@transaction.atomic
def target_create(*, actor, document: Document, data: dict, values: list[dict], agencies=(), order: int = 0) -> Target:
    """Add a target with its values and agencies, audited (joins the caller's transaction when called from the
    import, so a failed import saves none of them)."""
    require_area(actor, C.EDIT_PLANS, document.province)
    _check_target(values)
    target = Target.objects.create(
        document=document,
        order=order,
        text=data["text"].strip(),
        unit=data.get("unit", "")[:40],
        baseline_value=_decimal(data.get("baseline_value")),
        baseline_year=data.get("baseline_year"),
        baseline_source=data.get("baseline_source", ""),
        area=data.get("area"),
        indicator_code=data.get("indicator_code", ""),
        source_lines=data.get("source_lines") or [],
    )
    TargetValue.objects.bulk_create(
        [
            TargetValue(target=target, year=v.get("year"), value=_decimal(v["value"]), direction=v["direction"])
            for v in values
        ]
    )
    if agencies:
        target.agencies.set(agencies)
    record(actor, "plans.target.create", target, unit=document.province, summary={"text": target.text[:200]})
    return target


@transaction.atomic
def target_update(*, actor, target: Target, data: dict, values: list[dict] | None = None, agencies=None) -> Target:
    require_area(actor, C.EDIT_PLANS, target.document.province)
    fields = ["text", "unit", "baseline_value", "baseline_year", "baseline_source", "area", "indicator_code"]
    before = {f: getattr(target, f) for f in fields}
    for field in fields:
        if field in data:
            setattr(target, field, _decimal(data[field]) if field == "baseline_value" else data[field])
    target.version += 1
    target.save()
    summary = changes(before, {f: getattr(target, f) for f in fields})
    if values is not None:
        _check_target(values)
        target.values.all().delete()
        TargetValue.objects.bulk_create(
            [
                TargetValue(target=target, year=v.get("year"), value=_decimal(v["value"]), direction=v["direction"])
                for v in values
            ]
        )
        summary["values"] = [[v.get("year"), str(v["value"]), v["direction"]] for v in values]
    if agencies is not None:
        target.agencies.set(agencies)
        summary["agencies"] = [a.pk for a in agencies]
    record(actor, "plans.target.update", target, unit=target.document.province, summary=summary)
    return target


# -- tasks ----------------------------------------------------------------------------------------------------------


def check_schedule(kind: str, due_date=None, day=None, month=None, year=None) -> None:
    if kind == ScheduleKind.DATE and due_date is None:
        raise ValidationError(pgettext("plans", "A task due by a date needs the date."))
    if kind in (ScheduleKind.YEARLY, ScheduleKind.MONTH) and not month:
        raise ValidationError(pgettext("plans", "This deadline needs a month."))
    if month is not None and not 1 <= month <= 12:
        raise ValidationError(pgettext("plans", "The month must be between 1 and 12."))
    if day is not None and not 1 <= day <= 31:
        raise ValidationError(pgettext("plans", "The day must be between 1 and 31."))
    if kind == ScheduleKind.MONTH and not year:
        raise ValidationError(pgettext("plans", "A task due within a month needs the year."))


@transaction.atomic
def task_create(
    *,
    actor,
    document: Document,
    text: str,
    agencies: list[tuple],
    section: str = "",
    source_lines=None,
    schedule: dict | None = None,
    order: int = 0,
) -> Task:
    """`agencies`: [(Agency or None, role, name as written)]."""
    require_area(actor, C.EDIT_PLANS, document.province)
    schedule = schedule or {}
    kind = schedule.get("kind", ScheduleKind.NONE)
    check_schedule(kind, schedule.get("due_date"), schedule.get("day"), schedule.get("month"), schedule.get("year"))
    task = Task.objects.create(
        document=document,
        order=order,
        section=section[:300],
        text=text.strip(),
        source_lines=source_lines or [],
        schedule_kind=kind,
        due_date=schedule.get("due_date"),
        due_day=schedule.get("day"),
        due_month=schedule.get("month"),
        due_year=schedule.get("year"),
        schedule_text=schedule.get("text", "")[:600],
    )
    seen = set()
    rows = []
    for agency, role, written in agencies:
        key = (agency.pk if agency else written, role)
        if key in seen:
            continue
        seen.add(key)
        rows.append(TaskAgency(task=task, agency=agency, role=role, name_as_written=(written or "")[:300]))
    TaskAgency.objects.bulk_create(rows)
    record(actor, "plans.task.create", task, unit=document.province, summary={"text": task.text[:200]})
    return task


@transaction.atomic
def task_set_schedule(
    *, actor, task: Task, schedule_kind: str, due_date=None, due_day=None, due_month=None, due_year=None
) -> Task:
    require_area(actor, C.EDIT_PLANS, task.document.province)
    check_schedule(schedule_kind, due_date, due_day, due_month, due_year)
    fields = ["schedule_kind", "due_date", "due_day", "due_month", "due_year"]
    before = {f: getattr(task, f) for f in fields}
    task.schedule_kind, task.due_date, task.due_day, task.due_month, task.due_year = (
        schedule_kind,
        due_date,
        due_day,
        due_month,
        due_year,
    )
    task.version += 1
    task.save()
    record(
        actor,
        "plans.task.schedule",
        task,
        unit=task.document.province,
        summary=changes(before, {f: getattr(task, f) for f in fields}),
    )
    return task


def may_report_on_task(actor, task: Task) -> bool:
    scope = scope_for(actor)
    if task.document.province is not None and scope.may(C.EDIT_PLANS, task.document.province):
        return True
    if not scope.has(C.REPORT_FOR_AGENCY):
        return False
    family = predecessors_closure(scope.agency_ids(C.REPORT_FOR_AGENCY))
    return task.assignments.filter(agency__in=family).exists()


@transaction.atomic
def task_update_create(
    *,
    actor,
    task: Task,
    text: str,
    status: str,
    figures: list[dict] | None = None,
    period_year: int | None = None,
    files=(),
    request=None,
) -> TaskUpdate:
    """An agency reports progress on a task (text, figures, evidence files); the task takes the new status."""
    forbid_unless(scope_for(actor), may_report_on_task(actor, task))
    if not text.strip():
        raise ValidationError(pgettext("plans", "Write what was done."))
    if status not in TaskStatus.values:
        raise ValidationError(pgettext("plans", "Unknown status."))
    scope = scope_for(actor)
    own = scope.agency_ids(C.REPORT_FOR_AGENCY)
    agency = Agency.objects.filter(pk__in=own).first() if own else None
    checked = [check_upload(f, EVIDENCE_EXTENSIONS) for f in files]
    update = TaskUpdate.objects.create(
        task=task,
        agency=agency,
        author=actor if getattr(actor, "pk", None) else None,
        text=text.strip(),
        figures=figures or [],
        status=status,
        period_year=period_year,
    )
    for f in checked:
        _attach(actor, f, task_update=update)
    before = task.status
    task.status = status
    task.version += 1
    task.save(update_fields=["status", "version", "updated_at"])
    record(
        actor,
        "plans.task.progress",
        task,
        unit=task.document.province,
        request=request,
        summary={"status": [before, status], "update": str(update.pk), "files": len(checked)},
    )
    return update


def _attach(actor, checked, **owner) -> Attachment:
    attachment = Attachment(
        name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        **owner,
    )
    attachment.file.save(checked.name, ContentFile(checked.content), save=False)
    attachment.save()
    return attachment


def today() -> date:
    return timezone.localdate()
