"""Reads of agencies, users and units, filtered by the reader's scope."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, scope_for, visible_units_q
from treem.core.exceptions import NotAllowed
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel

from .models import Agency, Assignment, User


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
    allowed = scope.may(Capability.MANAGE_USERS, unit) or scope.may(Capability.EDIT_PLANS, unit)
    if not allowed:
        raise NotAllowed
    return (
        Assignment.objects.valid_on(timezone.localdate())
        .filter(Q(unit=unit) | Q(agency__unit=unit))
        .select_related("user", "agency", "unit")
        .order_by("role", "user__username")
    )


def users_visible_to(user):
    """The accounts an administrator sees: every one nationally; in a province, those with an assignment (in force or
    ended) in the province, its communes or its agencies."""
    scope = scope_for(user)
    cap = Capability.MANAGE_USERS
    if not scope.has(cap):
        raise NotAllowed(needs=cap)
    if scope.is_national(cap):
        return User.objects.all()
    provinces = scope.province_ids(cap)
    communes = scope.commune_ids(cap)
    return User.objects.filter(
        Q(assignments__unit__in=provinces | communes) | Q(assignments__unit__province__in=provinces)
        | Q(assignments__agency__province__in=provinces) | Q(assignments__agency__unit__in=communes)
    ).distinct()


def search_users(actor, *, text: str = "", role: str = "", unit_id: int | None = None, active: str = ""):
    """The administrator's list: name or username (diacritics-insensitive), a role or a unit in force today, active."""
    qs = users_visible_to(actor)
    if text:
        folded = fold(text)
        ids = [u.pk for u in qs.only("pk", "username", "full_name") if folded in fold(f"{u.username} {u.full_name}")]
        qs = User.objects.filter(pk__in=ids)
    today = timezone.localdate()
    if role or unit_id:
        current = Assignment.objects.valid_on(today)
        if role:
            current = current.filter(role=role)
        if unit_id:
            current = current.filter(Q(unit_id=unit_id) | Q(unit__province_id=unit_id) | Q(agency__unit_id=unit_id)
                                     | Q(agency__province_id=unit_id))
        qs = qs.filter(pk__in=current.values("user_id"))
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("username")


def user_for(actor, pk: int) -> User:
    """One account, or User.DoesNotExist when it lies outside the administrator's scope (a 404, not a 403)."""
    return users_visible_to(actor).get(pk=pk)


def assignments_of(user: User):
    """All of a user's assignments, ended ones too, newest first."""
    return user.assignments.select_related("unit__province", "agency__province").order_by(
        "-valid_from", "-pk")


def unit_filter_choices(actor):
    """The units where the visible accounts have assignments in force, for the list's filter."""
    today = timezone.localdate()
    visible = users_visible_to(actor)
    units = Unit.objects.filter(assignments__in=Assignment.objects.valid_on(today).filter(user__in=visible))
    return units.distinct().select_related("province").order_by("level", "province__code", "name")


def place_of(assignment: Assignment) -> str:
    """Where an assignment applies, in words: "Xã Bình Lư, Tỉnh Lai Châu", "Sở Y tế, Tỉnh An Giang", "Nationwide"."""
    if assignment.agency:
        province = assignment.agency.province
        return assignment.agency.name + (f", {province.name}" if province else "")
    if assignment.unit:
        unit = assignment.unit
        return unit.name + (f", {unit.province.name}" if unit.level == UnitLevel.COMMUNE and unit.province else "")
    return _("Nationwide")
