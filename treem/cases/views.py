"""Web pages of the cases module. Views read through selectors and write through services, nothing else."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treem.access import Capability, forbid_unless, scope_for
from treem.accounts.selectors import agencies_visible_to
from treem.audit.rendering import actor_name
from treem.audit.services import list_unit, record, record_list
from treem.core.collation import ViOrder, unit_key
from treem.core.exceptions import NotAllowed
from treem.core.paging import paginate
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import Child
from treem.registry.selectors import match_children
from treem.reports import official

from . import deadlines, export, forms, matching, selectors, services, spam, statutory
from .access import shows_names, shows_reporter
from .events import alert_text, commune_chairs, event_text
from .models import (
    OPEN_ITEM_STATUSES,
    Channel,
    Confidentiality,
    Distribution,
    PlanItem,
    PlanStatus,
    ReferralStatus,
    Separation,
    Source,
    Stage,
)
from .workflow import current_plan


def _default_province(user):
    for grant in scope_for(user).grants:
        if unit_id := grant.province_id or grant.commune_id:
            unit = Unit.objects.select_related("province").get(pk=unit_id)
            return unit if unit.level == UnitLevel.PROVINCE else unit.province
    return None


def _cases_user(view):
    """Logged in and allowed to see cases (VIEW_CASES) or to record reports (RECEIVE_REPORTS)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = scope_for(request.user)
        forbid_unless(scope, scope.has(Capability.VIEW_CASES) or scope.has(Capability.RECEIVE_REPORTS),
                      needs=Capability.RECEIVE_REPORTS)
        return view(request, *args, **kwargs)

    return wrapper


def _run(request, form, action):
    """Call a service; turn its refusals into messages on the form. Returns the result, or None on failure."""
    try:
        return action()
    except services.StaleCase:
        form.add_error(None, _("Someone else changed this case after you opened the form. Nothing was saved: "
                               "reload the case and enter your changes again."))
        request.stale = True
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
    return None


def _action_page(request, case, access, form, title, *, help_text="", submit=None, multipart=False, extra=None):
    status = 409 if getattr(request, "stale", False) else (400 if form.is_bound else 200)
    context = {"case": case, "access": access, "form": form, "title": title, "help_text": help_text,
               "submit": submit or _("Save"), "multipart": multipart, **(extra or {})}
    return render(request, "cases/action.html", context, status=status)


def _open_case(request, pk, *, what=""):
    """The case for an action page (full access only), logged when shown (GET)."""
    case, access = selectors.case_for(request.user, pk, request=request, log=request.method == "GET", what=what)
    if not access.full:
        raise NotAllowed
    return case, access


def _versioned(form_class, case, request, **kwargs):
    if request.method == "POST":
        return form_class(request.POST, request.FILES or None, **kwargs)
    return form_class(initial={"version": case.version, **kwargs.pop("initial", {})}, **kwargs)


# -- dashboard, lists ------------------------------------------------------------------------------------------------


def _log_list(request, action: str, *, shown: int, filters: dict, page=1, unit=None) -> None:
    """A page listing cases or referrals (children's names or initials) is logged like a case opened."""
    record_list(request.user, action, shown=shown, page=page, request=request,
                filters={k: v for k, v in filters.items() if v not in ("", None)},
                unit=unit or list_unit(request.user, Capability.VIEW_CASES))


@_cases_user
def dashboard(request):
    user = request.user
    scope = scope_for(user)
    unread = selectors.alerts_for(user, unread_only=True)
    context = {"alerts": [(a, alert_text(a)) for a in unread[:8]], "unread_count": unread.count(),
               "can_receive": scope.has(Capability.RECEIVE_REPORTS), "can_view": scope.has(Capability.VIEW_CASES)}
    if context["can_view"]:
        context["my_cases"] = selectors.case_rows(user, selectors.my_cases(user)[:50])
        due = selectors.due_deadlines(user)
        context["due"] = due[:20]
        context["overdue_count"] = sum(1 for row in due if row["overdue"])
        context["referrals"] = selectors.referrals_to_my_agency(user).filter(
            status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED])[:20]
        context["approvals"] = selectors.cases_visible_to(user).filter(
            stage=Stage.APPROVAL, commune__in=scope.commune_ids(Capability.APPROVE_PLANS))
        _log_list(request, "cases.case.list", shown=len(context["my_cases"]), filters={"list": "dashboard"})
    if context["can_receive"]:
        context["intakes"] = selectors.intakes_recorded_by(user)[:10]
    return render(request, "cases/dashboard.html", context)


@_cases_user
def case_list(request):
    user = request.user
    stage = request.GET.get("stage", "open")
    q = request.GET.get("q", "").strip()
    qs = selectors.filter_cases(selectors.cases_visible_to(user), stage=stage, q=q)
    page, querystring_base = paginate(request, qs.order_by("-received_at"), per_page=30)
    rows = selectors.case_rows(user, selectors.cases_visible_to(user).filter(pk__in=[c.pk for c in page]))
    rows.sort(key=lambda r: r["case"].received_at, reverse=True)
    _log_list(request, "cases.case.list", shown=len(rows), page=page.number, filters={"stage": stage, "q": q})
    return render(request, "cases/list.html", {
        "page": page, "rows": rows, "querystring_base": querystring_base, "stage": stage, "q": q,
        "stages": Stage.choices, "export_form": forms.ExportForm(initial={"stage": stage})})


@_cases_user
def due_list(request):
    user = request.user
    commune = province = None
    if code := request.GET.get("commune"):
        commune = get_object_or_404(Unit, system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=code)
    if code := request.GET.get("province"):
        province = get_object_or_404(Unit, system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code)
    try:
        within = max(0, min(int(request.GET.get("days", 3)), 60))
    except ValueError:
        within = 3
    rows = selectors.due_deadlines(user, commune=commune, province=province, within_days=within)
    visible_ids = set(selectors.cases_visible_to(user).filter(
        pk__in=[r["deadline"].case_id for r in rows]).filter(selectors.assigned_q(user)).values_list("pk", flat=True))
    for row in rows:
        row["assigned"] = row["deadline"].case_id in visible_ids
    groups = selectors.due_by_commune(rows)
    provinces = sorted({r["deadline"].case.province for r in rows}, key=unit_key)
    _log_list(request, "cases.case.list", shown=len(rows), unit=commune or province, filters={
        "list": "due", "commune": commune.code if commune else "", "province": province.code if province else "",
        "days": within})
    return render(request, "cases/due.html", {"groups": groups, "within": within, "commune": commune,
                                              "province": province, "provinces": provinces,
                                              "overdue": sum(g["overdue"] for g in groups)})


@_cases_user
def alerts(request):
    rows = selectors.alerts_for(request.user)[:200]
    return render(request, "cases/alerts.html", {"alerts": [(a, alert_text(a)) for a in rows]})


@require_POST
@_cases_user
def alerts_read(request):
    ids = request.POST.getlist("alert") or None
    services.alerts_mark_read(actor=request.user, ids=ids)
    return redirect(request.POST.get("next") or reverse("cases:alerts"))


# -- intake ----------------------------------------------------------------------------------------------------------


@login_required
def intake_new(request):
    scope = scope_for(request.user)
    forbid_unless(scope, scope.has(Capability.RECEIVE_REPORTS), needs=Capability.RECEIVE_REPORTS)
    default_province = _default_province(request.user)
    form = forms.IntakeForm(request.POST or None, default_province=default_province)
    found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        children, found = _intake_children(request, form, data)
    if request.method == "POST" and form.is_valid() and children is not None:
        case = _run(request, form, lambda: services.intake_record(
            actor=request.user, commune=data["commune"], narrative=data["narrative"], channel=data["channel"],
            concern_types=data["concern_types"], received_at=data["received_at"],
            request_type=data["request_type"], reporter_anonymous=data["reporter_anonymous"],
            reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
            reporter_relation=data["reporter_relation"], place_detail=data["place_detail"],
            confidentiality=data["confidentiality"], distribution=data["distribution"],
            children=children, children_description=data["children_description"], request=request))
        if case is not None:
            messages.success(request, _("Report %(ref)s recorded and forwarded to %(commune)s.") % {
                "ref": case.reference, "commune": case.commune.name})
            if case.case_children.filter(child__provisional=False).exists():
                messages.info(request, _("The child was linked to her record on the register."))
            if selectors.case_access(request.user, case).full:
                return redirect("cases:detail", pk=case.pk)
            return redirect("cases:intake", pk=case.pk)
    status = 200 if found is not None else (400 if form.is_bound else 200)
    return render(request, "cases/intake_form.html", {"form": form, "found": found}, status=status)


def _intake_children(request, form, data) -> tuple[list | None, object]:
    """The children to record with the report, or (None, what was found) when the register may already know the
    child and the person has not yet said which (`child_match`: a proposed child's id, or "new")."""
    entries = form.child_entries()
    if not entries:
        return [], None
    commune, choice = data["commune"], request.POST.get("child_match", "")
    if choice == "new":
        return entries, None
    if choice:
        candidates, _level = matching.candidate_scope(request.user, commune)
        child = candidates.filter(pk=choice).first() if _is_uuid(choice) else None
        if child is None:
            form.add_error(None, _("The chosen child is not on the register of this commune: choose again."))
            return None, None
        return [{"child": child}], None
    on = timezone.localtime(data.get("received_at") or timezone.now()).date()
    found = matching.find(request.user, commune, entries[0], on=on)
    if found.auto is not None or not found.proposals:
        return entries, None  # the same personal ID is linked by the service; nothing alike: a new record
    matching.log_shown(request.user, commune, len(found.proposals), what="intake_match", request=request)
    return None, found


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
def intake_list(request):
    page, querystring_base = paginate(request, selectors.intakes_recorded_by(request.user), per_page=30)
    return render(request, "cases/intakes.html", {"page": page, "querystring_base": querystring_base})


@login_required
def intake_detail(request, pk):
    case = selectors.intake_for(request.user, pk, request=request)
    return render(request, "cases/intake_detail.html", {
        "case": case, "concerns": [c.get_kind_display() for c in case.concerns.all()],
        "children": selectors.case_children(case, names=True)})


def communes_options(request):
    """<option>s of a province's communes (public data: used by the public page and the intake form)."""
    try:
        province_id = int(request.GET.get("province", ""))
    except ValueError:
        province_id = None
    communes = forms.communes_of(province_id) if province_id else []
    return render(request, "cases/_commune_options.html", {"communes": communes})


def public_report(request):
    """Anyone may report a concern about a child. Nothing comes back but a reference code."""
    blocked = spam.rate_limited(request)
    form = forms.PublicReportForm(request.POST or None)
    if request.method == "POST" and not blocked:
        blocked = not spam.count_attempt(request)
    if request.method == "POST" and not blocked:
        if request.POST.get("website"):  # honeypot: a robot. Answer like a success, store nothing.
            record(None, "cases.public_report.spam", summary={"reason": "honeypot"}, request=request)
            spam.take_report(request)
            return render(request, "cases/public_thanks.html", {"reference": services._new_reference(timezone.now())})
        if form.is_valid():
            verdict = spam.check(form.cleaned_data["started"], form.cleaned_data.get("answer"))
            if verdict == "ok" and not spam.take_report(request):
                blocked = True
            elif verdict == "ok":
                data = form.cleaned_data
                case = _run(request, form, lambda: services.intake_record(
                    actor=None, source=Source.PUBLIC, commune=data["commune"], narrative=data["narrative"],
                    channel=Channel.ONLINE, concern_types=data["concern_types"],
                    reporter_anonymous=not (data["reporter_name"] or data["reporter_phone"]),
                    reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
                    place_detail=data["place_detail"], children_description=form.children_text(),
                    confidentiality=Confidentiality.CONFIDENTIAL, distribution=Distribution.PROVINCE,
                    request=request))
                if case is not None:
                    return render(request, "cases/public_thanks.html", {"reference": case.reference})
            elif verdict == "too_fast":
                form.add_error(None, _("Please read the form again and check your answer before sending."))
            elif verdict == "expired":
                form.add_error(None, _("This form was already sent or open too long. Please answer the new question "
                                       "and send again."))
            else:
                form.add_error("answer", _("The answer is not right. Please try again."))
    # A new question every time the form is shown: the page gets only its random id (a send consumed the old one).
    question = None
    if not blocked:
        question, token = spam.new_challenge()
        if form.is_bound:
            form.data = form.data.copy()
            form.data["started"], form.data["answer"] = token, ""
        else:
            form.initial["started"] = token
    status = 429 if blocked else (400 if form.is_bound else 200)
    return render(request, "cases/public_report.html", {"form": form, "question": question, "blocked": blocked},
                  status=status)


# -- the case page ---------------------------------------------------------------------------------------------------


def _next_steps(case, access, user) -> list[tuple[str, str, str]]:
    """(label, url, style) of the actions the stage calls for."""
    pk = case.pk
    steps = []
    if not access.full:
        return steps
    plan = current_plan(case)
    if access.can_edit and case.is_open:
        by_stage = {
            Stage.INTAKE: [(_("Initial assessment (Form 02)"), "cases:assessment")],
            Stage.EMERGENCY: [(_("Record emergency protection"), "cases:emergency"),
                              (_("Temporary separation (Form 07)"), "cases:separation")],
            Stage.ASSESSMENT: [(_("Detailed assessment and meeting (Form 03)"), "cases:detailed")],
            Stage.IMPLEMENTATION: [(_("Review the plan (Form 06)"), "cases:review")],
            Stage.REVIEW: [(_("Close the case"), "cases:close")],
        }
        for label, name in by_stage.get(case.stage, []):
            steps.append((label, reverse(name, args=[pk]), "primary"))
        if case.stage == Stage.PLANNING:
            if plan is not None and plan.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}:
                steps.append((_("Continue the plan (Form 04)"), reverse("cases:plan", args=[pk, plan.pk]), "primary"))
            else:
                steps.append((_("Draft the support plan (Form 04)"), reverse("cases:plan_new", args=[pk]),
                              "primary"))
    if case.stage == Stage.APPROVAL and plan is not None:
        label = _("Decide on the plan (Form 05)") if access.can_approve else _("Open the plan")
        steps.append((label, reverse("cases:plan", args=[pk, plan.pk]), "primary"))
    if case.stage == Stage.CLOSED and access.can_edit:
        steps.append((_("Reopen the case"), reverse("cases:reopen", args=[pk]), "outline-secondary"))
    return steps


@_cases_user
def case_detail(request, pk):
    case, access = selectors.case_for(request.user, pk, request=request)
    context = {"case": case, "access": access, "deadlines": selectors.case_deadlines(case)}
    if not access.full:
        return render(request, "cases/summary.html", context)
    names = shows_names(access, case, in_list=False)
    plan = current_plan(case)
    items = list(plan.items.select_related("provider").prefetch_related("records")) if plan else []
    context.update({
        "names": names,
        "can_identify": names and access.can_edit and case.is_open and scope_for(request.user).may(
            Capability.EDIT_CHILDREN, case.commune),
        "show_reporter": shows_reporter(access, case, request.user),
        "children": selectors.case_children(case, names=names),
        "concerns": [c.get_kind_display() for c in case.concerns.all()],
        "initial": case.initial_assessments.order_by("-assessed_at").first(),
        "emergencies": list(case.emergency_measures.all()),
        "separations": list(case.separations.all()),
        "detailed": case.detailed_assessments.order_by("-assessed_at").first(),
        "plan": plan, "items": items, "open_items": [i for i in items if i.status in OPEN_ITEM_STATUSES],
        "plans": list(case.plans.all()),
        "reviews": list(case.reviews.all()),
        "referrals": list(case.referrals.select_related("agency", "item")),
        "transfers": list(case.transfers.select_related("from_commune", "to_commune")),
        "documents": list(case.documents.all()),
        "events": [(e, event_text(e), actor_name(e)) for e in case.events.select_related("actor")],
        "assignees": [a.user for a in case.assignments.filter(ended_at__isnull=True).select_related("user")],
        "forms_available": statutory.available(case),
        "next_steps": _next_steps(case, access, request.user),
        "factor_labels": {f["code"]: f["label"] for f in statutory.assessment_factors()},
    })
    return render(request, "cases/detail.html", context)


@_cases_user
def case_edit(request, pk):
    case, access = _open_case(request, pk, what="edit")
    forbid_unless(scope_for(request.user), access.can_edit)
    if request.method == "POST":
        form = forms.CaseEditForm(request.POST)
    else:
        form = forms.CaseEditForm(initial=forms.CaseEditForm.initial_for(case))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        concern_types, version = data.pop("concern_types"), data.pop("version")
        if _run(request, form, lambda: services.case_update(actor=request.user, case=case, expected_version=version,
                                                            data=data, concern_types=concern_types,
                                                            request=request)):
            messages.success(request, _("Saved."))
            return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, access, form, _("Edit the report (Form 01)"))


def _simple_action(request, pk, form_class, title, call, *, what="", help_text="", submit=None, form_kwargs=None,
                   success=None, multipart=False):
    """An action page: GET shows the form, POST calls the service with the cleaned data."""
    case, access = _open_case(request, pk, what=what)
    forbid_unless(scope_for(request.user), access.can_edit or access.can_approve or access.can_manage)
    form = _versioned(form_class, case, request, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        result = _run(request, form, lambda: call(case, version, data, form))
        if result is not None:
            messages.success(request, success or _("Saved."))
            return redirect("cases:detail", pk=case.pk)
    help_text = help_text(case) if callable(help_text) else help_text
    return _action_page(request, case, access, form, title, help_text=help_text, submit=submit,
                        multipart=multipart)


@_cases_user
def assessment_new(request, pk):
    def call(case, version, data, form):
        return services.initial_assessment_record(actor=request.user, case=case, expected_version=version,
                                                  request=request, **data)

    return _simple_action(request, pk, forms.InitialAssessmentForm, _("Initial assessment (Form 02)"), call,
                          help_text=_("If any of the four conditions holds, the child needs emergency protection "
                                      "within 12 hours of the report."),
                          form_kwargs={"initial": {"assessed_at": timezone.localtime().replace(second=0,
                                                                                               microsecond=0)}})


@_cases_user
def emergency_new(request, pk):
    def call(case, version, data, form):
        return services.emergency_record(actor=request.user, case=case, expected_version=version, request=request,
                                         **data)

    return _simple_action(request, pk, forms.EmergencyForm, _("Emergency protection"), call,
                          form_kwargs={"initial": {"started_at": timezone.localtime().replace(second=0,
                                                                                              microsecond=0)}})


def _separation_help(case) -> str:
    rule = deadlines.separation_rule(timezone.localtime(case.received_at).date())
    if rule is None:
        return ""
    return _("At most %(days)s days, unless a competent authority asks to extend it.") % {"days": rule.amount}


@_cases_user
def separation_new(request, pk):
    def call(case, version, data, form):
        return services.separation_start(actor=request.user, case=case, expected_version=version, request=request,
                                         **data)

    return _simple_action(request, pk, forms.SeparationForm, _("Temporary separation (Form 07)"), call,
                          help_text=_separation_help,
                          form_kwargs={"initial": {"started_at": timezone.localtime().replace(second=0,
                                                                                              microsecond=0)}})


@_cases_user
def separation_extend(request, pk, separation_id):
    separation = get_object_or_404(Separation, pk=separation_id, case_id=pk)

    def call(case, version, data, form):
        return services.separation_extend(actor=request.user, separation=separation, expected_version=version,
                                          request=request, **data)

    return _simple_action(request, pk, forms.SeparationExtendForm, _("Extend the temporary separation"), call)


@require_POST
@_cases_user
def separation_end(request, pk, separation_id):
    case, access = _open_case(request, pk)
    separation = get_object_or_404(Separation, pk=separation_id, case=case)
    form = forms.VersionedForm(request.POST)
    if form.is_valid() and _run(request, form, lambda: services.separation_end(
            actor=request.user, separation=separation, expected_version=form.cleaned_data["version"],
            request=request)):
        messages.success(request, _("Saved."))
        return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, access, form, _("End the temporary separation"))


@_cases_user
def detailed_new(request, pk):
    def call(case, version, data, form):
        factors = form.factors()
        fields = {k: v for k, v in data.items() if not k.startswith("factor_")}
        return services.detailed_assessment_record(actor=request.user, case=case, expected_version=version,
                                                   factors=factors, request=request, **fields)

    case, _access = selectors.case_for(request.user, pk, log=False)
    chairs = commune_chairs(case.commune)
    initial = {"assessed_at": timezone.localtime().replace(second=0, microsecond=0),
               "meeting_chair": chairs[0].full_name if chairs else ""}
    return _simple_action(request, pk, forms.DetailedAssessmentForm, _("Detailed assessment and meeting (Form 03)"),
                          call, form_kwargs={"initial": initial},
                          help_text=_("Assess the child's needs on each factor; the meeting is chaired by the "
                                      "commune chair."))


@_cases_user
def plan_new(request, pk):
    def call(case, version, data, form):
        plan = services.plan_create(actor=request.user, case=case, expected_version=version, goals=data["goals"],
                                    request=request)
        request.new_plan = plan
        return plan

    response = _simple_action(request, pk, forms.PlanForm, _("Support plan (Form 04)"), call,
                              help_text=_("First the goals; then add each service or task."))
    if getattr(request, "new_plan", None) is not None:
        return redirect("cases:plan", pk=pk, plan_id=request.new_plan.pk)
    return response


@_cases_user
def plan_detail(request, pk, plan_id):
    case, access = _open_case(request, pk, what="plan")
    plan = get_object_or_404(case.plans, pk=plan_id)
    agencies = agencies_visible_to(request.user, on=timezone.localdate()).order_by(ViOrder("name"))
    item_form = forms.PlanItemForm(initial={"version": case.version, "starts_on": timezone.localdate()},
                                   agencies=agencies)
    version_form = forms.VersionedForm(initial={"version": case.version})
    decide_form = forms.VersionedForm(initial={"version": case.version})
    editable = access.can_edit and plan.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_item" and access.can_edit:
            item_form = forms.PlanItemForm(request.POST, agencies=agencies)
            if item_form.is_valid():
                data = dict(item_form.cleaned_data)
                version = data.pop("version")
                if _run(request, item_form, lambda: services.plan_item_add(
                        actor=request.user, plan=plan, expected_version=version, request=request, **data)):
                    messages.success(request, _("Service added."))
                    return redirect("cases:plan", pk=pk, plan_id=plan.pk)
            status = 409 if getattr(request, "stale", False) else 400
        elif action == "submit" and access.can_edit:
            version_form = forms.VersionedForm(request.POST)
            if version_form.is_valid() and _run(request, version_form, lambda: services.plan_submit(
                    actor=request.user, plan=plan, expected_version=version_form.cleaned_data["version"],
                    request=request)):
                messages.success(request, _("The plan was sent to the commune chair for approval."))
                return redirect("cases:detail", pk=pk)
            status = 409 if getattr(request, "stale", False) else 400
        elif action in {"approve", "return"}:
            forbid_unless(scope_for(request.user), access.can_approve)
            decide_form = forms.VersionedForm(request.POST)
            note = request.POST.get("note", "")
            if decide_form.is_valid() and _run(request, decide_form, lambda: services.plan_decide(
                    actor=request.user, plan=plan, expected_version=decide_form.cleaned_data["version"],
                    approve=action == "approve", note=note, request=request)):
                messages.success(request, _("Plan approved.") if action == "approve" else _("Plan returned."))
                return redirect("cases:detail", pk=pk)
            status = 409 if getattr(request, "stale", False) else 400
        else:
            raise NotAllowed
    items = list(plan.items.select_related("provider"))
    names = shows_names(access, case, in_list=False)
    approval = [row for row in selectors.case_deadlines(case)
                if row["deadline"].rule.step == "plan_approved" and row["deadline"].subject == str(plan.pk)]
    return render(request, "cases/plan.html", {
        "children": [row["name"] for row in selectors.case_children(case, names=names)],
        "concerns": [c.get_kind_display() for c in case.concerns.all()],
        "approval_deadline": approval[0] if approval and plan.status == PlanStatus.SUBMITTED else None,
        "case": case, "access": access, "plan": plan, "items": items, "item_form": item_form,
        "version_form": version_form, "decide_form": decide_form, "editable": editable,
        "total": sum(i.cost for i in items), "can_decide": access.can_approve and plan.status == PlanStatus.SUBMITTED,
    }, status=status)


@_cases_user
def service_new(request, pk, item_id):
    item = get_object_or_404(PlanItem.objects.select_related("plan"), pk=item_id, plan__case_id=pk)

    def call(case, version, data, form):
        return services.service_record(actor=request.user, item=item, expected_version=version, request=request,
                                       **data)

    return _simple_action(request, pk, forms.ServiceRecordForm,
                          _("Record a service: %(service)s") % {"service": item.get_kind_display()}, call,
                          form_kwargs={"initial": {"delivered_on": timezone.localdate()}},
                          help_text=item.description)


@_cases_user
def referral_new(request, pk):
    case, _access = selectors.case_for(request.user, pk, log=False)
    agencies = agencies_visible_to(request.user, on=timezone.localdate()).order_by("kind", ViOrder("name"))
    plan = current_plan(case)
    items = plan.items.all() if plan else PlanItem.objects.none()

    def call(case, version, data, form):
        return services.referral_create(actor=request.user, case=case, expected_version=version, request=request,
                                        **data)

    return _simple_action(request, pk, forms.ReferralForm, _("Refer to an agency or provider"), call,
                          form_kwargs={"agencies": agencies, "items": items},
                          help_text=_("The agency sees only the service, the child's name and what you share here. "
                                      "Consent of the child and the carer is required."))


@_cases_user
def transfer(request, pk):
    case, _access = selectors.case_for(request.user, pk, log=False)

    def call(case, version, data, form):
        data.pop("province", None)
        return services.case_transfer(actor=request.user, case=case, expected_version=version,
                                      to_commune=data.pop("commune"), request=request, **data)

    return _simple_action(request, pk, forms.TransferForm, _("Transfer the case to another commune"), call,
                          form_kwargs={"default_province": case.province},
                          help_text=_("When the child moves. The new commune's workers take the case over."))


@_cases_user
def review_new(request, pk):
    def call(case, version, data, form):
        return services.review_record(actor=request.user, case=case, expected_version=version, request=request,
                                      **data)

    return _simple_action(request, pk, forms.ReviewForm, _("Review of the plan (Form 06)"), call,
                          form_kwargs={"initial": {"reviewed_at": timezone.localtime().replace(second=0,
                                                                                               microsecond=0)}})


@_cases_user
def close(request, pk):
    def call(case, version, data, form):
        return services.case_close(actor=request.user, case=case, expected_version=version, reason=data["reason"],
                                   request=request)

    return _simple_action(request, pk, forms.ReasonForm, _("Close the case"), call, submit=_("Close the case"),
                          help_text=_("Write the result for the child and why the case can be closed."),
                          success=_("The case is closed."))


@_cases_user
def reopen(request, pk):
    def call(case, version, data, form):
        return services.case_reopen(actor=request.user, case=case, expected_version=version, reason=data["reason"],
                                    request=request)

    return _simple_action(request, pk, forms.ReasonForm, _("Reopen the case"), call, submit=_("Reopen"))


@_cases_user
def mark_in_error(request, pk):
    def call(case, version, data, form):
        return services.case_mark_in_error(actor=request.user, case=case, expected_version=version,
                                           reason=data["reason"], request=request)

    return _simple_action(request, pk, forms.ReasonForm, _("Mark as recorded in error"), call,
                          submit=_("Mark as recorded in error"),
                          help_text=_("A case is never deleted. A report recorded by mistake (a duplicate, a test, "
                                      "spam) is marked, with the reason, and leaves the lists and statistics."))


@_cases_user
def assign(request, pk):
    case, _access = selectors.case_for(request.user, pk, log=False)

    def call(case, version, data, form):
        return services.case_assign(actor=request.user, case=case, user=data["user"], expected_version=version,
                                    request=request)

    return _simple_action(request, pk, forms.AssignForm, _("Assign a worker"), call,
                          form_kwargs={"users": selectors.assignable_users(case)})


@_cases_user
def child_add(request, pk):
    """Link a child to the case: a search of the commune's register with the matcher (name, date of birth, personal
    ID), never the whole commune's list; or a new (provisional) child."""
    case, access = _open_case(request, pk)
    forbid_unless(scope_for(request.user), access.can_edit)
    candidates, level = matching.candidate_scope(request.user, case.commune)
    search = forms.ChildSearchForm(request.GET or None)
    found, searched = [], False
    if search.is_valid() and search.cleaned_data["q"].strip():
        searched = True
        found, level = matching.search(request.user, case.commune, text=search.cleaned_data["q"],
                                       birth_date=search.cleaned_data.get("born"))
        matching.log_shown(request.user, case.commune, len(found), what="case_child_search", request=request,
                           filters={"q": search.cleaned_data["q"][:100]})
    form = _versioned(forms.ChildAddForm, case, request, children=candidates)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if data.get("registered"):
            action = lambda: services.case_child_add(actor=request.user, case=case, expected_version=version,  # noqa: E731
                                                     child=data["registered"], request=request)
        else:
            entry = form.child_entries()[0]
            action = lambda: services.case_child_add(actor=request.user, case=case, expected_version=version,  # noqa: E731
                                                     request=request, **entry)
        if _run(request, form, action) is not None:
            messages.success(request, _("Saved."))
            return redirect("cases:detail", pk=case.pk)
    status = 409 if getattr(request, "stale", False) else (400 if form.is_bound else 200)
    return render(request, "cases/child_add.html", {
        "case": case, "access": access, "form": form, "search": search, "found": found, "searched": searched,
        "level": level, "version": case.version}, status=status)


@_cases_user
def child_identify(request, pk, child_id):
    """A provisional child of the case is a child of the register: the matcher proposes, one decision merges."""
    case, access = _open_case(request, pk)
    forbid_unless(scope_for(request.user), access.can_edit and shows_names(access, case, in_list=False))
    provisional = get_object_or_404(Child, pk=child_id, provisional=True, case_links__case=case)
    candidates, level = matching.candidate_scope(request.user, case.commune)
    if level != matching.FULL:
        raise NotAllowed  # a merge needs the register itself
    candidates = candidates.filter(provisional=False).exclude(pk=provisional.pk)
    if request.method == "POST":
        registered = candidates.filter(pk=request.POST.get("registered", "")).first() if _is_uuid(
            request.POST.get("registered", "")) else None
        if registered is None:
            raise Http404
        try:
            kept = services.case_child_identify(actor=request.user, case=case, provisional=provisional,
                                                registered=registered, expected_version=request.POST.get("version"),
                                                request=request)
        except services.StaleCase:
            messages.error(request, _("Someone else changed this case after you opened the form. Nothing was saved: "
                                      "reload the case and enter your changes again."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The provisional record was merged into the register's record of "
                                        "%(name)s.") % {"name": kept.full_name})
            return redirect("cases:detail", pk=case.pk)
        return redirect("cases:child_identify", pk=case.pk, child_id=provisional.pk)

    text = request.GET.get("q", "").strip()[:100]
    if text:
        found, _level = matching.search(request.user, case.commune, text=text)
        found = [h for h in found if not h.child.provisional and h.child.pk != provisional.pk]
    else:
        found = match_children(candidates, full_name=provisional.full_name, birth_date=provisional.birth_date,
                               sex=provisional.sex, limit=10, with_carers=True)
        if not found:  # a date estimated from an age: the name and the sex within the age's years
            on = provisional.created_at.date()
            found = match_children(candidates, full_name=provisional.full_name, sex=provisional.sex,
                                   age=on.year - provisional.birth_date.year, on=on, limit=10, with_carers=True)
    matching.log_shown(request.user, case.commune, len(found), what="case_child_identify", request=request,
                       filters={"q": text})
    return render(request, "cases/child_identify.html", {
        "case": case, "access": access, "provisional": provisional, "found": found, "q": text,
        "version": case.version})


@_cases_user
def document_upload(request, pk):
    def call(case, version, data, form):
        return services.document_attach(actor=request.user, case=case, expected_version=version,
                                        upload=data["file"], kind=data["kind"], title=data["title"],
                                        request=request)

    return _simple_action(request, pk, forms.DocumentForm, _("Attach a document"), call, multipart=True,
                          submit=_("Upload"))


@_cases_user
def document_download(request, pk, document_id):
    case, _access = _open_case(request, pk, what="document")
    document = get_object_or_404(case.documents, pk=document_id)
    record(request.user, "cases.document.download", case, unit=case.commune, request=request,
           summary={"document": document.pk})
    with document.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-{document.pk}{document.extension}"'
    return response


@_cases_user
def form_download(request, pk, number, fmt):
    if fmt not in {"docx", "pdf"}:
        raise Http404
    case, access = _open_case(request, pk, what=f"form {number:02d} {fmt}")
    names = shows_names(access, case, in_list=False)
    doc = statutory.build(case, number, names=names, reporter=shows_reporter(access, case, request.user))
    if doc is None:
        raise Http404

    record(request.user, "cases.form.print", case, unit=case.commune, request=request,
           summary={"form": number, "format": fmt})
    filename = f"{case.reference}-mau-{number:02d}.{fmt}"
    if fmt == "docx":
        response = HttpResponse(official.render_docx(doc), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    else:
        response = HttpResponse(official.render_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@_cases_user
def export_cases(request):
    """The visible case list as an XLSX encrypted with the password the person gives; logged."""
    scope = scope_for(request.user)
    forbid_unless(scope, scope.has(Capability.VIEW_CASES), needs=Capability.VIEW_CASES)
    form = forms.ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("password", [])) or _("Check the password."))
        return redirect("cases:list")
    qs = selectors.filter_cases(selectors.cases_visible_to(request.user), stage=form.cleaned_data["stage"] or "")
    content, count = export.workbook_bytes(request.user, qs)
    encrypted = export.encrypt(content, form.cleaned_data["password"])
    record(request.user, "cases.case.export", None, request=request,
           summary={"rows": count, "stage": form.cleaned_data["stage"], "encrypted": True})
    response = HttpResponse(encrypted, content_type="application/vnd.openxmlformats-officedocument."
                                                    "spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ho-so-bao-ve-tre-em-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# -- referrals (the agency's side) -----------------------------------------------------------------------------------


@_cases_user
def referral_list(request):
    page, querystring_base = paginate(request, selectors.referrals_to_my_agency(request.user), per_page=30)
    _log_list(request, "cases.referral.list", shown=len(page), page=page.number, filters={})
    return render(request, "cases/referrals.html", {"page": page, "querystring_base": querystring_base})


@_cases_user
def referral_detail(request, referral_id):
    referral, part = selectors.referral_for(request.user, referral_id, request=request if request.method == "GET"
                                            else None)
    can_answer = services.may_answer_referral(request.user, referral)
    form = forms.ReferralAnswerForm(request.POST or None, current=referral.status)
    status = 200
    if request.method == "POST":
        forbid_unless(scope_for(request.user), can_answer)
        if form.is_valid() and _run(request, form, lambda: services.referral_respond(
                actor=request.user, referral=referral, status=form.cleaned_data["status"],
                note=form.cleaned_data["note"], request=request)):
            messages.success(request, _("Answer recorded."))
            return redirect("cases:referral", referral_id=referral.pk)
        status = 400
    return render(request, "cases/referral.html", {
        "referral": referral, "part": part, "children": selectors.referral_children(request.user, referral),
        "form": form, "can_answer": can_answer and referral.status in {ReferralStatus.SENT, ReferralStatus.ACCEPTED},
    }, status=status)
