import contextlib

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from treem.access import READ_ONLY, Capability, scope_for
from treem.accounts.models import AgencyKind, Role
from treem.accounts.selectors import (
    agencies_visible_to,
    place_of,
    search_units,
    staff_of_unit,
    unit_for,
    units_visible_to,
)
from treem.core.collation import ViOrder, unit_order
from treem.core.exceptions import NotAllowed
from treem.core.formats import format_date
from treem.core.paging import paginate
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.geo.selectors import ancestors, communes_of, converted, legacy_sources

from .navigation import home_panels


def _grant_rows(user):
    assignments = user.assignments.valid_on(timezone.localdate()).select_related("unit__province", "agency__province")
    return [{"role": Role(a.role).label, "where": place_of(a), "until": format_date(a.valid_to)} for a in assignments]


@login_required
def home(request):
    scope = scope_for(request.user)
    read_only = bool(scope.grants) and scope.capabilities() <= (READ_ONLY | {Capability.VIEW_AUDIT})
    return render(request, "web/home.html", {"grants": _grant_rows(request.user), "read_only": read_only,
                                             "panels": home_panels(request.user)})


@login_required
def units(request):
    system = request.GET.get("system") or UnitSystem.CURRENT
    level = request.GET.get("level", "")
    q = request.GET.get("q", "").strip()
    qs = units_visible_to(request.user).filter(system=system).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    qs = search_units(qs, q).order_by("level", *unit_order())
    page, querystring_base = paginate(request, qs)
    return render(request, "web/units.html", {
        "page": page, "querystring_base": querystring_base, "q": q, "system": system, "level": level,
        "levels": UnitLevel.choices,
    })


@login_required
def unit_detail(request, system, level, code):
    try:
        unit = unit_for(request.user, system=system, level=level, code=code)
    except Unit.DoesNotExist:
        raise Http404 from None
    context = {"unit": unit, "ancestors": ancestors(unit), "communes": None, "staff": None, "agencies": None}
    if unit.system == UnitSystem.LEGACY:
        context["conversion"] = converted(unit)
    else:
        context["sources"] = legacy_sources(unit)
    if unit.level == UnitLevel.PROVINCE:
        visible = units_visible_to(request.user)
        context["communes"] = list(communes_of(unit).filter(pk__in=visible.values("pk")))
        if unit.is_current:
            context["agencies"] = agencies_visible_to(request.user, on=timezone.localdate()).filter(
                province=unit).exclude(kind=AgencyKind.COMMUNE_COMMITTEE)
    elif unit.level == UnitLevel.DISTRICT:
        context["communes"] = list(unit.children.all())
    with contextlib.suppress(NotAllowed):
        context["staff"] = list(staff_of_unit(request.user, unit))
    return render(request, "web/unit.html", context)


@login_required
def agencies(request):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    show_all = request.GET.get("all") == "1"
    qs = agencies_visible_to(request.user, on=None if show_all else timezone.localdate())
    if q:
        qs = qs.filter(name_folded__contains=fold(q))
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.prefetch_related("succeeded_by__successor").order_by(*unit_order("province__"), "kind", ViOrder("name"))
    page, querystring_base = paginate(request, qs)
    return render(request, "web/agencies.html", {
        "page": page, "querystring_base": querystring_base, "q": q, "kind": kind, "kinds": AgencyKind.choices,
        "show_all": show_all,
    })
