"""Child-friendly pages. Views call selectors (scoped reads) and services (checked, audited writes)."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treem.access import fetch, require, scope_for
from treem.audit.services import record
from treem.geo.models import Unit, UnitLevel, UnitSystem

from . import alerts as alert_texts
from . import documents, scoring, selectors, services, sources
from .models import Criterion, EvidenceFile, FileKind, RecognitionDecision, Source, Standard, Status, Step
from .services import VIEW


def _year(request, default=None) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default or timezone.localdate().year
    return year if 2019 <= year <= 2100 else (default or timezone.localdate().year)


def _refused(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


@login_required
def index(request):
    require(request.user, VIEW)
    year = _year(request)
    scope = scope_for(request.user)
    own = Unit.objects.filter(pk__in=scope.commune_ids(services.ASSESS)).order_by("name")
    assessments = selectors.assessments_visible_to(request.user).filter(year__gte=year - 1).order_by(
        "-year", "commune__name")[:200]
    return render(request, "childfriendly/index.html", {
        "year": year, "own": own, "assessments": assessments, "provinces": selectors.provinces_for(request.user)[:70],
        "alerts": [(a, alert_texts.render(a)) for a in selectors.alerts_for(request.user)[:20]],
        "years": range(timezone.localdate().year + 1, 2018, -1)})


@login_required
@require_POST
def start(request):
    commune = get_object_or_404(Unit, system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE,
                                code=request.POST.get("commune", "")[:8])
    try:
        year = int(request.POST.get("year", ""))
        assessment = services.assessment_start(actor=request.user, commune=commune, year=year)
    except ValueError:
        messages.error(request, _("The year must be between 2019 and next year."))
        return redirect("childfriendly:index")
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("childfriendly:index")
    return redirect("childfriendly:assessment", pk=assessment.pk)


def _context(request, assessment):
    score = scoring.assessment_score(assessment)
    actor = request.user
    return {
        "a": assessment, "score": score, "reasons": scoring.verdict_reasons(score),
        "type_label": dict(scoring.CommuneType.choices)[score.commune_type],
        "can_edit": assessment.status in services.EDITABLE and services.may_assess(actor, assessment.commune),
        "can_appraise": assessment.status == Status.SUBMITTED and services.may_act(actor, Step.APPRAISE,
                                                                                   assessment.province),
        "files": assessment.files.select_related("criterion", "uploaded_by"),
        "changes": assessment.changes.select_related("criterion", "sub_indicator", "by"),
        "window": services.window(assessment.year), "file_kinds": FileKind.choices,
        "criteria": [c.criterion for c in score.criteria],
    }


@login_required
def assessment(request, pk):
    found = selectors.assessment_for(request.user, pk)
    return render(request, "childfriendly/assessment.html", _context(request, found))


@login_required
def criterion(request, pk, number):
    found = selectors.assessment_for(request.user, pk)
    item = get_object_or_404(Criterion, standard_id=found.standard_id, number=number)
    if request.method == "POST":
        codes = [s.code for s in item.sub_indicators.all()]
        try:
            services.values_save(actor=request.user, assessment=found, criterion=item,
                                 values={c: request.POST.get(f"v-{c}", "") for c in codes},
                                 notes={c: request.POST.get(f"n-{c}", "") for c in codes},
                                 reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The values of criterion %(n)s are saved.") % {"n": item.number})
            return redirect("childfriendly:assessment", pk=found.pk)
    score = scoring.assessment_score(found).criterion(item.number)
    computed = {line.sub.code: sources.compute(line.sub.source, found.commune, found.year)
                for line in score.lines if line.sub.source}
    labels = dict(Source.choices)
    lines = [(line, computed.get(line.sub.code), request.POST.get(f"v-{line.sub.code}") if request.method == "POST"
              else None, labels.get(line.sub.source, "")) for line in score.lines]
    return render(request, "childfriendly/criterion.html", {
        "a": found, "c": item, "score": score, "lines": lines,
        "can_edit": found.status in services.EDITABLE and services.may_assess(request.user, found.commune)})


@login_required
@require_POST
def file_add(request, pk):
    found = selectors.assessment_for(request.user, pk)
    number = request.POST.get("criterion", "")
    item = Criterion.objects.filter(standard_id=found.standard_id, number=number).first() if number.isdigit() else None
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            services.file_add(actor=request.user, assessment=found, upload=upload, kind=request.POST.get("kind", ""),
                              title=request.POST.get("title", ""), criterion=item)
            messages.success(request, _("The file is attached."))
        except ValidationError as exc:
            _refused(request, exc)
    return redirect("childfriendly:assessment", pk=found.pk)


@login_required
def file_download(request, pk, file_pk):
    found = selectors.assessment_for(request.user, pk)
    item = get_object_or_404(EvidenceFile.objects.select_related("assessment__commune"), pk=file_pk, assessment=found)
    record(request.user, "childfriendly.file.download", item.assessment, unit=item.assessment.commune,
           request=request, summary={"title": item.title})
    response = HttpResponse(item.file.read(), content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="tep{item.extension}"'
    return response


@login_required
@require_POST
def submit(request, pk):
    return _act(request, pk, lambda found: services.assessment_submit(
        actor=request.user, assessment=found, declared_total=request.POST.get("declared_total", "")),
        _("The self-assessment is submitted to the province."))


@login_required
@require_POST
def return_(request, pk):
    return _act(request, pk, lambda found: services.assessment_return(
        actor=request.user, assessment=found, comment=request.POST.get("comment", "")),
        _("The self-assessment is returned to the commune."))


@login_required
@require_POST
def correct(request, pk):
    found = selectors.assessment_for(request.user, pk)
    item = get_object_or_404(Criterion, standard_id=found.standard_id, number=request.POST.get("criterion", "0")[:3]
                             if request.POST.get("criterion", "").isdigit() else 0)
    try:
        services.score_correct(actor=request.user, assessment=found, criterion=item,
                               points=request.POST.get("points", ""), reason=request.POST.get("reason", ""))
        messages.success(request, _("The score of criterion %(n)s is corrected.") % {"n": item.number})
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("childfriendly:assessment", pk=found.pk)


@login_required
@require_POST
def appraise(request, pk):
    return _act(request, pk, lambda found: services.assessment_appraise(
        actor=request.user, assessment=found, comment=request.POST.get("comment", "")),
        _("The self-assessment is appraised."))


def _act(request, pk, action, done: str):
    """One step on an assessment fetched in the user's scope: done, or refused with the service's message."""
    found = selectors.assessment_for(request.user, pk)
    try:
        action(found)
        messages.success(request, done)
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("childfriendly:assessment", pk=found.pk)


def _province(request, code):
    province = selectors.provinces_for(request.user).filter(code=code[:8]).first()
    if province is None:
        raise Http404
    return province


@login_required
def province(request, code):
    require(request.user, VIEW)
    found = _province(request, code)
    year = _year(request, default=timezone.localdate().year)
    overview = selectors.province_overview(request.user, found, year)
    return render(request, "childfriendly/province.html", {
        "o": overview, "years": range(timezone.localdate().year + 1, 2018, -1),
        "can_recognise": services.may_act(request.user, Step.RECOGNISE, found),
        "decisions": RecognitionDecision.objects.filter(province=found, year=year),
        "today": timezone.localdate()})


@login_required
@require_POST
def recognise(request, code):
    found = _province(request, code)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        raise Http404 from None
    chosen = selectors.assessments_visible_to(request.user).filter(
        pk__in=[v for v in request.POST.getlist("assessment") if len(v) < 12 and v.isdigit()])
    back = f"{reverse('childfriendly:province', args=[found.code])}?year={year}"
    text = request.POST.get("signed_on", "").strip()[:10]
    try:
        signed_on = datetime.strptime(text, "%d/%m/%Y").date() if text else None  # noqa: DTZ007 (a date)
    except ValueError:
        messages.error(request, _("Write the date as dd/mm/yyyy."))
        return redirect(back)
    try:
        decision = services.recognise(actor=request.user, province=found, year=year, assessments=list(chosen),
                                      signer=request.POST.get("signer", ""), signed_on=signed_on)
        messages.success(request, _("Decision %(number)s recognises the communes chosen.") % {
            "number": decision.number})
    except ValidationError as exc:
        _refused(request, exc)
    return redirect(back)


@login_required
def decision_document(request, pk, which, fmt):
    if which not in ("decision", "list") or fmt not in ("docx", "pdf"):
        raise Http404
    decision = fetch(RecognitionDecision.objects.select_related("province"), request.user, VIEW, pk=pk)
    content = documents.render(decision, which, fmt)
    record(request.user, "childfriendly.document.download", decision, unit=decision.province, request=request,
           summary={"what": which, "format": fmt})
    types = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf"}
    response = HttpResponse(content, content_type=types[fmt])
    name = "quyet-dinh" if which == "decision" else "danh-sach"
    response["Content-Disposition"] = f'attachment; filename="{name}-{decision.year}.{fmt}"'
    return response


@login_required
def standard(request):
    require(request.user, VIEW)
    found = Standard.objects.valid_on(timezone.localdate()).first() or Standard.objects.first()
    criteria = found.criteria.prefetch_related("sub_indicators") if found else []
    rule = scoring.rule_for(found, timezone.localdate().year) if found else None
    return render(request, "childfriendly/standard.html", {
        "standard": found, "criteria": criteria, "rule": rule,
        "thresholds": rule.thresholds.all() if rule else [], "source_labels": dict(Source.choices),
        "window": services.window(timezone.localdate().year)})
