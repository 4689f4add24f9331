"""Plans pages. Views only call selectors (reads, scoped) and services (writes)."""

from collections import OrderedDict
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from treem.access import Capability, require_area, scope_for
from treem.accounts.models import Agency
from treem.core.collation import ViOrder, unit_order, vi_key
from treem.core.models import Job
from treem.geo.models import Unit, UnitLevel, UnitSystem

from . import schedule, selectors
from .forms import (
    DocumentForm,
    ReturnForm,
    ReviewForm,
    RoundEditForm,
    RoundForm,
    SubmissionForm,
    TaskScheduleForm,
    TaskUpdateForm,
    UploadForm,
    agency_choices,
)
from .importing import build_proposal, draft_create, draft_discard, draft_save
from .models import (
    Attachment,
    Document,
    DraftStatus,
    PlanDraft,
    RoundStatus,
    TimelinessRule,
)
from .reminders import reminder_mark_read, reminders_for
from .rounds import (
    SubmissionExists,
    agency_records,
    default_expected_agencies,
    figure_table,
    may_report_for,
    round_create,
    round_stats,
    round_update,
    submission_accept,
    submission_return,
    submission_save,
    submission_save_and_submit,
    submission_start,
    targets_for,
)
from .services import document_update, may_report_on_task, task_update_create
from .succession import successors_map

C = Capability


def _get(qs, **lookup):
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def editable_provinces(user):
    scope = scope_for(user)
    qs = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
    if scope.is_national(C.EDIT_PLANS):
        return qs.order_by("code")
    return qs.filter(pk__in=scope.province_ids(C.EDIT_PLANS)).order_by("code")


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# -- the cascade ----------------------------------------------------------------------------------------------------


def _tree(documents, roots_filter=None):
    """Documents as a forest (a document implementing several appears under each)."""
    docs = {d.pk: d for d in documents}
    children: dict = {pk: [] for pk in docs}
    has_parent = set()
    links = Document.implements.through.objects.filter(from_document__in=docs, to_document__in=docs)
    parents: dict = {}
    for child_id, parent_id in links.values_list("from_document_id", "to_document_id"):
        parents.setdefault(child_id, set()).add(parent_id)

    def ancestors(pk, seen=frozenset()):
        found = set()
        for parent in parents.get(pk, ()):
            if parent not in seen:
                found |= {parent} | ancestors(parent, seen | {pk})
        return found

    for child_id, direct in parents.items():
        # show a document under its nearest parents only: 3452 implements 61-CTr/TU and 28-CT/TW, and 61-CTr/TU
        # implements 28-CT/TW, so 3452 appears under 61-CTr/TU
        implied = set().union(*(ancestors(p) for p in direct))
        for parent_id in direct - implied or direct:
            children[parent_id].append(docs[child_id])
        has_parent.add(child_id)
    for items in children.values():
        items.sort(key=lambda d: (d.issued_on is None, d.issued_on or timezone.localdate(), d.number))

    def node(doc, depth, seen):
        if depth > 8 or doc.pk in seen:
            return {"doc": doc, "children": []}
        return {"doc": doc, "children": [node(c, depth + 1, seen | {doc.pk}) for c in children[doc.pk]]}

    roots = [d for d in docs.values() if d.pk not in has_parent]
    roots.sort(key=lambda d: (d.province_id is not None, d.issued_on or timezone.localdate()))
    return [node(r, 0, frozenset()) for r in roots]


def _annotated(qs):
    return qs.annotate(n_targets=Count("targets", distinct=True), n_tasks=Count("tasks", distinct=True))


@login_required
def index(request):
    documents = selectors.documents_visible_to(request.user)
    province_code = request.GET.get("province", "")
    provinces = Unit.objects.filter(pk__in=documents.exclude(province=None).values("province")).order_by("code")
    if province_code:
        documents = documents.filter(
            Q(province__code=province_code, province__system=UnitSystem.CURRENT) | Q(province__isnull=True)
        )
    tree = _tree(_annotated(documents))
    if province_code:  # national documents with nothing of the province below them are noise
        tree = [n for n in tree if n["children"] or n["doc"].province_id]
    scope = scope_for(request.user)
    return render(
        request,
        "plans/index.html",
        {
            "tree": tree,
            "provinces": provinces,
            "province_code": province_code,
            "can_upload": scope.has(C.EDIT_PLANS),
            "is_reporter": scope.has(C.REPORT_FOR_AGENCY),
        },
    )


# -- documents ------------------------------------------------------------------------------------------------------


def _ancestors(document, visible_ids) -> list:
    """Every document up the chain, nearest first."""
    result, frontier, seen = [], [document], {document.pk}
    while frontier:
        parents = Document.objects.filter(implemented_by__in=[d.pk for d in frontier], pk__in=visible_ids)
        frontier = []
        for parent in parents.select_related("province"):
            if parent.pk not in seen:
                seen.add(parent.pk)
                result.append(parent)
                frontier.append(parent)
    return result


@login_required
def document_detail(request, pk):
    visible = selectors.documents_visible_to(request.user)
    document = selectors.document_for(request.user, pk)
    visible_ids = visible.values("pk")
    down = _annotated(visible.filter(pk__in=_descendant_ids(document)))
    subtree = _tree([document, *down])
    subtree = next((n["children"] for n in subtree if n["doc"].pk == document.pk), [])
    tasks = selectors.tasks_visible_to(request.user).filter(document=document).order_by("order")
    rows = selectors.task_rows(tasks)
    by_agency: OrderedDict = OrderedDict()
    for row in rows:
        names = row.leads + row.coordinators or [None]
        for assignment in names:
            key = (assignment.agency_id or assignment.name_as_written) if assignment else ""
            entry = by_agency.setdefault(key, {"assignment": assignment, "rows": []})
            entry["rows"].append({"row": row, "role": assignment.role if assignment else ""})
    all_tasks = document.tasks.count()
    targets = document.targets.prefetch_related("values", "agencies").select_related("area")
    return render(
        request,
        "plans/document.html",
        {
            "document": document,
            "ancestors": _ancestors(document, visible_ids),
            "subtree": subtree,
            "parents": document.implements.filter(pk__in=visible_ids),
            "targets": targets,
            "by_agency": list(by_agency.values()),
            "hidden_tasks": all_tasks - len(rows),
            "rounds": selectors.rounds_visible_to(request.user).filter(document=document),
            "can_edit": scope_for(request.user).may_area(C.EDIT_PLANS, document.province),
        },
    )


def _descendant_ids(document) -> set:
    found, frontier = set(), [document.pk]
    while frontier:
        children = set(Document.objects.filter(implements__in=frontier).values_list("pk", flat=True)) - found
        found |= children
        frontier = list(children)
    return found


@login_required
def document_edit(request, pk):
    document = selectors.document_for(request.user, pk)
    require_area(request.user, C.EDIT_PLANS, document.province)
    choices = selectors.documents_visible_to(request.user).exclude(pk=document.pk).order_by("issued_on")
    initial = {
        f: getattr(document, f)
        for f in (
            "doc_type",
            "number",
            "issued_on",
            "place",
            "issuer_name",
            "signer",
            "title",
            "report_day",
            "report_month",
        )
    }
    initial["implements"] = list(document.implements.values_list("pk", flat=True))
    form = DocumentForm(request.POST or None, initial=initial, documents=choices)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "implements"}
        data["number"] = (data["number"] or "").strip()
        try:
            document_update(
                actor=request.user, document=document, data=data, implements=list(form.cleaned_data["implements"])
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The document was saved."))
            return redirect("plans:document", pk=document.pk)
    return render(request, "plans/document_edit.html", {"document": document, "form": form})


@login_required
def target_edit(request, pk):
    from .forms import TargetForm
    from .services import target_update

    target = selectors.target_for(request.user, pk)
    document = target.document
    require_area(request.user, C.EDIT_PLANS, document.province)
    values = list(target.values.all())
    initial = {
        f: getattr(target, f)
        for f in ("text", "unit", "baseline_value", "baseline_year", "baseline_source", "indicator_code")
    }
    initial["agencies"] = list(target.agencies.values_list("pk", flat=True))
    form = TargetForm(
        request.POST or None,
        initial=initial,
        values=values,
        agencies=agency_choices(document.province) if document.province else Agency.objects.none(),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in initial if k != "agencies"}
        try:
            target_update(
                actor=request.user,
                target=target,
                data=data,
                values=form.values(),
                agencies=list(form.cleaned_data["agencies"]),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The target was saved."))
            return redirect(reverse("plans:document", args=[document.pk]) + "#targets-h")
    return render(request, "plans/target_edit.html", {"target": target, "form": form, "document": document})


def _file_response(field, name, content_type=None):
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name)
    if content_type:
        response["Content-Type"] = content_type
    return response


@login_required
def document_file(request, pk):
    document = selectors.document_for(request.user, pk)
    return _file_response(document.file, document.file_name or "van-ban")


@login_required
def document_source(request, pk):
    document = selectors.document_for(request.user, pk)
    lines = document.source_text.split("\n") if document.source_text else []
    return render(request, "plans/source.html", {"document": document, "lines": list(enumerate(lines, start=1))})


# -- upload and review ----------------------------------------------------------------------------------------------


@login_required
def upload(request):
    provinces = editable_provinces(request.user)
    if not provinces.exists():
        require_area(request.user, C.EDIT_PLANS, None)  # 403
    form = UploadForm(
        request.POST or None, request.FILES or None, provinces=provinces, initial={"province": provinces.first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_create(
                actor=request.user, upload=form.cleaned_data["file"], province=form.cleaned_data["province"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("plans:draft", pk=draft.pk)
    drafts = PlanDraft.objects.filter(province__in=provinces, status=DraftStatus.PENDING).order_by("-created_at")[:10]
    return render(request, "plans/upload.html", {"form": form, "drafts": drafts})


@login_required
def draft_review(request, pk):
    draft = selectors.draft_for(request.user, pk)  # another province's upload: 404, not revealed
    if draft.status != DraftStatus.PENDING:
        if draft.document_id:
            return redirect("plans:document", pk=draft.document_id)
        raise Http404
    proposal = build_proposal(draft)
    form = ReviewForm(proposal, request.POST or None, province_agencies=agency_choices(draft.province))
    if request.method == "POST" and form.is_valid():
        try:
            document = draft_save(actor=request.user, draft=draft, review=form.cleaned_review())
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The document was saved with its targets and tasks."))
            return redirect("plans:document", pk=document.pk)
    parsed = draft.parsed
    return render(
        request,
        "plans/review.html",
        {
            "draft": draft,
            "form": form,
            "proposal": proposal,
            "parsed": parsed,
            "empty": not (parsed.get("targets") or parsed.get("tasks")),
        },
    )


@login_required
@require_POST
def draft_discard_view(request, pk):
    draft = selectors.draft_for(request.user, pk)
    draft_discard(actor=request.user, draft=draft)
    messages.info(request, pgettext("plans", "The upload was discarded."))
    return redirect("plans:upload")


# -- tasks ----------------------------------------------------------------------------------------------------------

STATES = [(schedule.OVERDUE, "overdue"), (schedule.APPROACHING, "approaching")]


@login_required
def task_list(request):
    tasks = selectors.tasks_visible_to(request.user)
    state = request.GET.get("state", "")
    agency_id = request.GET.get("agency", "")
    province_code = request.GET.get("province", "")
    if province_code:
        tasks = tasks.filter(document__province__code=province_code, document__province__system=UnitSystem.CURRENT)
    if agency_id.isdigit():
        tasks = tasks.filter(assignments__agency_id=int(agency_id)).distinct()
    rows = selectors.task_rows(tasks.order_by("document__issued_on", "document_id", "order"))
    counts = {
        "overdue": sum(r.state == schedule.OVERDUE for r in rows),
        "approaching": sum(r.state == schedule.APPROACHING for r in rows),
        "all": len(rows),
    }
    if state in (schedule.OVERDUE, schedule.APPROACHING):
        rows = [r for r in rows if r.state == state]
    agencies = (
        Agency.objects.filter(plan_tasks__task__in=selectors.tasks_visible_to(request.user))
        .distinct()
        .select_related("province")
        .order_by(*unit_order("province__"), ViOrder("name"))
    )
    return render(
        request,
        "plans/tasks.html",
        {
            "rows": rows[:500],
            "truncated": len(rows) > 500,
            "counts": counts,
            "state": state,
            "agencies": agencies,
            "agency_id": agency_id,
            "province_code": province_code,
        },
    )


@login_required
def task_detail(request, pk):
    task = selectors.task_for(request.user, pk)
    row = selectors.task_rows([task])[0]
    may_report = may_report_on_task(request.user, task)
    form = TaskUpdateForm(
        request.POST or None,
        request.FILES or None,
        initial={"status": task.status, "period_year": timezone.localdate().year},
    )
    if request.method == "POST":
        if not may_report:
            require_area(request.user, C.EDIT_PLANS, None)  # 403
        if form.is_valid():
            try:
                task_update_create(
                    actor=request.user,
                    task=task,
                    text=form.cleaned_data["text"],
                    status=form.cleaned_data["status"],
                    figures=form.figures(),
                    period_year=form.cleaned_data.get("period_year"),
                    files=form.cleaned_data["files"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, pgettext("plans", "Your progress report was saved."))
                return redirect("plans:task", pk=task.pk)
    lines = []
    if task.source_lines and task.document.source_text:
        first, last = task.source_lines[0], task.source_lines[-1]
        all_lines = task.document.source_text.split("\n")
        lines = [(n, all_lines[n - 1]) for n in range(first, min(last, len(all_lines)) + 1)]
    return render(
        request,
        "plans/task.html",
        {
            "task": task,
            "row": row,
            "form": form,
            "may_report": may_report,
            "source": lines,
            "updates": task.updates.select_related("agency", "author").prefetch_related("attachments"),
            "can_edit": scope_for(request.user).may_area(C.EDIT_PLANS, task.document.province),
            "schedule_form": TaskScheduleForm(
                initial={
                    "schedule_kind": task.schedule_kind,
                    "due_date": task.due_date,
                    "due_day": task.due_day,
                    "due_month": task.due_month,
                    "due_year": task.due_year,
                }
            ),
        },
    )


@login_required
@require_POST
def task_schedule(request, pk):
    from .services import task_set_schedule

    task = selectors.task_for(request.user, pk)
    form = TaskScheduleForm(request.POST)
    if form.is_valid():
        try:
            task_set_schedule(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The deadline was saved."))
    else:
        messages.error(request, pgettext("plans", "Check the deadline."))
    return redirect("plans:task", pk=task.pk)


def _agency_entry(entries: dict, agency, successors) -> dict:
    return entries.setdefault(
        agency.pk,
        {
            "agency": agency,
            "successors": successors,
            "lead": 0,
            "coordinate": 0,
            "inherited": 0,
            "overdue": 0,
            "approaching": 0,
            "done": 0,
        },
    )


@login_required
def agency_overview(request):
    """Every agency's tasks and reporting record in the reader's provinces."""
    tasks = selectors.tasks_visible_to(request.user).exclude(document__province=None)
    rows = selectors.task_rows(tasks)
    per_agency: dict = {}
    for row in rows:
        for assignment in row.leads + row.coordinators:
            if not assignment.agency:
                continue
            entry = _agency_entry(per_agency, assignment.agency, assignment.successors)
            entry[assignment.role] += 1
            entry["overdue"] += row.state == schedule.OVERDUE
            entry["approaching"] += row.state == schedule.APPROACHING
            entry["done"] += row.state == schedule.FINISHED
            for successor, _functions in assignment.successors:  # the work of a merged agency is now theirs
                _agency_entry(per_agency, successor, [])["inherited"] += 1
    records = agency_records(selectors.rounds_visible_to(request.user).prefetch_related("submissions"))
    for agency_id, record in records.items():
        if agency_id not in per_agency:
            _agency_entry(per_agency, Agency.objects.select_related("province").get(pk=agency_id), [])
        per_agency[agency_id]["record"] = record
    entries = sorted(per_agency.values(), key=lambda e: (
        vi_key(e["agency"].province.name if e["agency"].province else ""), vi_key(e["agency"].name)))
    return render(request, "plans/agencies.html", {"entries": entries})


# -- rounds ---------------------------------------------------------------------------------------------------------


@login_required
def round_list(request):
    rounds = list(selectors.rounds_visible_to(request.user).prefetch_related("submissions", "expected__agency"))
    scope = scope_for(request.user)
    own = scope.agency_ids(C.REPORT_FOR_AGENCY)
    rows = []
    for round_ in rounds:
        stats = round_stats(round_)
        if not selectors.sees_all_submissions(request.user, round_):
            stats.rows = [r for r in stats.rows if r.expected.agency_id in own]
        rows.append(stats)
    return render(request, "plans/rounds.html", {"rows": rows, "can_create": bool(editable_provinces(request.user))})


@login_required
def round_new(request):
    document = selectors.document_for(request.user, request.GET.get("document") or request.POST.get("document"))
    provinces = editable_provinces(request.user)
    province = document.province if document.province in provinces else provinces.first()
    if province is None:
        require_area(request.user, C.EDIT_PLANS, None)
    require_area(request.user, C.EDIT_PLANS, province)
    today = timezone.localdate()
    agencies = agency_choices(province)
    expected = default_expected_agencies(document, province, today)
    year = today.year
    deadline = None
    if document.report_month and document.report_day:
        deadline = date(year, document.report_month, document.report_day)
    initial = {
        "title": pgettext("plans", "%(year)s annual report on %(doc)s") % {"year": year, "doc": document},
        "period_year": year,
        "deadline": deadline,
        "agencies": [a.pk for a in expected],
        "reminder_days": "7,3,1",
        "timeliness_rule": TimelinessRule.FIRST_SUBMIT,
        "focal_agency": agencies.filter(short_name="Sở YT").first(),
    }
    form = RoundForm(request.POST or None, initial=initial, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            round_ = round_create(
                actor=request.user,
                document=document,
                province=province,
                title=d["title"],
                period_year=d["period_year"],
                deadline=d["deadline"],
                agencies=d["agencies"],
                focal_agency=d["focal_agency"],
                reminder_days=d["reminder_days"],
                timeliness_rule=d["timeliness_rule"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The reporting round was opened."))
            return redirect("plans:round", pk=round_.pk)
    return render(request, "plans/round_new.html", {"form": form, "document": document, "province": province})


@login_required
def round_detail(request, pk):
    round_ = selectors.round_for(request.user, pk)
    stats = round_stats(round_)
    sees_all = selectors.sees_all_submissions(request.user, round_)
    scope = scope_for(request.user)
    own = scope.agency_ids(C.REPORT_FOR_AGENCY)
    rows = stats.rows if sees_all else [r for r in stats.rows if r.expected.agency_id in own]
    can_edit = scope_for(request.user).may_area(C.EDIT_PLANS, round_.province)
    edit_form = RoundEditForm(initial={"deadline": round_.deadline, "closed": round_.status == RoundStatus.CLOSED})
    job = None
    if job_id := request.GET.get("job"):
        job = Job.objects.filter(pk=job_id, actor=request.user).first() if _is_uuid(job_id) else None
    return render(
        request,
        "plans/round.html",
        {
            "round": round_,
            "stats": stats,
            "rows": rows,
            "sees_all": sees_all,
            "can_edit": can_edit,
            "edit_form": edit_form,
            "reports": round_.reports.all() if sees_all else [],
            "job": job,
            "own_agencies": [r.expected.agency for r in stats.rows if r.expected.agency_id in own],
            "successors": successors_map([r.expected.agency for r in rows]),
        },
    )


def _is_uuid(text) -> bool:
    import uuid

    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


@login_required
@require_POST
def round_edit(request, pk):
    round_ = selectors.round_for(request.user, pk)
    form = RoundEditForm(request.POST)
    if form.is_valid():
        status = RoundStatus.CLOSED if form.cleaned_data["closed"] else RoundStatus.OPEN
        try:
            round_update(actor=request.user, round_=round_, deadline=form.cleaned_data["deadline"], status=status)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The round was updated."))
    else:
        messages.error(request, pgettext("plans", "Check the deadline (dd/mm/yyyy)."))
    return redirect("plans:round", pk=round_.pk)


@login_required
def round_compare(request, pk):
    round_ = selectors.round_for(request.user, pk)
    if not selectors.sees_all_submissions(request.user, round_):
        require_area(request.user, C.EDIT_PLANS, None)  # 403: an agency sees only its own report
    stats = round_stats(round_)
    return render(
        request,
        "plans/compare.html",
        {
            "round": round_,
            "stats": stats,
            "figures": figure_table(round_),
            "received": [r for r in stats.rows if r.received],
        },
    )


@login_required
@require_POST
def round_consolidate(request, pk):
    from .consolidation import consolidation_start

    round_ = selectors.round_for(request.user, pk)
    job = consolidation_start(actor=request.user, round_=round_)
    return redirect(reverse("plans:round", args=[round_.pk]) + f"?job={job.pk}#consolidate")


@login_required
def report_file(request, pk, fmt):
    report = selectors.consolidated_report_for(request.user, pk)
    round_ = report.round
    if not selectors.sees_all_submissions(request.user, round_):
        raise Http404
    if fmt == "docx":
        return _file_response(report.docx, report.docx.name.rsplit("/", 1)[-1])
    if fmt == "pdf":
        return _file_response(report.pdf, report.pdf.name.rsplit("/", 1)[-1], "application/pdf")
    raise Http404


# -- submissions ----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def submission_begin(request, pk):
    """An agency reporter starts her report for a round; a second one is refused and she is sent to the first."""
    round_ = selectors.round_for(request.user, pk)
    agency = _get(Agency.objects.all(), pk=request.POST.get("agency"))
    if not may_report_for(request.user, agency):
        require_area(request.user, C.EDIT_PLANS, None)  # 403
    try:
        submission = submission_start(actor=request.user, round_=round_, agency=agency)
    except SubmissionExists as exc:
        messages.warning(request, exc.messages[0])
        return redirect("plans:submission", pk=exc.existing.pk)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("plans:round", pk=round_.pk)
    return redirect("plans:submission", pk=submission.pk)


@login_required
def submission_detail(request, pk):
    submission = selectors.submission_for(request.user, pk)
    round_ = submission.round
    is_reporter = may_report_for(request.user, submission.agency) and not scope_for(request.user).is_system
    can_review = scope_for(request.user).may_area(C.EDIT_PLANS, round_.province)
    targets = targets_for(round_, submission.agency)
    figures = {f.target_id: f for f in submission.figures.select_related("target")}
    form = None
    if is_reporter and submission.editable:
        form = SubmissionForm(
            request.POST or None,
            request.FILES or None,
            targets=targets,
            figures=figures,
            initial={"text": submission.text, "version": submission.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = {"text": form.cleaned_data["text"], "figures": form.figures(),
                          "files": form.cleaned_data["files"], "expected_version": form.cleaned_data["version"]}
                if "submit" in request.POST:
                    submission = submission_save_and_submit(actor=request.user, submission=submission, **report)
                    if submission.on_time:
                        messages.success(request, pgettext("plans", "Your report was submitted on time."))
                    elif submission.counted_at == submission.submitted_at:
                        messages.warning(
                            request,
                            pgettext(
                                "plans",
                                "Your report was submitted after the deadline of %(d)s: it is "
                                "accepted and counted late.",
                            )
                            % {"d": round_.deadline.strftime("%d/%m/%Y")},
                        )
                    else:
                        messages.success(request, pgettext("plans", "Your corrected report was submitted."))
                else:
                    submission_save(actor=request.user, submission=submission, **report)
                    messages.success(request, pgettext("plans", "Your draft was saved."))
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect("plans:submission", pk=submission.pk)
    elif request.method == "POST":
        require_area(request.user, C.EDIT_PLANS, None)  # 403: nothing to post here
    return render(
        request,
        "plans/submission.html",
        {
            "submission": submission,
            "round": round_,
            "form": form,
            "can_review": can_review,
            "return_form": ReturnForm(),
            "figures": [(figures[t.pk], t) for t in targets if t.pk in figures],
            "events": submission.events.select_related("actor"),
            "attachments": submission.attachments.all(),
        },
    )


@login_required
@require_POST
def submission_review(request, pk, action):
    submission = selectors.submission_for(request.user, pk)
    try:
        if action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(pgettext("plans", "Say what needs correcting."))
            submission_return(actor=request.user, submission=submission, note=form.cleaned_data["note"])
            messages.success(request, pgettext("plans", "The report was returned to the agency for correction."))
        elif action == "accept":
            submission_accept(actor=request.user, submission=submission)
            messages.success(request, pgettext("plans", "The report was accepted."))
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("plans:submission", pk=submission.pk)


@login_required
def attachment_file(request, pk):
    attachment = _get(Attachment.objects.all(), pk=pk)
    if attachment.submission_id:
        selectors.submission_for(request.user, attachment.submission_id)
    elif attachment.task_update_id:
        selectors.task_for(request.user, attachment.task_update.task_id)
    else:
        raise Http404
    return _file_response(attachment.file, attachment.name, attachment.content_type or None)


# -- what I owe -----------------------------------------------------------------------------------------------------


@login_required
def my_obligations(request):
    scope = scope_for(request.user)
    if not scope.has(C.REPORT_FOR_AGENCY):
        require_area(request.user, C.EDIT_PLANS, None)  # 403
    owed = selectors.owed_by(request.user)
    return render(
        request, "plans/my.html", {**owed, "reminders": reminders_for(request.user)[:20], "today": timezone.localdate()}
    )


@login_required
@require_POST
def reminder_read(request, pk):
    reminder_mark_read(actor=request.user, reminder_id=pk)
    return redirect("plans:my")
