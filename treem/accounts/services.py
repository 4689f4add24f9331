"""Every write to users, agencies and assignments: one transaction, a permission check, an audit event."""

from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from treem.audit.services import changes, record
from treem.core.text import clean, fold
from treem.geo.models import Unit, UnitLevel

from .models import Agency, AgencySuccession, Assignment, Role, User
from .scope import Capability, forbid_unless, scope_for

UNIT_ROLES = {Role.COMMUNE_WORKER, Role.VILLAGE_COLLABORATOR, Role.COMMUNE_CHAIR}
AGENCY_ROLES = {Role.AGENCY_REPORTER}


def _require_manage(actor, unit: Unit | None = None, agency: Agency | None = None) -> None:
    scope = scope_for(actor)
    cap = Capability.MANAGE_USERS
    if agency is not None:
        forbid_unless(scope, scope.has(cap) and scope.covers_agency(cap, agency), needs=cap)
    elif unit is not None:
        forbid_unless(scope, scope.has(cap) and scope.covers_unit(cap, unit), needs=cap)
    else:
        forbid_unless(scope, scope.is_national(cap), needs=cap)


@transaction.atomic
def user_create(*, actor, username: str, full_name: str, password: str | None, email: str = "",
                phone: str = "") -> User:
    _require_manage(actor)
    user = User(username=username.strip(), full_name=clean(full_name), email=email, phone=phone)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor, "accounts.user.create", user, summary={"username": user.username, "full_name": user.full_name})
    return user


@transaction.atomic
def user_change_password(*, actor, user: User, new_password: str, request=None) -> None:
    """A user changes her own password; an administrator may reset anyone's."""
    if actor != user:
        _require_manage(actor)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(actor, "accounts.user.password_change", user, summary={"password": "changed"}, request=request)


def _validate_assignment(role: str, unit: Unit | None, agency: Agency | None) -> None:
    if role in AGENCY_ROLES and agency is None:
        raise ValidationError(_("An agency reporter must be assigned to an agency."))
    if role in UNIT_ROLES and (unit is None or unit.level != UnitLevel.COMMUNE):
        raise ValidationError(_("This role is assigned to a commune."))
    if unit is not None and not unit.is_current:
        raise ValidationError(_("Assignments use current administrative units, not legacy ones."))
    if unit is not None and agency is not None:
        raise ValidationError(_("An assignment is either to a unit or to an agency, not both."))


@transaction.atomic
def assignment_create(*, actor, user: User, role: str, unit: Unit | None = None, agency: Agency | None = None,
                      valid_from: date | None = None, valid_to: date | None = None) -> Assignment:
    _require_manage(actor, unit=unit, agency=agency)
    _validate_assignment(role, unit, agency)
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(_("The end date is before the start date."))
    assignment = Assignment.objects.create(user=user, role=role, unit=unit, agency=agency,
                                           valid_from=valid_from, valid_to=valid_to)
    record(actor, "accounts.assignment.create", assignment, unit=unit or (agency.province if agency else None),
           summary={"user": user.username, "role": role, "unit": unit.code if unit else None,
                    "agency": agency.name if agency else None})
    return assignment


@transaction.atomic
def assignment_end(*, actor, assignment: Assignment, on: date) -> Assignment:
    _require_manage(actor, unit=assignment.unit, agency=assignment.agency)
    before = {"valid_to": assignment.valid_to}
    assignment.valid_to = on
    assignment.save(update_fields=["valid_to", "updated_at"])
    record(actor, "accounts.assignment.end", assignment, unit=assignment.unit,
           summary=changes(before, {"valid_to": on}))
    return assignment


AGENCY_FIELDS = ("name", "short_name", "kind", "province", "unit", "parent", "valid_from", "valid_to")


def _require_reference(actor, province: Unit | None) -> None:
    scope = scope_for(actor)
    cap = Capability.MANAGE_REFERENCE
    allowed = scope.has(cap) and (scope.covers_unit(cap, province) if province else scope.is_national(cap))
    forbid_unless(scope, allowed)


@transaction.atomic
def agency_create(*, actor, name: str, kind: str, province: Unit | None = None, unit: Unit | None = None,
                  parent: Agency | None = None, short_name: str = "", valid_from: date | None = None,
                  valid_to: date | None = None) -> Agency:
    _require_reference(actor, province)
    agency = Agency(name=name.strip(), name_folded=fold(name), short_name=short_name, kind=kind, province=province,
                    unit=unit, parent=parent, valid_from=valid_from, valid_to=valid_to)
    agency.full_clean()
    agency.save()
    record(actor, "accounts.agency.create", agency, unit=province,
           summary={"name": agency.name, "kind": agency.kind})
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, data: dict) -> Agency:
    _require_reference(actor, agency.province)
    before = {f: getattr(agency, f) for f in AGENCY_FIELDS}
    for key, value in data.items():
        if key not in AGENCY_FIELDS:
            raise ValidationError(_("Unknown field: %(field)s") % {"field": key})
        setattr(agency, key, value)
    agency.name_folded = fold(agency.name)
    agency.full_clean()
    agency.save()
    record(actor, "accounts.agency.update", agency, unit=agency.province,
           summary=changes(before, {f: getattr(agency, f) for f in AGENCY_FIELDS}))
    return agency


@transaction.atomic
def agency_succeed(*, actor, predecessor: Agency, successors: list[tuple[Agency, str]], effective: date) -> None:
    """An agency ends and others take over its functions (e.g. MOLISA's department split in 2025)."""
    _require_reference(actor, predecessor.province)
    from datetime import timedelta

    predecessor.valid_to = effective - timedelta(days=1)
    predecessor.save(update_fields=["valid_to", "updated_at"])
    for successor, functions in successors:
        AgencySuccession.objects.update_or_create(
            predecessor=predecessor, successor=successor,
            defaults={"effective": effective, "functions": functions},
        )
    record(actor, "accounts.agency.succeed", predecessor, unit=predecessor.province,
           summary={"effective": effective.isoformat(),
                    "successors": [{"id": s.pk, "name": s.name, "functions": f} for s, f in successors]})
