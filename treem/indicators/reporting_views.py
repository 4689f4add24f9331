"""Pages of bound targets and reported values: a target's indicator (the proposal first), an agency's values form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from treem.access import Capability, scope_for
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.plans import selectors as plan_selectors
from treem.plans.models import RoundStatus
from treem.plans.rounds import may_report_for

from . import services
from .forms import BindingForm, ReportedValuesForm
from .models import Indicator, TargetBinding, Value


@login_required
def binding(request, pk):
    target = get_object_or_404(plan_selectors.targets_visible_to(request.user), pk=pk)
    document = target.document
    current = TargetBinding.objects.select_related("indicator", "unit", "baseline_unit").filter(target=target).first()
    proposals = services.binding_propose(target)
    proposed_ids = [c.indicator.pk for c in proposals]
    others = Indicator.objects.exclude(pk__in=proposed_ids).order_by("group", "order", "code")
    indicators = [c.indicator for c in proposals] + list(others)
    if current is not None:
        indicators = [current.indicator] + [i for i in indicators if i.pk != current.indicator_id]
    units = []
    if document.province is not None:
        units = [document.province, *Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE,
                                                         province=document.province).order_by("sort_name")]
    may_edit = document.province is not None and scope_for(request.user).may(Capability.EDIT_PLANS,
                                                                             document.province)
    baseline_year, target_year = services.proposed_years(target)
    form = BindingForm(request.POST or None, indicators=indicators, units=units, initial={
        "baseline_year": current.baseline_year if current else baseline_year,
        "target_year": current.target_year if current else target_year,
        "unit": str(current.unit_id) if current else (str(units[0].pk) if units else "")})
    if request.method == "POST" and form.is_valid():
        indicator = get_object_or_404(Indicator, pk=form.cleaned_data["indicator"])
        unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"])
        legacy = target.area if target.area is not None and not target.area.is_current else None
        try:
            services.target_bind(request.user, target, indicator, unit, legacy,
                                 baseline_year=form.cleaned_data["baseline_year"],
                                 target_year=form.cleaned_data["target_year"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The target is bound to the indicator."))
            return redirect("indicators:binding", pk=target.pk)
    return render(request, "indicators/binding_target.html", {
        "target": target, "document": document, "binding": current, "proposals": proposals, "form": form,
        "may_edit": may_edit})


@login_required
def submission_values(request, pk):
    submission = get_object_or_404(plan_selectors.submissions_visible_to(request.user), pk=pk)
    services.values_sync(submissions=[submission.pk])
    indicators = services.reported_indicators(submission)
    unit = services.reporting_unit(submission)
    year = submission.round.period_year
    last = services.last_values(indicators, unit, year)
    current = {v.indicator_id: v for v in Value.objects.filter(indicator__in=indicators, unit=unit, year=year,
                                                              sub_period=0, disaggregation="")}
    may_edit = (may_report_for(request.user, submission.agency) and submission.editable
                and submission.round.status == RoundStatus.OPEN)
    form = ReportedValuesForm(request.POST or None, indicators=indicators, last=last, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.reported_values_save(request.user, submission, form.entries(),
                                          submit="submit" in request.POST, request=request)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The values are saved."))
            return redirect("indicators:submission_values", pk=submission.pk)
    return render(request, "indicators/report_values.html", {
        "submission": submission, "form": form, "unit": unit, "year": year, "may_edit": may_edit})
