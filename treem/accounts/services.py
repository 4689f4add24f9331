"""Every write to users, agencies and assignments: one transaction, a permission check, an audit event."""

import secrets
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, forbid_unless, require_agency, require_area, scope_for
from treem.accounts.tokens import revoke_tokens
from treem.audit.services import changes, record
from treem.core.text import clean, fold
from treem.geo.models import Unit, UnitLevel

from .models import Agency, AgencySuccession, Assignment, Role, User

UNIT_ROLES = {Role.COMMUNE_WORKER, Role.VILLAGE_COLLABORATOR, Role.COMMUNE_CHAIR}
AGENCY_ROLES = {Role.AGENCY_REPORTER}
# Roles on a province (or nationwide), never on a commune or an agency.
PROVINCE_ROLES = {Role.CASE_WORKER, Role.HOTLINE_OPERATOR, Role.FOCAL_OFFICER, Role.LEADER, Role.AUDITOR,
                  Role.ADMINISTRATOR}
# Only a national administrator gives these: an administrator manages accounts and the privacy rules, an auditor
# checks the administrators; a province administrator making either would choose who watches her.
NATIONAL_GRANT_ROLES = {Role.ADMINISTRATOR, Role.AUDITOR}


def _require_manage(actor, unit: Unit | None = None, agency: Agency | None = None) -> None:
    """Managing accounts of an agency, of a unit, or (neither) nationwide."""
    if agency is not None:
        require_agency(actor, Capability.MANAGE_USERS, agency)
    else:
        require_area(actor, Capability.MANAGE_USERS, unit)


def _require_grant(actor, role: str) -> None:
    scope = scope_for(actor)
    if role in NATIONAL_GRANT_ROLES:
        forbid_unless(scope, scope.is_national(Capability.MANAGE_USERS), needs=Capability.MANAGE_USERS)


def may_manage_user(actor, user: User) -> bool:
    """May lock, unlock, reset or give assignments to this user: a national administrator anyone; a province
    administrator someone who is not a superuser or staff and all of whose assignments not yet ended lie in her scope
    (a person who also works elsewhere, or nationwide, is managed nationally)."""
    scope = scope_for(actor)
    cap = Capability.MANAGE_USERS
    if not scope.has(cap):
        return False
    if scope.is_national(cap):
        return True
    if user.is_superuser or user.is_staff or user.pk == actor.pk:
        return False
    today = timezone.localdate()
    open_ = list(user.assignments.exclude(valid_to__lt=today).select_related("unit", "agency"))
    if not open_:  # only ended assignments: hers if one of them was in her scope
        open_ = list(user.assignments.select_related("unit", "agency"))
        return any(_covers(scope, a) for a in open_)
    return all(_covers(scope, a) for a in open_)


def _covers(scope, assignment: Assignment) -> bool:
    cap = Capability.MANAGE_USERS
    if assignment.agency_id:
        return scope.may_agency(cap, assignment.agency)
    return scope.may_area(cap, assignment.unit)


def may_end(actor, assignment: Assignment) -> bool:
    """May end this assignment: it lies in her scope (the same check as assignment_end)."""
    scope = scope_for(actor)
    return scope.has(Capability.MANAGE_USERS) and _covers(scope, assignment)


def _require_manage_user(actor, user: User) -> None:
    forbid_unless(scope_for(actor), may_manage_user(actor, user), needs=Capability.MANAGE_USERS)


def generate_password() -> str:
    """A password given once by an administrator: 12 random characters from an alphabet without look-alikes, with
    letters and digits (the validators' character classes), to be changed at the first login."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _new_user(*, actor, username: str, full_name: str, password: str | None, email: str, phone: str,
              must_change_password: bool = False, request=None) -> User:
    username = username.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, full_name=clean(full_name), email=email.strip(), phone=phone.strip(),
                must_change_password=must_change_password)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor, "accounts.user.create", user, request=request,
           summary={"username": user.username, "full_name": user.full_name})
    return user


@transaction.atomic
def user_create(*, actor, username: str, full_name: str, password: str | None, email: str = "",
                phone: str = "") -> User:
    """An account with no assignment: nationwide administrators only (nobody else could see it afterwards)."""
    _require_manage(actor)
    return _new_user(actor=actor, username=username, full_name=full_name, password=password, email=email, phone=phone)


@transaction.atomic
def account_create(*, actor, username: str, full_name: str, email: str = "", phone: str = "", role: str,
                   unit: Unit | None = None, agency: Agency | None = None, valid_from: date | None = None,
                   valid_to: date | None = None, request=None) -> tuple[User, str]:
    """A new account with its first assignment, and an initial password to hand over once (changed at first login).

    The assignment is checked first: a province administrator creates accounts only for roles and places she may give.
    """
    _require_manage(actor, unit=unit, agency=agency)
    _require_grant(actor, role)
    _validate_assignment(role, unit, agency)
    password = generate_password()
    user = _new_user(actor=actor, username=username, full_name=full_name, password=password, email=email,
                     phone=phone, must_change_password=True, request=request)
    assignment_create(actor=actor, user=user, role=role, unit=unit, agency=agency, valid_from=valid_from,
                      valid_to=valid_to, request=request)
    return user, password


def _province_of(user: User):
    """The unit an event about a user is filed under (her first assignment's province), for the auditors' filter."""
    a = user.assignments.select_related("unit", "agency").order_by("valid_from", "pk").first()
    if a is None:
        return None
    if a.agency_id:
        return a.agency.province
    return a.unit


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, request=None) -> User:
    """Lock (is_active off: no login, sessions and API tokens refused) or unlock an account. Never deleted."""
    _require_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot lock your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        revoke_tokens(user)
    record(actor, "accounts.user.unlock" if active else "accounts.user.lock", user, request=request,
           unit=_province_of(user), summary={"username": user.username})
    return user


@transaction.atomic
def user_password_reset(*, actor, user: User, request=None) -> str:
    """A new password generated for the user, returned to be shown once; she must change it at her next login."""
    _require_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("Change your own password on the password page."))
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])  # save() ends her API tokens
    record(actor, "accounts.user.password_reset", user, request=request, unit=_province_of(user),
           summary={"username": user.username})
    return password


@transaction.atomic
def user_change_password(*, actor, user: User, new_password: str, request=None) -> None:
    """A user changes her own password; an administrator may reset anyone's."""
    if actor != user:
        _require_manage(actor)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = actor != user  # an administrator's password is changed at the next login
    user.save(update_fields=["password", "must_change_password"])
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
    if role in PROVINCE_ROLES and (agency is not None or (unit is not None and unit.level != UnitLevel.PROVINCE)):
        raise ValidationError(_("This role is assigned to a province, or nationwide."))


@transaction.atomic
def assignment_create(*, actor, user: User, role: str, unit: Unit | None = None, agency: Agency | None = None,
                      valid_from: date | None = None, valid_to: date | None = None, request=None) -> Assignment:
    _require_manage(actor, unit=unit, agency=agency)
    _require_grant(actor, role)
    if user.assignments.exists():  # a new account has none yet; an existing one must be hers to manage
        _require_manage_user(actor, user)
    _validate_assignment(role, unit, agency)
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(_("The end date is before the start date."))
    assignment = Assignment.objects.create(user=user, role=role, unit=unit, agency=agency,
                                           valid_from=valid_from, valid_to=valid_to)
    record(actor, "accounts.assignment.create", assignment, unit=unit or (agency.province if agency else None),
           request=request,
           summary={"user": user.username, "role": role, "unit": unit.code if unit else None,
                    "agency": agency.name if agency else None})
    return assignment


@transaction.atomic
def assignment_end(*, actor, assignment: Assignment, on: date, request=None) -> Assignment:
    """The assignment is in force up to and including `on`, and no longer from the next day. Never deleted."""
    _require_manage(actor, unit=assignment.unit, agency=assignment.agency)
    if assignment.valid_from and on < assignment.valid_from:
        raise ValidationError(_("The end date is before the start date."))
    if assignment.valid_to and assignment.valid_to < timezone.localdate():
        raise ValidationError(_("This assignment has already ended."))
    before = {"valid_to": assignment.valid_to}
    assignment.valid_to = on
    assignment.save(update_fields=["valid_to", "updated_at"])
    record(actor, "accounts.assignment.end", assignment, request=request,
           unit=assignment.unit or (assignment.agency.province if assignment.agency else None),
           summary={"user": assignment.user.username, **changes(before, {"valid_to": on})})
    return assignment


AGENCY_FIELDS = ("name", "short_name", "kind", "province", "unit", "parent", "valid_from", "valid_to")


def _require_reference(actor, province: Unit | None) -> None:
    require_area(actor, Capability.MANAGE_REFERENCE, province)


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
