"""Data-quality pages under /children/quality/: findings per commune and across a province, duplicates and the merge
screen, linkage with the population database, the cleaning round and the re-check.

Views only call selectors (scoped reads) and services (writes). Anything outside the reader's scope is a 404; an
action the role may not do is a 403 (NotAllowed, raised by the service).
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from treem.access import Capability, fetch, forbid_unless, require, scope_for
from treem.audit.services import list_unit, record_list, record_view
from treem.core import uploads
from treem.core.collation import unit_order
from treem.core.formats import format_date, parse_decimal_vi
from treem.core.jobs import job_to_show
from treem.core.models import Job
from treem.core.paging import paginate
from treem.geo.models import Unit, UnitLevel
from treem.registry import selectors as registry_selectors
from treem.registry.models import Child, ChildStatus
from treem.registry.services import VersionConflict

from . import cleaning, selectors, services
from .findings import CATEGORIES, CATEGORY_LABELS, KINDS, stale_months
from .linkage import FIELD_LABELS as CORRECTION_LABELS
from .linkage import display as display_value
from .linkage import population_dir
from .models import CleaningRound, CorrectionStatus, LinkageRun, Outcome, PairStatus, Recheck, RoundStatus
from .services import QualityProblem

VIEW = Capability.VIEW_CHILDREN
EDIT = Capability.EDIT_CHILDREN
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_MB = 50  # an extract for a whole commune or a verified sheet is a few MB at most


def _too_big(request, upload) -> bool:
    limit = int(getattr(settings, "TREEM_QUALITY_MAX_UPLOAD_MB", MAX_UPLOAD_MB))
    if upload.size > limit * 1024 * 1024:
        messages.error(request, _("The file is larger than %(limit)s MB.") % {"limit": limit})
        return True
    return False


def _gate(upload, extensions=uploads.SPREADSHEET_EXTENSIONS) -> bytes:
    """The upload gate (type by content, ZIP limits); the sheets are scanned when the file is read."""
    limit = int(getattr(settings, "TREEM_QUALITY_MAX_UPLOAD_MB", MAX_UPLOAD_MB)) * 1024 * 1024
    return uploads.receive_spreadsheet(upload, max_bytes=limit, allowed=extensions).content



def _commune(user, code: str, capability: str = VIEW) -> Unit:
    commune = selectors.commune_for(user, code, capability)
    if commune is None:
        raise Http404
    return commune


def _unit(user, code: str) -> Unit | None:
    """A commune or a province the user may read, by code (commune codes have 5 digits, province codes 2)."""
    if not code:
        return None
    unit = selectors.province_for(user, code) if len(code) <= 2 else selectors.commune_for(user, code)
    if unit is None:
        raise Http404
    return unit


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _problem(request, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------- overview, province, commune


@login_required
def index(request):
    require(request.user, VIEW)
    provinces = list(selectors.provinces_for(request.user))
    if len(provinces) == 1:
        return redirect("quality:province", code=provinces[0].code)
    if provinces:
        return render(request, "quality/index.html", {"provinces": selectors.provinces_overview(request.user)})
    communes = list(selectors.communes_for(request.user).order_by(*unit_order())[:200])
    if len(communes) == 1:
        return redirect("quality:commune", code=communes[0].code)
    return render(request, "quality/index.html", {"communes": communes})


COLUMNS = [("children", gettext_lazy("Number of children")), ("findings", gettext_lazy("Open findings")),
           ("share", gettext_lazy("Children to check")),
           ("missing_id", CATEGORY_LABELS["missing_id"]), ("malformed_id", CATEGORY_LABELS["malformed_id"]),
           ("id_contradiction", CATEGORY_LABELS["id_contradiction"]), ("basic_facts", CATEGORY_LABELS["basic_facts"]),
           ("stale", CATEGORY_LABELS["stale"]), ("over_16", CATEGORY_LABELS["over_16"]),
           ("duplicates", gettext_lazy("Possible duplicates")), ("checked", gettext_lazy("Last checked"))]


@login_required
def province(request, code):
    require(request.user, VIEW)
    unit = selectors.province_for(request.user, code)
    if unit is None:
        raise Http404
    rows, sort = selectors.province_rows(request.user, unit, request.GET.get("sort", "-findings"))
    columns = [{"key": key, "label": label, "sort": key if sort == f"-{key}" else f"-{key}",
                "active": sort.lstrip("-") == key, "descending": sort.startswith("-")} for key, label in COLUMNS]
    return render(request, "quality/province.html", {
        "province": unit, "rows": rows, "sort": sort, "columns": columns,
        "name_sort": "name" if sort != "name" else "-name",
        "totals": selectors.province_totals(unit), "can_edit": scope_for(request.user).may(EDIT, unit),
        "can_recheck": scope_for(request.user).is_national(EDIT),
    })


@login_required
def commune(request, code):
    require(request.user, VIEW)
    unit = _commune(request.user, code)
    chosen_code = request.GET.get("code", "")
    chosen_category = request.GET.get("category", "")
    findings = selectors.commune_findings(request.user, unit, code=chosen_code, category=chosen_category)
    page, querystring_base = paginate(request, findings, per_page=50)
    record_list(request.user, "quality.finding.list", shown=len(page), page=page.number, unit=unit, request=request,
                filters={k: v for k, v in {"commune": unit.code, "code": chosen_code,
                                           "category": chosen_category}.items() if v})
    summary = selectors.summary_of(unit)
    return render(request, "quality/commune.html", {
        "commune": unit, "groups": selectors.commune_counts(request.user, unit), "page": page,
        "querystring_base": querystring_base, "summary": summary, "chosen_code": chosen_code,
        "chosen_category": chosen_category, "chosen_label": KINDS[chosen_code].label if chosen_code in KINDS else
        CATEGORY_LABELS.get(chosen_category, ""), "can_edit": scope_for(request.user).may(EDIT, unit),
        "can_recheck": scope_for(request.user).may(EDIT, unit.province),
        "province_page": selectors.province_for(request.user, unit.province.code) is not None,
        "stale_months": summary.stale_months if summary else
        stale_months(), "categories": CATEGORIES,
    })


def _run_units(request) -> tuple[list[Unit], Unit]:
    """The communes a check or duplicates run covers: one commune, or every commune of a province the user edits."""
    unit = _unit(request.user, request.POST.get("unit", ""))
    if unit is None:
        raise Http404
    if unit.level == UnitLevel.PROVINCE:
        require(request.user, EDIT, unit)
        communes = list(selectors.communes_for(request.user, EDIT).filter(province=unit))
        return communes, unit
    return [unit], unit


@login_required
@require_POST
def check(request):
    require(request.user, EDIT)
    communes, unit = _run_units(request)
    job = services.check_start(actor=request.user, communes=communes, unit=unit)
    return redirect("quality:job", pk=job.pk)


@login_required
@require_POST
def duplicates_run(request):
    require(request.user, EDIT)
    communes, unit = _run_units(request)
    job = services.duplicates_start(actor=request.user, communes=communes, unit=unit)
    return redirect("quality:job", pk=job.pk)


@login_required
def job(request, pk):
    item = _get(Job.objects.filter(actor=request.user), pk)
    return render(request, "quality/job.html", {"job": item, "done_url": (item.result or {}).get("url", "")})


# ---------------------------------------------------------------- duplicates and merging


@login_required
def duplicates(request):
    require(request.user, VIEW)
    unit = _unit(request.user, request.GET.get("unit", ""))
    status = request.GET.get("status", PairStatus.OPEN)
    if status not in PairStatus.values:
        status = PairStatus.OPEN
    pairs = selectors.pair_list(request.user, status=status, unit=unit)
    page, querystring_base = paginate(request, pairs, per_page=50)
    record_list(request.user, "quality.duplicatepair.list", shown=len(page), page=page.number, request=request,
                unit=unit or list_unit(request.user, VIEW),
                filters={"status": status, **({"unit": unit.code} if unit else {})})
    editable = list(selectors.communes_for(request.user, EDIT).order_by(*unit_order())[:50])
    provinces = list(selectors.provinces_for(request.user, EDIT))
    return render(request, "quality/duplicates.html", {
        "page": page, "querystring_base": querystring_base, "unit": unit, "status": status,
        "statuses": PairStatus.choices, "run_units": provinces + editable if len(editable) < 50 else provinces,
    })


def _fact(child: Child, field: str) -> str:
    value = getattr(child, field)
    if value in (None, ""):
        return "—"
    display = getattr(child, f"get_{field}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _completeness(child: Child) -> int:
    return sum(1 for f in services.MERGE_FIELDS if getattr(child, f) not in (None, "", "unknown"))


def merge_rows(a: Child, b: Child, survivor: str) -> list[dict]:
    rows = []
    keep, other = (a, b) if survivor == "a" else (b, a)
    for field in services.MERGE_FIELDS:
        label = Child._meta.get_field(field).verbose_name
        same = getattr(a, field) == getattr(b, field)
        keep_empty = getattr(keep, field) in (None, "", "unknown")
        other_empty = getattr(other, field) in (None, "", "unknown")
        default = survivor if not keep_empty or other_empty else ("b" if survivor == "a" else "a")
        rows.append({"field": field, "label": label, "a": _fact(a, field), "b": _fact(b, field), "same": same,
                     "default": default})
    return rows


@login_required
def pair(request, pk):
    require(request.user, VIEW)
    item = _get(selectors.pairs_visible_to(request.user).select_related(
        "child_a__commune", "child_b__commune", "survivor"), pk)
    a, b = item.child_a, item.child_b
    survivor = request.GET.get("keep") if request.GET.get("keep") in ("a", "b") else (
        "a" if (_completeness(a), -a.created_at.timestamp()) >= (_completeness(b), -b.created_at.timestamp())
        else "b")
    for child in (a, b):
        record_view(request.user, child, unit=child.commune, request=request, what="quality.merge_screen")
    carers = {c.pk: services.primary_carer_name(c) for c in
              Child.objects.filter(pk__in=[a.pk, b.pk]).prefetch_related("carer_links__carer")}
    related = {side: {"circumstances": child.circumstances.filter(ended_on__isnull=True).count(),
                      "carers": child.carer_links.count(), "measurements": child.measurements.count()}
               for side, child in (("a", a), ("b", b))}
    editable = item.status == PairStatus.OPEN and scope_for(request.user).may(EDIT, a.commune) and \
        scope_for(request.user).may(EDIT, b.commune) and a.status in (ChildStatus.ACTIVE, ChildStatus.MOVED) and \
        b.status in (ChildStatus.ACTIVE, ChildStatus.MOVED)
    return render(request, "quality/pair.html", {
        "pair": item, "a": a, "b": b, "rows": merge_rows(a, b, survivor), "survivor": survivor,
        "carer_a": carers.get(a.pk) or "—", "carer_b": carers.get(b.pk) or "—", "related": related,
        "editable": editable, "contributions": [(label, weight) for label, weight in item.contributions],
        "prior": item.match_weight - sum(weight for _label, weight in item.contributions),
    })


@login_required
@require_POST
def pair_merge(request, pk):
    item = _get(selectors.pairs_visible_to(request.user), pk)
    choices = {f: request.POST.get(f"choice_{f}", "") for f in services.MERGE_FIELDS}
    versions = {side: request.POST.get(f"version_{side}") or None for side in ("a", "b")}
    try:
        survivor = services.children_merge(actor=request.user, pair=item, survivor=request.POST.get("survivor", ""),
                                           choices=choices, versions=versions, request=request)
    except (ValidationError, QualityProblem, VersionConflict) as exc:
        _problem(request, exc)
        return redirect("quality:pair", pk=item.pk)
    messages.success(request, _("The two records were merged into %(name)s. The history of both is kept below.")
                     % {"name": survivor.full_name})
    return redirect("quality:history", pk=survivor.pk)


@login_required
@require_POST
def pair_not_same(request, pk):
    item = _get(selectors.pairs_visible_to(request.user), pk)
    try:
        services.pair_not_same(actor=request.user, pair=item, note=request.POST.get("note", ""), request=request)
    except QualityProblem as exc:
        _problem(request, exc)
        return redirect("quality:pair", pk=item.pk)
    messages.success(request, _("Recorded: these are two different children. The pair will not be proposed again."))
    return redirect(reverse("quality:duplicates") + (f"?unit={item.commune.code}" if item.commune_id else ""))


@login_required
def history(request, pk):
    require(request.user, VIEW)
    try:
        child = registry_selectors.child_for(request.user, pk)
    except (Child.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    merged = selectors.merged_records(child)
    record_view(request.user, child, unit=child.commune, request=request, what="quality history")
    return render(request, "quality/history.html", {
        "child": child, "merged": merged, "events": selectors.merged_history(request.user, child)})


# ---------------------------------------------------------------- linkage with the population database

_CODE_IN_NAME = re.compile(r"(?<!\d)(\d{5})(?!\d)")


def available_extracts(user) -> list[dict]:
    """Extracts the province received (files in TREEM_POPULATION_DIR named with a commune code), for the communes the
    user edits."""
    folder = population_dir()
    if not folder.is_dir():
        return []
    communes = {c.code: c for c in selectors.communes_for(user, EDIT)}
    out = []
    for path in sorted(folder.iterdir()):
        match = _CODE_IN_NAME.search(path.name)
        if path.suffix.lower() in (".csv", ".xlsx") and match and match.group(1) in communes:
            out.append({"name": path.name, "commune": communes[match.group(1)], "size": path.stat().st_size})
    return out


@login_required
def linkage(request):
    require(request.user, VIEW)
    extracts = available_extracts(request.user) if scope_for(request.user).has(EDIT) else []
    communes = list(selectors.communes_for(request.user, EDIT).order_by(*unit_order())[:500])
    if request.method == "POST":
        require(request.user, EDIT)
        upload = request.FILES.get("file")
        chosen = request.POST.get("extract", "")
        try:
            if upload is not None and _too_big(request, upload):
                raise ValidationError([])
            if upload is not None:
                commune = _commune(request.user, request.POST.get("commune", ""), EDIT)
                run = services.linkage_start(actor=request.user, commune=commune, filename=upload.name,
                                             content=_gate(upload), request=request)
            else:
                extract = next((e for e in extracts if e["name"] == chosen), None)
                if extract is None:
                    raise ValidationError(_("Choose an extract or upload a file."))
                run = services.linkage_start(actor=request.user, commune=extract["commune"], filename=extract["name"],
                                             content=(population_dir() / extract["name"]).read_bytes(),
                                             request=request)
        except ValidationError as exc:
            _problem(request, exc)
        else:
            return redirect("quality:linkage_run", pk=run.pk)
    runs = selectors.runs_visible_to(request.user).select_related("commune", "created_by")[:20]
    return render(request, "quality/linkage.html", {"extracts": extracts, "communes": communes, "runs": runs,
                                                    "can_edit": bool(communes)})


def _correction_rows(corrections):
    for c in corrections:
        c.label = CORRECTION_LABELS.get(c.field, c.field)
        c.old_display, c.new_display = display_value(c.field, c.current_value), display_value(c.field,
                                                                                             c.proposed_value)
    return corrections


@login_required
def linkage_run(request, pk):
    require(request.user, VIEW)
    run = fetch(LinkageRun.objects.defer("content").select_related("commune", "job"), request.user, VIEW, pk=pk)
    status = request.GET.get("status", CorrectionStatus.PROPOSED)
    corrections = selectors.run_corrections(request.user, run, status)
    page, querystring_base = paginate(request, corrections, per_page=100)
    record_list(request.user, "quality.correction.list", shown=len(page), page=page.number, unit=run.commune,
                request=request, filters={"run": str(run.pk), "status": status})
    _correction_rows(page.object_list)
    job_running = job_to_show(run.job)
    return render(request, "quality/linkage_run.html", {
        "run": run, "page": page, "querystring_base": querystring_base, "status": status,
        "statuses": CorrectionStatus.choices, "job": job_running,
        "can_edit": scope_for(request.user).may(EDIT, run.commune),
        "done_url": reverse("quality:linkage_run", kwargs={"pk": run.pk}),
    })


@login_required
@require_POST
def correction_decide(request, pk, decision):
    correction = _get(selectors.corrections_visible_to(request.user).select_related("run"), pk)
    action = {"accept": services.correction_accept, "reject": services.correction_reject}.get(decision)
    if action is None:
        raise Http404
    error = ""
    try:
        correction = action(actor=request.user, correction=correction, request=request)
    except (ValidationError, QualityProblem) as exc:
        error = " ".join(getattr(exc, "messages", None) or [str(exc)])
        correction.refresh_from_db()
    if request.htmx:
        _correction_rows([correction])
        return render(request, "quality/_correction.html", {"c": correction, "can_edit": True, "error": error})
    if error:
        messages.error(request, error)
    return redirect("quality:linkage_run", pk=correction.run_id)


# ---------------------------------------------------------------- the cleaning round


@login_required
def cleaning_start(request):
    require(request.user, VIEW)
    communes = list(selectors.communes_for(request.user, EDIT).order_by(*unit_order())[:500])
    if request.method == "POST":
        require(request.user, EDIT)
        commune = _commune(request.user, request.POST.get("commune", ""), EDIT)
        cleaning_round = services.cleaning_round_create(actor=request.user, commune=commune, request=request)
        return redirect("quality:cleaning_round", pk=cleaning_round.pk)
    rounds = selectors.rounds_visible_to(request.user).select_related("commune", "created_by")[:30]
    return render(request, "quality/cleaning_start.html", {"communes": communes, "rounds": rounds})


def _round(request, pk):
    require(request.user, VIEW)
    return fetch(CleaningRound.objects.select_related("commune", "created_by", "applied_by"), request.user, VIEW, pk=pk)


def _item_rows(items):
    return [{**item, "shown": {f: cleaning.display_fact(f, item["facts"][f]) for f in cleaning.FACTS}}
            for item in items]


@login_required
def cleaning_round(request, pk):
    item = _round(request, pk)
    record_view(request.user, item, unit=item.commune, request=request, what="cleaning list")
    return render(request, "quality/cleaning_round.html", {
        "round": item, "items": _item_rows(item.items), "facts": [cleaning.FACT_LABELS[f] for f in cleaning.FACTS],
        "can_edit": scope_for(request.user).may(EDIT, item.commune), "today": timezone.localdate(),
        "counts": services.review_counts(item.review) if item.review else None,
    })


@login_required
def cleaning_sheet(request, pk):
    item = _round(request, pk)
    out = io.BytesIO()
    cleaning.write_sheet(item.items, out, commune_name=item.commune.name, code=item.short_code,
                         day=timezone.localdate(item.created_at))
    services.record_export(request.user, item, what="cleaning sheet", count=len(item.items), unit=item.commune,
                           request=request)
    return _xlsx(out.getvalue(), f"xac-minh-{item.commune.code}-{item.short_code}.xlsx")


@login_required
@require_POST
def cleaning_upload(request, pk):
    item = _round(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the verified file to upload."))
        return redirect("quality:cleaning_round", pk=item.pk)
    if _too_big(request, upload):
        return redirect("quality:cleaning_round", pk=item.pk)
    try:
        content = _gate(upload, {".xlsx", ".xls", ".ods"})
        services.cleaning_upload(actor=request.user, cleaning_round=item, filename=upload.name, content=content,
                                 request=request)
    except (QualityProblem, ValidationError) as exc:
        _problem(request, exc)
        return redirect("quality:cleaning_round", pk=item.pk)
    return redirect("quality:cleaning_review", pk=item.pk)


@login_required
def cleaning_review(request, pk):
    item = _round(request, pk)
    if item.status == RoundStatus.LISTED:
        return redirect("quality:cleaning_round", pk=item.pk)
    record_view(request.user, item, unit=item.commune, request=request, what="cleaning review")
    return render(request, "quality/cleaning_review.html", {
        "round": item, "review": item.review, "counts": services.review_counts(item.review),
        "can_apply": item.status == RoundStatus.REVIEWING and scope_for(request.user).may(EDIT, item.commune),
    })


@login_required
@require_POST
def cleaning_apply(request, pk):
    item = _round(request, pk)
    try:
        summary = services.cleaning_apply(actor=request.user, cleaning_round=item,
                                          accepted=set(request.POST.getlist("accept")), request=request)
    except (ValidationError, QualityProblem) as exc:
        _problem(request, exc)
        return redirect("quality:cleaning_review", pk=item.pk)
    messages.success(request, _("Applied to the register: %(changes)s changes for %(updated)s children, "
                                "%(created)s children added.") % {"changes": summary["changes_applied"],
                                                                   "updated": summary["updated_children"],
                                                                   "created": summary["created_children"]})
    if summary["skipped"]:
        messages.warning(request, _("%(n)s changes or new children were not applied: see why below.")
                         % {"n": len(summary["skipped"])})
    return redirect("quality:cleaning_review", pk=item.pk)


# ---------------------------------------------------------------- the re-check (phúc tra)


def _recheck_communes(user):
    """Communes whose records the user may re-check, those with the most children on the register first."""
    scope = scope_for(user)
    qs = selectors.communes_for(user, EDIT).select_related("province")
    if not scope.is_national(EDIT):
        qs = qs.filter(province_id__in=scope.province_ids(EDIT))
    on_register = Count("children_registered", filter=Q(children_registered__status=ChildStatus.ACTIVE))
    return qs.annotate(on_register=on_register).order_by("-on_register", "name_folded")


@login_required
def rechecks(request):
    require(request.user, VIEW)
    items = selectors.rechecks_visible_to(request.user).select_related("commune", "created_by")[:50]
    return render(request, "quality/rechecks.html", {
        "rechecks": items, "rates": selectors.error_rates(request.user),
        "can_draw": _recheck_communes(request.user).exists(),
    })


def _number(text: str) -> Decimal | None:
    try:
        return parse_decimal_vi(text) if text and text.strip() else None
    except ValueError:
        raise ValidationError(_("Enter a number.")) from None


@login_required
def recheck_new(request):
    require(request.user, EDIT)
    communes = list(_recheck_communes(request.user)[:2000])
    if not communes:
        forbid_unless(scope_for(request.user), False)
    values = {"commune": request.POST.get("commune", request.GET.get("commune", "")),
              "size": request.POST.get("size", ""), "percent": request.POST.get("percent", "10"),
              "seed": request.POST.get("seed", "")}
    if request.method == "POST":
        commune = _commune(request.user, values["commune"], EDIT)
        try:
            size = int(values["size"]) if values["size"].strip() else None
            percent = None if size else _number(values["percent"])
            seed = int(values["seed"]) if values["seed"].strip() else None
            recheck = services.recheck_draw(actor=request.user, commune=commune, size=size, percent=percent,
                                            seed=seed, request=request)
        except (ValueError, ValidationError, QualityProblem) as exc:
            _problem(request, exc if not isinstance(exc, ValueError) else ValidationError(_("Enter whole numbers.")))
        else:
            return redirect("quality:recheck", pk=recheck.pk)
    return render(request, "quality/recheck_new.html", {"communes": communes, "values": values})


def _recheck(request, pk):
    require(request.user, VIEW)
    return fetch(Recheck.objects.select_related("commune", "created_by"), request.user, VIEW, pk=pk)


def _recheck_facts() -> list[tuple[str, str]]:
    return [(f, cleaning.FACT_LABELS.get(f, cleaning.VILLAGE_HEADER)) for f in cleaning.RECHECK_FACTS]


@login_required
def recheck(request, pk):
    item = _recheck(request, pk)
    items = list(selectors.recheck_items(item))
    redrawn = cleaning.draw_sample(item.population, len(items), item.seed)
    reproducible = redrawn == [str(i.child_id) for i in items] and \
        cleaning.population_hash(item.population) == item.population_sha256
    carers = {c.pk: services.primary_carer_name(c) for c in
              Child.objects.filter(pk__in=[i.child_id for i in items]).prefetch_related("carer_links__carer")}
    labels = dict(_recheck_facts())
    for i in items:
        i.carer = carers.get(i.child_id, "")
        i.wrong_labels = [labels.get(f, f) for f in i.wrong_fields]
    record_view(request.user, item, unit=item.commune, request=request, what="re-check sample")
    return render(request, "quality/recheck.html", {
        "recheck": item, "items": items, "counts": selectors.recheck_counts(item), "reproducible": reproducible,
        "can_record": scope_for(request.user).may(EDIT, item.commune.province), "outcomes": Outcome.choices,
        "facts": _recheck_facts(),
    })


@login_required
@require_POST
def recheck_item(request, pk, position):
    item = _recheck(request, pk)
    entry = _get(item.items.all(), item.items.filter(position=position).values_list("pk", flat=True).first())
    try:
        services.recheck_record(actor=request.user, item=entry, outcome=request.POST.get("outcome", ""),
                                wrong_fields=request.POST.getlist("wrong"), note=request.POST.get("note", ""),
                                request=request)
    except ValidationError as exc:
        _problem(request, exc)
    return redirect(reverse("quality:recheck", kwargs={"pk": item.pk}) + f"#r{position}")


@login_required
def recheck_sheet(request, pk):
    item = _recheck(request, pk)
    rows = []
    items = list(selectors.recheck_items(item))
    carers = {c.pk: services.primary_carer_name(c) for c in
              Child.objects.filter(pk__in=[i.child_id for i in items]).prefetch_related("carer_links__carer")}
    for i in items:
        facts = {
            "full_name": i.child.full_name, "birth_date": i.child.birth_date.isoformat(), "sex": i.child.sex,
            "ethnicity": i.child.ethnicity, "personal_id": i.child.personal_id}
        rows.append({**facts, "carer_name": carers.get(i.child_id, ""), "village": i.child.village,
                     "child": str(i.child_id)})
    out = io.BytesIO()
    cleaning.write_recheck_sheet(rows, out, commune_name=item.commune.name, seed=item.seed, day=item.drawn_on)
    services.record_export(request.user, item, what="re-check sheet", count=len(rows), unit=item.commune,
                           request=request)
    return _xlsx(out.getvalue(), f"phuc-tra-{item.commune.code}-{item.drawn_on:%Y%m%d}.xlsx")
