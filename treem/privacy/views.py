import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from treem.access import Capability, forbid_unless, scope_for
from treem.audit.services import record, record_view
from treem.cases.access import mask_name
from treem.registry.access import record_list_read
from treem.registry.models import Child
from treem.registry.quality.export import write_xlsx

from . import retention, selectors, services
from .forms import AccessRequestForm, RetentionRuleForm
from .models import ProcessingActivity, RetentionRule

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROCESSING_COLUMNS = ["purpose", "legal_basis", "data_subjects", "basic_data", "sensitive_data", "recipients",
                      "transfers", "retention", "security"]


@login_required
@require_GET
def processing(request):
    activities = selectors.processing_record(request.user)
    return render(request, "privacy/processing.html", {
        "activities": activities, "version": activities[0].version if activities else ""})


@login_required
@require_GET
def processing_export(request):
    """The record of processing as a spreadsheet (it holds no personal data, so it is not encrypted)."""
    activities = list(selectors.processing_record(request.user))

    headers = [str(ProcessingActivity._meta.get_field(name).verbose_name).capitalize() for name in PROCESSING_COLUMNS]
    out = io.BytesIO()
    write_xlsx(([getattr(a, name) for name in PROCESSING_COLUMNS] for a in activities), headers, out,
               sheet_name=_("Record of processing"))
    record(request.user, "privacy.processingactivity.export", None, request=request,
           summary={"version": activities[0].version if activities else "", "rows": len(activities)})
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ho-so-xu-ly-du-lieu-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
@require_GET
def retention_rules(request):
    rules = list(selectors.retention_rules(request.user))
    effects = {e.rule.pk: e for e in retention.dry_run(rules=[r for r in rules if r.active])}
    return render(request, "privacy/retention.html", {
        "rows": [(rule, effects.get(rule.pk)) for rule in rules],
        "can_manage": scope_for(request.user).is_national(Capability.MANAGE_PRIVACY)})


@login_required
@require_http_methods(["GET", "POST"])
def retention_rule_edit(request, code):
    scope = scope_for(request.user)
    forbid_unless(scope, scope.is_national(Capability.MANAGE_PRIVACY), needs=Capability.MANAGE_PRIVACY)
    rule = get_object_or_404(RetentionRule, code=code)
    form = RetentionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        services.retention_rule_update(actor=request.user, rule=RetentionRule.objects.get(pk=rule.pk),
                                       data=form.cleaned_data, request=request)
        messages.success(request, _("The retention rule was saved."))
        return redirect("privacy:retention")
    return render(request, "privacy/retention_edit.html", {"form": form, "rule": RetentionRule.objects.get(pk=rule.pk)},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def access_requests(request):
    """Find the child a request is about; the requests of the worker's communes."""
    text = request.GET.get("q", "").strip()[:100]
    found = selectors.children_for_request(request.user, text)
    shown = list(found[:20]) if text else []
    if text:
        record_list_read(request.user, what="child", filters={"q": text, "purpose": "subject_access"},
                         shown=len(shown), request=request)
    recent = selectors.access_requests_visible_to(request.user)[:20]
    return render(request, "privacy/access_requests.html", {
        "q": text, "found": shown, "more": text and len(found) > len(shown),
        "recent": [(r, mask_name(r.child.full_name)) for r in recent]})


@login_required
@require_http_methods(["GET", "POST"])
def access_request_new(request, child_pk):
    scope = scope_for(request.user)
    forbid_unless(scope, scope.has(Capability.HANDLE_SUBJECT_ACCESS), needs=Capability.HANDLE_SUBJECT_ACCESS)
    try:
        child = services.child_in_scope(request.user, child_pk)
    except Child.DoesNotExist:
        raise Http404 from None
    if request.method == "GET":  # the form shows who the child is
        record_view(request.user, child, unit=child.commune, request=request, what="subject_access")
    form = AccessRequestForm(request.POST or None, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            access = services.access_request_create(actor=request.user, child_id=child.pk,
                                                    data=form.request_data(),
                                                    password=form.cleaned_data["password"], request=request)
        except Child.DoesNotExist:
            raise Http404 from None
        return redirect("privacy:access_request", pk=access.pk)
    return render(request, "privacy/access_request_new.html", {"form": form, "child": child},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def access_request(request, pk):
    access = selectors.access_request_for(request.user, pk)
    job = access.job if access.job and access.job.actor_id == request.user.pk else None
    response = render(request, "privacy/access_request.html", {
        "access": access, "job": job, "done_url": (job.result or {}).get("url", "") if job else "",
        "child_label": mask_name(access.child.full_name)})
    patch_cache_control(response, private=True, no_store=True)
    return response
