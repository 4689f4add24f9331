"""The cascade of documents, a document, its targets, its files."""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from treem.access import require_area, scope_for
from treem.accounts.models import Agency
from treem.geo.models import Unit, UnitSystem

from .. import selectors
from ..forms import (
    DocumentForm,
    TargetForm,
    agency_choices,
)
from ..models import (
    Document,
)
from ..services import document_update, target_update
from .common import C, _errors, _file_response

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


@login_required
def document_file(request, pk):
    document = selectors.document_for(request.user, pk)
    return _file_response(document.file, document.file_name or "van-ban")


@login_required
def document_source(request, pk):
    document = selectors.document_for(request.user, pk)
    lines = document.source_text.split("\n") if document.source_text else []
    return render(request, "plans/source.html", {"document": document, "lines": list(enumerate(lines, start=1))})
