"""The commune worker's register: list, child page, forms, moves, printing, export and import.

Views only call selectors (reads, scoped) and services (writes). A child outside the reader's scope is a 404;
an action the role may not do is a 403 (NotAllowed raised by the service or by treem.access.require).
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treem.access import Capability, fetch, forbid_unless, require, scope_for
from treem.audit.services import record, record_view
from treem.core import uploads
from treem.core.collation import unit_order
from treem.core.exceptions import NotAllowed
from treem.core.jobs import job_to_show
from treem.core.paging import paginate
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.extensions import cases_of_child

from . import access, importing, selectors, services
from .forms import (
    FIELD_CHOICES,
    CarerForm,
    ChildCreateForm,
    ChildEditForm,
    CircumstanceForm,
    EndForm,
    HouseholdEditForm,
    HouseholdForm,
    ImportUploadForm,
    MeasurementForm,
    MoveForm,
    RiskForm,
    StatusForm,
)
from .models import (
    Carer,
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildRisk,
    ChildSource,
    ChildStatus,
    Household,
    ImportBatch,
    ImportStatus,
    PovertyStatus,
    Sex,
)
from .quality import columns as cols
from .quality.dates import age_on, parse_date
from .quality.export import write_import_template
from .selectors import AGE_BANDS, ChildFilters

EDIT = Capability.EDIT_CHILDREN
VIEW = Capability.VIEW_CHILDREN



def _child(user, pk, capability: str = VIEW) -> Child:
    try:
        return selectors.child_for(user, pk, capability)
    except (Child.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _parse_day(value: str) -> date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------- list, export


def _list_context(request):
    filters = ChildFilters.from_params(request.GET)
    scope = scope_for(request.user)
    communes = list(selectors.communes_for(request.user).order_by(*unit_order())[:500]) \
        if not scope.is_national(VIEW) else []
    one_commune = [c.pk for c in communes] if len(communes) == 1 else None
    if filters.commune:
        one_commune = [c.pk for c in communes if c.code == filters.commune] or one_commune
    return filters, {
        "filters": filters, "communes": communes if len(communes) > 1 else [],
        "villages": selectors.villages_of(request.user, one_commune) if one_commune else [],
        "groups": selectors.groups_in_force(), "age_bands": AGE_BANDS, "sexes": Sex.choices,
        "statuses": [("active", _("On the register")), ("moved", _("Moved away (waiting)")),
                     ("over_16", _("Turned 16")), ("deceased", _("Deceased")), ("in_error", _("Recorded in error")),
                     ("all", _("All"))],
        "qualities": [("issues", _("Needs checking")), ("no_id", _("No personal ID")), ("ok", _("No problem found"))],
        "can_edit": scope.has(EDIT), "show_commune": len(communes) != 1,
    }


@login_required
def child_list(request):
    require(request.user, VIEW)
    filters, context = _list_context(request)
    children = selectors.child_list(request.user, filters)
    page, querystring_base = paginate(request, children, per_page=50)
    access.record_list_read(request.user, what="child", filters=filters.as_dict(), shown=len(page),
                            page=page.number, request=request)
    context.update(page=page, querystring_base=querystring_base, search_limit=selectors.SEARCH_LIMIT,
                   truncated=getattr(children, "truncated", False),
                   incoming=selectors.incoming_children(request.user).count() if context["can_edit"] else 0,
                   export_query=querystring_base.rstrip("&"))
    if request.htmx and request.htmx.target == "results":
        return render(request, "registry/_results.html", context)
    return render(request, "registry/child_list.html", context)


# ---------------------------------------------------------------- create, edit, live checks


def _editable_communes(user):
    return list(selectors.communes_for(user, EDIT).select_related("province").order_by(*unit_order())[:2000])


def _commune_by_code(user, code: str, capability: str = EDIT) -> Unit | None:
    return selectors.communes_for(user, capability).filter(code=code).first() if code else None


def _duplicates(request, commune, data: dict, exclude_pk=None):
    born = services.check_birth_date(data.get("birth_date"))[0]
    pid = services.normalise_child({"personal_id": data.get("personal_id")}, partial=True).data.get("personal_id")
    if not commune or not (data.get("full_name") or pid):
        return []
    found = selectors.likely_duplicates(request.user, commune=commune, full_name=data.get("full_name", ""),
                                        birth_date=born, personal_id=pid or "", exclude_pk=exclude_pk)
    if found:  # the warning shows these children's names: a search of the register, logged like one
        access.record_list_read(request.user, what="child", shown=len(found), request=request, filters={
            "duplicates_of": str(data.get("full_name") or "")[:120], "commune": commune.code})
    return found


def _household_offer(request, commune, data: dict):
    """The household of a carer already on the register with the same name and phone (logged: it names a carer)."""
    if commune is None:
        return None
    offer = selectors.household_offer(request.user, commune=commune, carer_name=data.get("carer_name", ""),
                                      carer_phone=data.get("carer_phone", ""))
    if offer is not None:
        access.record_list_read(request.user, what="household", shown=1, request=request, filters={
            "carer_of": str(data.get("carer_name") or "")[:120], "commune": commune.code})
        offer.chosen = data.get("join_household") == str(offer.carer.pk)
    return offer


@login_required
def child_create(request):
    require(request.user, EDIT)
    communes = _editable_communes(request.user)
    if not communes:
        raise NotAllowed
    form = ChildCreateForm(request.POST or None, communes=communes)
    duplicates, offer = [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        commune = _commune_by_code(request.user, data["commune"])
        duplicates = _duplicates(request, commune, data)
        offer = _household_offer(request, commune, {**data, "join_household": request.POST.get("join_household")})
        if duplicates and not request.POST.get("confirm_not_duplicate"):
            form.add_error(None, _("This child may already be on the register (see below). Check, then tick "
                                   "'I checked: it is another child' to save anyway."))
        else:
            try:
                with transaction.atomic():
                    child = services.child_create(actor=request.user, commune=commune, data=data, request=request)
                    relation = data.get("carer_relation") or "unknown"
                    if offer is not None and offer.chosen:  # the same carer: her record, and her household
                        services.child_join_carer_household(actor=request.user, child=child, carer=offer.carer,
                                                            relation=relation, request=request)
                    elif data.get("carer_name"):
                        services.carer_link(actor=request.user, child=child, full_name=data["carer_name"],
                                            relation=relation, phone=data.get("carer_phone", ""), primary=True,
                                            request=request)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("%(name)s was added to the register.") % {"name": child.full_name})
                return redirect("registry:child", pk=child.pk)
    return render(request, "registry/child_form.html", {
        "form": form, "duplicates": duplicates, "offer": offer, "creating": True,
        "ethnic_groups": form.ethnic_group_names(),
        "villages": selectors.villages_of(request.user, [c.pk for c in communes][:1]) if len(communes) == 1 else [],
    })


@login_required
@require_POST
def child_check(request):
    """Live validation while typing (HTMX): errors, personal-ID warnings and likely duplicates, before saving."""
    data = request.POST
    child = _child(request.user, data["child"], EDIT) if data.get("child") else None
    commune = child.commune if child else _commune_by_code(request.user, data.get("commune", ""))
    if child is None and commune is None:
        raise Http404
    filled = {k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}
    typed = {k: v for k, v in filled.items() if v}
    clean = services.normalise_child(filled, partial=True)
    errors = {k: v for k, v in clean.errors.items() if k in typed or (k == "birth_date" and "birth_date" in typed)}
    warnings = list(clean.warnings) if typed.get("personal_id") else [
        w for w in clean.warnings if "định danh" not in w and "identification" not in w]
    pid = clean.data.get("personal_id")
    if pid and services.personal_id_in_use(pid, exclude_pk=child.pk if child else None):
        warnings.append(_("Another record already carries this personal identification number."))
    duplicates = _duplicates(request, commune, dict(filled), exclude_pk=child.pk if child else None)
    offer = None if child else _household_offer(request, commune, data)
    labels = {name: ChildCreateForm.base_fields[name].label for name in errors if name in ChildCreateForm.base_fields}
    return render(request, "registry/_checks.html", {
        "errors": [(labels.get(k, k), v) for k, v in errors.items()], "warnings": warnings,
        "duplicates": duplicates, "offer": offer, "normalised_name": clean.data.get("full_name", ""),
        "typed_name": filled.get("full_name", ""),
    })


@login_required
def child_edit(request, pk):
    child = _child(request.user, pk)
    require(request.user, EDIT, child.commune)
    initial = {name: getattr(child, name) for name in services.EDITABLE_FIELDS}
    initial["birth_date"] = child.birth_date.strftime("%d/%m/%Y")
    initial["version"] = child.version
    form = ChildEditForm(request.POST or None, initial=initial)
    if request.method == "GET":
        record_view(request.user, child, unit=child.commune, request=request, what="edit")
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.child_update(actor=request.user, child=child, data=data, version=version, request=request)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
            conflict = True
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:child", pk=child.pk)
    return render(request, "registry/child_form.html", {
        "form": form, "child": child, "creating": False, "conflict": conflict,
        "ethnic_groups": form.ethnic_group_names(), "villages": selectors.villages_of(request.user, [child.commune_id]),
    }, status=409 if conflict else 200)


# ---------------------------------------------------------------- the child page


@login_required
def child_detail(request, pk):
    try:
        child = selectors.child_detail(request.user, pk)
    except (Child.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    record_view(request.user, child, unit=child.commune, request=request)
    can_edit = scope_for(request.user).may(EDIT, child.commune)
    groups = list(selectors.groups_in_force())
    today = timezone.localdate()

    # Cases appear only to those who may open them and know the child by name there (cases.selectors decides).
    cases = list(cases_of_child(request.user, child))
    return render(request, "registry/child_detail.html", {
        "child": child, "can_edit": can_edit and child.status not in (ChildStatus.MERGED,),
        "source": ChildSource(selectors.source_shown(child, case_visible=bool(cases))).label,
        "can_accept": child.status == ChildStatus.MOVED and child.moved_to_id
        and scope_for(request.user).may(EDIT, child.moved_to),
        "age": age_on(child.birth_date, today),
        "history": selectors.child_history(request.user, child, case_visible=bool(cases)),
        "findings": services.normalise_child({"personal_id": child.personal_id, "sex_current": child.sex,
                                              "birth_date_current": child.birth_date}, partial=True).warnings,
        "id_shared": services.personal_id_in_use(child.personal_id, exclude_pk=child.pk),
        "circumstance_form": CircumstanceForm(groups=groups), "end_form": EndForm(), "risk_form": RiskForm(),
        "carer_form": CarerForm(), "measurement_form": MeasurementForm(), "status_form": StatusForm(),
        "groups": groups,
        "cases": cases,  # merged records link to their history
        "has_merged_records": child.merged_from.exists(),
        **_household_card(request.user, child),
    })


@login_required
def child_print(request, pk):
    try:
        child = selectors.child_detail(request.user, pk)
    except (Child.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    record_view(request.user, child, unit=child.commune, request=request, what="print")

    return render(request, "registry/child_print.html", {
        "child": child, "age": age_on(child.birth_date, timezone.localdate()), "printed_at": timezone.now(),
    })


def _post_action(request, pk, action):
    """Run a sub-form's service on a child the user may edit; errors come back as messages on the child page."""
    child = _child(request.user, pk)
    try:
        action(child)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("registry:child", kwargs={"pk": child.pk}) + request.POST.get("anchor", ""))


@login_required
@require_POST
def circumstance_add(request, pk):
    def act(child):
        form = CircumstanceForm(request.POST, groups=list(selectors.groups_in_force()))
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        d = form.cleaned_data
        services.circumstance_add(actor=request.user, child=child, group=d["group"], subgroup=d["subgroup"] or None,
                                  started_on=d["started_on"], source=d["source"], supported=d["supported"],
                                  request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def circumstance_end(request, pk, item):
    def act(child):
        circumstance = ChildCircumstance.objects.select_related("child__commune", "group").filter(
            child=child, pk=item).first()
        if circumstance is None:
            raise Http404
        services.circumstance_end(actor=request.user, circumstance=circumstance,
                                  ended_on=request.POST.get("ended_on"), reason=request.POST.get("reason", ""),
                                  request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def risk_add(request, pk):
    def act(child):
        form = RiskForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        d = form.cleaned_data
        services.risk_add(actor=request.user, child=child, flag=d["flag"], started_on=d["started_on"],
                          note=d["note"], request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def risk_end(request, pk, item):
    def act(child):
        risk = ChildRisk.objects.select_related("child__commune", "flag").filter(child=child, pk=item).first()
        if risk is None:
            raise Http404
        services.risk_end(actor=request.user, risk=risk, ended_on=request.POST.get("ended_on"), request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def carer_add(request, pk):
    def act(child):
        form = CarerForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        d = form.cleaned_data
        services.carer_link(actor=request.user, child=child, full_name=d["full_name"], relation=d["relation"],
                            phone=d["phone"], personal_id=d["personal_id"], primary=d["primary"], request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def carer_remove(request, pk, item):
    def act(child):
        link = ChildCarer.objects.select_related("child__commune", "carer").filter(child=child, pk=item).first()
        if link is None:
            raise Http404
        services.carer_unlink(actor=request.user, link=link, request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def measurement_add(request, pk):
    def act(child):
        services.measurement_add(actor=request.user, child=child, measured_on=request.POST.get("measured_on"),
                                 height_cm=request.POST.get("height_cm"), weight_kg=request.POST.get("weight_kg"),
                                 request=request)

    return _post_action(request, pk, act)


@login_required
@require_POST
def child_status(request, pk):
    def act(child):
        status = request.POST.get("status")
        if status == ChildStatus.DECEASED:
            services.child_mark_deceased(actor=request.user, child=child, died_on=_parse_day(request.POST.get("on")),
                                         note=request.POST.get("reason", ""), request=request)
        elif status == ChildStatus.IN_ERROR:
            services.child_mark_in_error(actor=request.user, child=child, reason=request.POST.get("reason", ""),
                                         request=request)
        else:
            raise ValidationError(_("Unknown status."))

    return _post_action(request, pk, act)


# ---------------------------------------------------------------- moves


@login_required
def child_move(request, pk):
    child = _child(request.user, pk)
    require(request.user, EDIT, child.commune)
    form = MoveForm(request.POST or None, initial={"version": child.version})
    if request.method == "GET":
        record_view(request.user, child, unit=child.commune, request=request, what="move")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        to = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=d["to_commune"]).first()
        if to is None:
            form.add_error("to_commune", _("Choose the commune from the list."))
        else:
            try:
                services.child_record_move(actor=request.user, child=child, to_commune=to,
                                           moved_on=_parse_day(d["moved_on"]), note=d["note"], version=d["version"],
                                           request=request)
            except services.VersionConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Recorded as moved to %(commune)s. That commune will see the child in "
                                            "its incoming list.") % {"commune": to.name})
                return redirect("registry:child", pk=child.pk)
    return render(request, "registry/child_move.html", {
        "child": child, "form": form,
        "suggestions": _commune_matches("", child.commune.province_id, exclude=child.commune_id),
    })


def _commune_matches(text: str, province_id=None, exclude=None, limit: int = 15):
    qs = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE).select_related("province")
    if exclude:
        qs = qs.exclude(pk=exclude)
    folded = fold(text)
    if folded:
        qs = qs.filter(name_folded__contains=folded) if not folded.isdigit() else qs.filter(code__startswith=folded)
    elif province_id:
        qs = qs.filter(province_id=province_id)
    return list(qs.order_by(*unit_order())[:limit])


@login_required
def commune_search(request):
    """Communes by name or code (public names), for choosing where a child moved to."""
    require(request.user, EDIT)
    return render(request, "registry/_commune_options.html", {
        "communes": _commune_matches(request.GET.get("q", ""), exclude=request.GET.get("exclude") or None)})


@login_required
def incoming(request):
    require(request.user, VIEW)
    rows = [(c, scope_for(request.user).may(EDIT, c.moved_to)) for c in selectors.incoming_children(request.user)[:500]]
    access.record_list_read(request.user, what="child", filters={"list": "incoming"}, shown=len(rows),
                            request=request)
    return render(request, "registry/incoming.html", {"rows": rows})


@login_required
@require_POST
def child_accept(request, pk):
    child = _child(request.user, pk)
    try:
        services.child_accept_move(actor=request.user, child=child, village=request.POST.get("village", ""),
                                   address=request.POST.get("address", ""), request=request)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("registry:incoming")
    messages.success(request, _("%(name)s is now on your register.") % {"name": child.full_name})
    return redirect("registry:child", pk=child.pk)


@login_required
@require_POST
def child_cancel_move(request, pk):
    return _post_action(request, pk, lambda child: services.child_cancel_move(actor=request.user, child=child,
                                                                               request=request))


# ---------------------------------------------------------------- import


@login_required
def import_start(request):
    require(request.user, EDIT)
    communes = _editable_communes(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        commune = _commune_by_code(request.user, form.cleaned_data["commune"])
        upload = form.cleaned_data["file"]
        if upload.size > importing.max_bytes():
            form.add_error("file", _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
                           % {"size": importing.size_mb(upload.size),
                              "limit": importing.size_mb(importing.max_bytes())})
        else:
            try:  # the upload gate: type by content, ZIP limits; the sheets are scanned when the file is read
                checked = uploads.receive_spreadsheet(upload, max_bytes=importing.max_bytes())
            except uploads.UploadRefused as exc:
                form.add_error("file", exc.messages[0])
            else:
                batch = importing.batch_create(actor=request.user, commune=commune, filename=upload.name,
                                               content=checked.content, sheet=form.cleaned_data["sheet"],
                                               request=request)
                importing.batch_preview_start(actor=request.user, batch=batch, request=request)
                return redirect("registry:import", pk=batch.pk)
    recent = selectors.import_batches_visible_to(request.user).select_related("commune").defer(
        "content", "report")[:10]
    return render(request, "registry/import_start.html", {"form": form, "recent": recent})


@login_required
def import_template(request):
    """The blank spreadsheet in the import format (quality.export.write_import_template)."""
    require(request.user, EDIT)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-tre-em.xlsx"'
    write_import_template(response)
    return response


def _batch(user, pk) -> ImportBatch:
    return fetch(ImportBatch.objects.select_related("commune", "job"), user, EDIT, pk=pk)


@login_required
def import_detail(request, pk):
    batch = _batch(request.user, pk)
    show = request.GET.get("show", "problems")
    rows = importing.report_rows(batch.report)
    if show == "problems":
        rows = [r for r in rows if r["action"] == importing.REJECT or r["warnings"]]
    elif show in importing.ACTIONS:
        rows = [r for r in rows if r["action"] == show]
    page, querystring_base = paginate(request, rows, per_page=100)
    mapping_rows = []
    if batch.status == ImportStatus.NEEDS_MAPPING or batch.unknown_headers:
        mapped = {int(k): v for k, v in batch.mapping.items()}
        for index, header in enumerate(batch.headers):
            if cols.is_ignored_header(header):
                continue
            mapping_rows.append({"index": index, "header": header, "field": mapped.get(index, ""),
                                 "unknown": header in batch.unknown_headers})
    job = job_to_show(batch.job)
    record_view(request.user, batch, unit=batch.commune, request=request, what="import report")  # rows name children
    return render(request, "registry/import_detail.html", {
        "batch": batch, "page": page, "querystring_base": querystring_base, "show": show, "job": job,
        "field_choices": FIELD_CHOICES, "mapping_rows": mapping_rows,
        "missing_labels": [cols.FIELD_LABELS[f] for f in batch.summary.get("missing", [])],
        "columns": [(batch.headers[int(i)], cols.FIELD_LABELS.get(f, f)) for i, f in sorted(
            batch.mapping.items(), key=lambda kv: int(kv[0])) if int(i) < len(batch.headers)],
        "done_url": reverse("registry:import", kwargs={"pk": batch.pk}),
    })


@login_required
@require_POST
def import_mapping(request, pk):
    batch = _batch(request.user, pk)
    if batch.status not in (ImportStatus.NEEDS_MAPPING, ImportStatus.PREVIEWED):
        raise Http404
    fields = dict(FIELD_CHOICES)
    overrides = {}
    for index, header in enumerate(batch.headers):
        key = f"col_{index}"
        if key in request.POST:
            value = request.POST[key]
            if value and value not in fields:
                continue
            overrides[header] = value or None
    importing.batch_columns_set(actor=request.user, batch=batch, overrides=overrides, sheet=request.POST.get("sheet"),
                                request=request)
    return redirect("registry:import", pk=batch.pk)


@login_required
@require_POST
def import_sheet(request, pk):
    batch = _batch(request.user, pk)
    sheet = request.POST.get("sheet", "")
    if batch.status == ImportStatus.COMMITTED or sheet not in (batch.sheet_names or []):
        raise Http404
    importing.batch_columns_set(actor=request.user, batch=batch, overrides={}, sheet=sheet, request=request)
    return redirect("registry:import", pk=batch.pk)


@login_required
@require_POST
def import_commit(request, pk):
    batch = _batch(request.user, pk)
    if batch.status != ImportStatus.PREVIEWED:
        messages.error(request, _("This file has not been checked yet, or was already saved."))
        return redirect("registry:import", pk=batch.pk)
    try:
        importing.batch_commit_start(actor=request.user, batch=batch, request=request)
    except importing.ImportProblem as exc:
        messages.error(request, str(exc))
    else:
        if batch.status == ImportStatus.COMMITTING:  # a large file: saved by a background job
            return redirect("registry:import", pk=batch.pk)
        s = batch.summary
        messages.success(request, _("Saved: %(create)s added, %(update)s updated, %(unchanged)s unchanged, "
                                    "%(reject)s rejected.") % s)
    return redirect("registry:import", pk=batch.pk)


@login_required
def import_rejected(request, pk):
    batch = _batch(request.user, pk)
    if not any(r[1] == importing.REJECT for r in batch.report):
        raise Http404
    content = importing.rejected_rows_xlsx(batch)
    record(request.user, "registry.import.rejected_download", batch, unit=batch.commune, request=request,
           summary={"rows": sum(1 for r in batch.report if r[1] == importing.REJECT)})
    stem = batch.filename.rsplit(".", 1)[0]
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-dong-bi-tu-choi.xlsx"'
    return response


def _ascii(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in fold(text))[:60] or "tep"


# ---------------------------------------------------------------- households


def _household_card(user, child: Child) -> dict:
    """What the child page's household card needs: the household with the other children and the carers, or the
    form to start one (prefilled from the child and her primary carer)."""
    household = selectors.household_of_child(user, child)
    form = None
    if household is None:
        links = list(child.carer_links.all())  # prefetched, primary carer first
        form = HouseholdForm(auto_id="hh_%s", initial={
            "head_name": links[0].carer.full_name if links else "", "village": child.village,
            "address": child.address})
    # Group n (Law on Children art. 10.1): seriously ill children of poor or near-poor households.
    in_group_n = any(ci.group.code == "n" and not ci.ended_on for ci in child.circumstances.all())
    poor = household is not None and household.poverty_status in (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)
    return {"household": household, "household_form": form, "group_n_unsupported": in_group_n and not poor}


def _household(user, pk, capability: str = VIEW) -> Household:
    try:
        return selectors.household_detail(user, pk, capability)
    except (Household.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _back_to_child(child: Child):
    return redirect(reverse("registry:child", kwargs={"pk": child.pk}) + "#household")


@login_required
def child_household(request, pk):
    """Choose an existing household of the child's commune for her: search by the head's name or the village."""
    child = _child(request.user, pk)
    require(request.user, EDIT, child.commune)
    query = request.GET.get("q", "").strip()[:100]
    record_view(request.user, child, unit=child.commune, request=request, what="household choice")
    return render(request, "registry/child_household.html", {
        "child": child, "q": query, "choices": selectors.household_choices_for(request.user, child, query),
        "current": child.household if child.household_id else None,
    })


@login_required
@require_POST
def household_new(request, pk):
    child = _child(request.user, pk)
    require(request.user, EDIT, child.commune)
    form = HouseholdForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, ValidationError([e for errors in form.errors.values() for e in errors]))
        return _back_to_child(child)
    try:
        household = services.household_create(actor=request.user, child=child, data=form.cleaned_data,
                                              request=request)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return _back_to_child(child)
    messages.success(request, _("Household created: %(name)s is in it.") % {"name": child.full_name})
    return redirect("registry:household", pk=household.pk)


@login_required
@require_POST
def household_join(request, pk):
    child = _child(request.user, pk)
    require(request.user, EDIT, child.commune)
    household = _household(request.user, request.POST.get("household", ""), EDIT)
    try:
        services.child_set_household(actor=request.user, child=child, household=household, request=request)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("%(name)s is now in the household of %(head)s.") % {
            "name": child.full_name, "head": household.head_name or "—"})
    return _back_to_child(child)


@login_required
@require_POST
def household_leave(request, pk):
    child = _child(request.user, pk)
    require(request.user, EDIT, child.commune)
    try:
        services.child_leave_household(actor=request.user, child=child, request=request)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("%(name)s no longer belongs to the household.") % {"name": child.full_name})
    return _back_to_child(child)


@login_required
def household_list(request):
    """The households of the reader's communes: found by the head's name or village, filtered by village and poverty
    status. A reader of several communes chooses one, or searches, before anything is listed."""
    require(request.user, VIEW)
    scope = scope_for(request.user)
    communes = [] if scope.is_national(VIEW) else list(
        selectors.communes_for(request.user).order_by(*unit_order())[:500])
    get = request.GET
    q, village = get.get("q", "").strip()[:100], get.get("village", "").strip()[:120]
    poverty = get.get("poverty_status", "") if get.get("poverty_status", "") in PovertyStatus.values else ""
    commune = next((c for c in communes if c.code == get.get("commune", "")), None)
    if commune is None and len(communes) == 1:
        commune = communes[0]
    narrowed = commune is not None or bool(fold(q))
    households = Household.objects.none()
    if narrowed:
        households = selectors.household_list(request.user, commune=commune.code if commune else "", q=q,
                                              village=village, poverty_status=poverty)
    page, querystring_base = paginate(request, households, per_page=50)
    if narrowed:
        access.record_list_read(request.user, what="household", shown=len(page), page=page.number, request=request,
                                filters={k: v for k, v in {"q": q, "commune": commune.code if commune else "",
                                                           "village": village, "poverty_status": poverty}.items() if v})
    counts = selectors.children_per_household(request.user, [h.pk for h in page])
    for household in page:
        household.n_children = counts.get(household.pk, 0)
    return render(request, "registry/household_list.html", {
        "page": page, "querystring_base": querystring_base, "narrowed": narrowed, "q": q, "village": village,
        "poverty": poverty, "poverty_choices": PovertyStatus.choices, "commune": commune,
        "communes": communes if len(communes) > 1 else [], "show_commune": commune is None,
        "villages": selectors.household_villages(request.user, commune.pk) if commune else []})


@login_required
def household_detail(request, pk):
    """The household page: its children (those the reader may see) and carers; editors change it here."""
    household = _household(request.user, pk)
    can_edit = scope_for(request.user).may(EDIT, household.commune)
    if request.method == "POST":
        forbid_unless(scope_for(request.user), can_edit)
    initial = {name: getattr(household, name) for name in services.HOUSEHOLD_FIELDS}
    form = HouseholdEditForm(request.POST or None, initial={**initial, "version": household.version},
                             auto_id="hh_%s")
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.household_update(actor=request.user, household=household, data=data, version=version,
                                      request=request)
        except services.VersionConflict as exc:
            form.add_error(None, str(exc))
            conflict = True
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:household", pk=household.pk)
    if request.method != "POST":
        record_view(request.user, household, unit=household.commune, request=request)

    today = timezone.localdate()
    return render(request, "registry/household_detail.html", {
        "household": household, "can_edit": can_edit, "form": form, "conflict": conflict,
        "members": [(c, age_on(c.birth_date, today)) for c in household.members],
        "carers_to_add": selectors.carers_to_add(household) if can_edit else [],
        "villages": selectors.villages_of(request.user, [household.commune_id]) if can_edit else [],
        "open_form": request.method == "POST",
    }, status=409 if conflict else 200)


def _household_carer(request, pk, add: bool):
    household = _household(request.user, pk)
    require(request.user, EDIT, household.commune)
    carer_id = request.POST.get("carer", "")
    carer = Carer.objects.filter(pk=carer_id).first() if _uuid(carer_id) else None
    try:
        if carer is None:
            raise ValidationError(_("Choose a carer from the list."))
        if add:
            child = next((c for c in household.members if str(c.pk) == request.POST.get("child")), None)
            if child is None:
                raise ValidationError(_("Choose a carer from the list."))
            services.carer_set_household(actor=request.user, child=child, carer=carer, request=request)
        else:
            services.carer_leave_household(actor=request.user, household=household, carer=carer, request=request)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("registry:household", kwargs={"pk": household.pk}) + "#carers")


def _uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@require_POST
def household_carer_add(request, pk):
    return _household_carer(request, pk, add=True)


@login_required
@require_POST
def household_carer_remove(request, pk):
    return _household_carer(request, pk, add=False)
