"""Reads of agencies, users and units, filtered by the reader's scope."""

from django.db.models import Q
from django.utils import timezone

from treem.core.exceptions import NotAllowed
from treem.core.text import fold
from treem.geo.models import Unit

from .models import Agency, Assignment, User
from .scope import Capability, scope_for, visible_units_q


def units_visible_to(user):
    scope = scope_for(user)
    if not scope.has(Capability.VIEW_UNITS):
        return Unit.objects.none()
    return Unit.objects.filter(visible_units_q(scope)).distinct()


def unit_for(user, *, system: str, level: str, code: str) -> Unit:
    """One unit, or Unit.DoesNotExist when it does not exist or lies outside the user's scope (a 404, not a 403)."""
    return units_visible_to(user).select_related("parent", "province").get(system=system, level=level, code=code)


def search_units(qs, text: str):
    return qs.filter(name_folded__contains=fold(text)) if text else qs


def agencies_visible_to(user, *, on=None):
    """A user sees the agencies of the provinces she works in (she may refer to them) and her own agency."""
    scope = scope_for(user)
    cap = Capability.VIEW_UNITS
    if not scope.has(cap):
        return Agency.objects.none()
    qs = Agency.objects.select_related("province", "unit", "parent")
    if on is not None:
        qs = qs.valid_on(on)
    if scope.is_national(cap):
        return qs
    communes = scope.commune_ids(cap)
    provinces = set(scope.province_ids(cap)) | set(
        Unit.objects.filter(pk__in=communes).values_list("province_id", flat=True)
    )
    own = scope.agency_ids(cap)
    provinces |= set(Agency.objects.filter(pk__in=own).values_list("province_id", flat=True))
    return qs.filter(Q(province__in=provinces) | Q(pk__in=own) | Q(province__isnull=True))


def staff_of_unit(user, unit: Unit):
    """Who works on a unit: only for those who manage users or supervise the unit."""
    scope = scope_for(user)
    allowed = scope.has(Capability.MANAGE_USERS) and scope.covers_unit(Capability.MANAGE_USERS, unit)
    allowed = allowed or (scope.has(Capability.EDIT_PLANS) and scope.covers_unit(Capability.EDIT_PLANS, unit))
    if not allowed:
        raise NotAllowed
    return (
        Assignment.objects.valid_on(timezone.localdate())
        .filter(Q(unit=unit) | Q(agency__unit=unit))
        .select_related("user", "agency", "unit")
        .order_by("role", "user__username")
    )


def users_visible_to(user):
    scope = scope_for(user)
    cap = Capability.MANAGE_USERS
    if not scope.has(cap):
        raise NotAllowed
    if scope.is_national(cap):
        return User.objects.all()
    provinces = scope.province_ids(cap)
    return User.objects.filter(
        Q(assignments__unit__in=provinces) | Q(assignments__unit__province__in=provinces)
        | Q(assignments__agency__province__in=provinces)
    ).distinct()
