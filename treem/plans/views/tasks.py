"""Tasks, their schedules, and the agencies' overview."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from treem.access import require_area, scope_for
from treem.accounts.models import Agency
from treem.core.collation import ViOrder, unit_order, vi_key
from treem.geo.models import UnitSystem

from .. import schedule, selectors
from ..forms import (
    TaskScheduleForm,
    TaskUpdateForm,
)
from ..rounds import (
    agency_records,
)
from ..services import may_report_on_task, task_set_schedule, task_update_create
from .common import C, _errors

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
