"""Reporting rounds: list, opening, the round page, comparison, consolidation and its files."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from treem.access import require_area, scope_for
from treem.core.models import Job

from .. import selectors
from ..consolidation import consolidation_start
from ..forms import (
    RoundEditForm,
    RoundForm,
    agency_choices,
)
from ..models import (
    RoundStatus,
    TimelinessRule,
)
from ..rounds import (
    default_expected_agencies,
    figure_table,
    round_create,
    round_stats,
    round_update,
)
from ..succession import successors_map
from .common import C, _errors, _file_response, editable_provinces

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
