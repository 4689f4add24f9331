"""Every write to the child register: one transaction, a scope check, normalisation, an audit event.

Every event about a child (its facts, circumstances, carers, measurements, status) is recorded with the child as the
audit object, so the child's history is one query (selectors.child_history).
"""

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, forbid_unless, require, scope_for
from treem.audit.services import changes, record
from treem.core.actors import SYSTEM
from treem.core.ages import CHILD_AGE_LIMIT, age_band_bounds, years_before  # noqa: F401 (used by selectors, tests)
from treem.core.formats import format_number, parse_decimal_vi
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .models import (
    Carer,
    CarerRelation,
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildRisk,
    ChildStatus,
    CircumstanceGroup,
    CircumstanceSubgroup,
    Household,
    Immunisation,
    Measurement,
    PovertyStatus,
    RiskFlag,
    YesNoUnknown,
)
from .quality.dates import age_on, parse_date
from .quality.ethnicity import find_ethnic_group
from .quality.personal_id import check_personal_id, normalize_personal_id
from .quality.sex import parse_sex
from .quality.text import clean_text, normalize_name, normalize_phone
from .selectors import children_visible_to

EDIT = Capability.EDIT_CHILDREN

# The facts a person may edit, in the order forms show them. Status, commune and moves have their own services.
EDITABLE_FIELDS = ("full_name", "sex", "birth_date", "ethnicity", "personal_id", "birth_registered", "village",
                   "address", "school", "grade", "attends_school", "immunisation", "disability", "notes")
_TEXT_LIMITS = {"village": 120, "address": 250, "school": 150, "grade": 20, "ethnicity": 40}
_CHOICES = {"birth_registered": YesNoUnknown, "attends_school": YesNoUnknown, "disability": YesNoUnknown,
            "immunisation": Immunisation}
# Spellings for yes/no fields, folded, as forms, spreadsheets and API clients send them.
_YES = {"yes", "co", "x", "1", "true", "da", "roi", "da dang ky"}
_NO = {"no", "khong", "0", "false", "chua", "chua dang ky"}
IGNORED_FINDINGS = {"id_stored_as_number"}  # an import artefact, already repaired


class VersionConflict(Exception):
    """Someone saved the record after this person opened it: nothing was overwritten."""

    def __init__(self, child=None):
        self.child = child
        super().__init__(_("Someone else changed this record after you opened it. Nothing was saved: reload the "
                           "record, check their changes and make yours again."))


@dataclass
class Normalised:
    data: dict
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _yes_no(value) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return YesNoUnknown.YES if value else YesNoUnknown.NO
    key = fold(str(value))
    if key in YesNoUnknown.values:
        return key
    if key in _YES:
        return YesNoUnknown.YES
    if key in _NO:
        return YesNoUnknown.NO
    return "?"


def check_birth_date(value, today: date | None = None) -> tuple[date | None, str]:
    """(date, "") or (None, why it cannot be a child's birth date)."""
    today = today or timezone.localdate()
    if value in (None, ""):
        return None, _("Enter the date of birth (dd/mm/yyyy).")
    try:
        born = parse_date(value)
    except ValueError as exc:
        return None, str(exc)
    if born > today:
        return None, _("The date of birth %(date)s is in the future.") % {"date": born.strftime("%d/%m/%Y")}
    if age_on(born, today) >= CHILD_AGE_LIMIT:
        return None, _("Born on %(date)s, the person is %(age)s: a child is a person under 16 (Law on Children, "
                       "art. 1).") % {"date": born.strftime("%d/%m/%Y"), "age": age_on(born, today)}
    return born, ""


def normalise_child(data: dict, *, partial: bool = False, today: date | None = None) -> Normalised:
    """Clean the facts of a child as a person typed them: name casing and spacing (NFC), sex spellings, dates in any
    usual form, personal ID without separators, ethnic group names. Personal-ID problems are warnings, not errors."""
    out = Normalised(data={})
    present = set(data) if partial else set(EDITABLE_FIELDS)
    get = data.get
    if "full_name" in present:
        name = normalize_name(get("full_name"))
        if not name:
            out.errors["full_name"] = _("Enter the child's full name.")
        elif len(name) > 150:
            out.errors["full_name"] = _("The name is too long (150 characters at most).")
        out.data["full_name"] = name
    if "sex" in present:
        sex = parse_sex(get("sex"))
        if sex is None:
            out.errors["sex"] = _("Choose the sex: male or female.")
        out.data["sex"] = sex
    if "birth_date" in present:
        born, problem = check_birth_date(get("birth_date"), today)
        if problem:
            out.errors["birth_date"] = problem
        out.data["birth_date"] = born
    if "personal_id" in present:
        text, _was_number = normalize_personal_id(get("personal_id"))
        if len(text) > 12:
            out.errors["personal_id"] = _("A personal identification number has 12 digits; this one has %(n)s "
                                          "characters.") % {"n": len(text)}
        out.data["personal_id"] = text
    if "ethnicity" in present:
        text = clean_text(get("ethnicity"))
        group = find_ethnic_group(text)
        out.data["ethnicity"] = (group.name if group else text)[:40]
        if text and group is None:
            out.warnings.append(_("The ethnic group '%(name)s' is not one of Vietnam's 54 groups.") % {"name": text})
            out.flags.append("ethnicity_unknown")
    for name in ("village", "address", "school", "grade"):
        if name in present:
            text = clean_text(get(name))
            if len(text) > _TEXT_LIMITS[name]:
                out.errors[name] = _("Too long (%(n)s characters at most).") % {"n": _TEXT_LIMITS[name]}
            out.data[name] = text
    if "notes" in present:
        out.data["notes"] = unicodedata.normalize("NFC", str(get("notes") or "")).strip()
    for name, choices in _CHOICES.items():
        if name not in present:
            continue
        raw = get(name)
        value = _yes_no(raw) if choices is YesNoUnknown else (fold(str(raw)) if raw not in (None, "") else None)
        if value is None:
            value = choices.UNKNOWN
        if value not in choices.values:
            out.errors[name] = _("Choose one of the listed answers.")
            value = choices.UNKNOWN
        out.data[name] = value
    if "personal_id" in present or not partial:
        sex = out.data.get("sex", get("sex_current"))
        born = out.data.get("birth_date", get("birth_date_current"))
        for finding in check_personal_id(out.data.get("personal_id", ""), sex, born):
            if finding.code in IGNORED_FINDINGS:
                continue
            out.flags.append(finding.code)
            out.warnings.append(finding.message[:1].upper() + finding.message[1:] + ".")
    return out


def quality_flags(child: Child) -> list[str]:
    """Data-quality findings of a record as it stands (personal ID against sex and birth year, ethnic group)."""
    flags = [f.code for f in check_personal_id(child.personal_id, child.sex, child.birth_date)
             if f.code not in IGNORED_FINDINGS]
    if child.ethnicity and find_ethnic_group(child.ethnicity) is None:
        flags.append("ethnicity_unknown")
    return flags


def _id_holders(personal_id: str, exclude_pk=None):
    qs = Child.objects.filter(personal_id=personal_id).exclude(status__in=[ChildStatus.MERGED, ChildStatus.IN_ERROR])
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def personal_id_in_use(personal_id: str, exclude_pk=None) -> bool:
    """Another record (anywhere) already carries this number. Says nothing else about that record."""
    return bool(personal_id) and _id_holders(personal_id, exclude_pk).exists()


def personal_id_taken(actor, personal_id: str, exclude_pk=None) -> str:
    """Why this number cannot be given to a child: another child (not merged, not in error) already carries it.
    The other child is named only to an actor who may see her. "" when the number is free (or empty)."""
    if not personal_id:
        return ""
    holders = _id_holders(personal_id, exclude_pk)
    other = children_visible_to(actor).filter(pk__in=holders.values("pk")).select_related("commune").first()
    if other is not None:
        return _("The personal identification number %(id)s is already on the register for %(name)s, born "
                 "%(date)s (%(commune)s). One number belongs to one child: check which child it belongs to.") % {
            "id": personal_id, "name": other.full_name, "date": other.birth_date.strftime("%d/%m/%Y"),
            "commune": other.commune.name}
    if holders.exists():
        return _("The personal identification number %(id)s is already recorded for another child in another "
                 "commune or ward. One number belongs to one child: check the number.") % {"id": personal_id}
    return ""


# Key of the PostgreSQL advisory lock on the register's personal IDs as a whole ("treem" + 1).
_PERSONAL_ID_REGISTER_KEY = 0x7472_6565_6D00_0001


def hold_personal_ids(*, all_of_them: bool = False) -> None:
    """Take the register-wide personal-ID lock until the transaction ends (PostgreSQL only; SQLite writes one
    transaction at a time anyway). A single save takes it shared, then locks its one number (_require_free_id); an
    import checks thousands of numbers at once and takes it whole, so no save anywhere can give one of its new
    numbers to another child between its check and its commit. Take it before locking any child row: always
    register first, then rows, so two writers never wait on each other in a circle."""
    if connection.vendor != "postgresql":
        return
    how = "pg_advisory_xact_lock" if all_of_them else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {how}(%s)", [_PERSONAL_ID_REGISTER_KEY])


def _require_free_id(actor, personal_id: str, exclude_pk=None) -> None:
    """Refuse a number another child carries. Old records may share one, so there is no unique constraint: on
    PostgreSQL a transaction-scoped lock on the number makes two saves of the same new number take turns (the second
    then sees the first), under the shared register lock that keeps imports out meanwhile; SQLite runs one writing
    transaction at a time anyway."""
    if personal_id and connection.vendor == "postgresql":
        hold_personal_ids()
        key = int.from_bytes(hashlib.blake2b(personal_id.encode(), digest_size=8).digest(), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    if problem := personal_id_taken(actor, personal_id, exclude_pk):
        raise ValidationError({"personal_id": [problem]})


def _snapshot(child: Child) -> dict:
    out = {name: getattr(child, name) for name in (*EDITABLE_FIELDS, "status", "commune", "moved_to", "moved_on",
                                                    "status_on", "status_reason")}
    out["household"] = child.household_id  # the id, without loading the household
    return out


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def _commune(unit: Unit) -> Unit:
    if unit.level != UnitLevel.COMMUNE or unit.system != UnitSystem.CURRENT:
        raise ValidationError({"commune": [_("Choose a commune of the current structure.")]})
    return unit


def _set_quality(child: Child) -> None:
    child.quality_flags = quality_flags(child)
    child.has_quality_issues = bool(child.quality_flags)


@transaction.atomic
def child_create(*, actor, commune: Unit, data: dict, source: str = "manual", request=None) -> Child:
    _commune(commune)
    require(actor, EDIT, commune)
    clean = normalise_child(data)
    _raise(clean.errors)
    _require_free_id(actor, clean.data["personal_id"])
    child = Child(**clean.data, commune=commune, province_id=commune.province_id, source=source,
                  name_folded=fold(clean.data["full_name"]), provisional=bool(data.get("provisional")))
    _set_quality(child)
    child.save()
    record(actor, "registry.child.create", child, unit=commune, request=request,
           summary={"source": source, **changes({}, _snapshot(child))})
    return child


def _locked(child: Child, version: int | None) -> Child:
    current = Child.objects.select_for_update().select_related("commune").get(pk=child.pk)
    if version is not None and int(version) != current.version:
        raise VersionConflict(current)
    return current


def _save_versioned(child: Child, fields: list[str]) -> None:
    """Save with version + 1, only if nobody else bumped the version meanwhile."""
    values = {name: getattr(child, name) for name in fields}
    done = Child.objects.filter(pk=child.pk, version=child.version).update(
        **values, version=F("version") + 1, updated_at=timezone.now())
    if not done:
        raise VersionConflict(child)
    child.version += 1


@transaction.atomic
def child_update(*, actor, child: Child, data: dict, version: int | None, request=None) -> Child:
    """Change a child's facts. `version` is the version the person saw; a stale one raises VersionConflict."""
    if data.get("personal_id"):
        hold_personal_ids()  # before the row lock: register first, then rows (see hold_personal_ids)
    current = _locked(child, version)
    require(actor, EDIT, current.commune)
    if current.status == ChildStatus.MERGED:
        raise ValidationError(_("This record was merged into another one and cannot be changed."))
    editable = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    clean = normalise_child({**editable, "sex_current": current.sex, "birth_date_current": current.birth_date},
                            partial=True)
    _raise(clean.errors)
    if clean.data.get("personal_id", current.personal_id) != current.personal_id:
        # Only a new number is checked: a record already sharing its number can still have other facts corrected.
        _require_free_id(actor, clean.data["personal_id"], exclude_pk=current.pk)
    before = _snapshot(current)
    for name, value in clean.data.items():
        setattr(current, name, value)
    current.name_folded = fold(current.full_name)
    _set_quality(current)
    diff = changes(before, _snapshot(current))
    if not diff:
        return current
    _save_versioned(current, [*clean.data, "name_folded", "quality_flags", "has_quality_issues"])
    record(actor, "registry.child.update", current, unit=current.commune, request=request, summary=diff)
    return current


@transaction.atomic
def child_record_move(*, actor, child: Child, to_commune: Unit, moved_on: date | None = None, note: str = "",
                      version: int | None = None, request=None) -> Child:
    """The child moved away: she stays on the register of her commune as 'moved' until the receiving commune
    accepts her (the receiving commune sees her in its incoming list)."""
    current = _locked(child, version)
    require(actor, EDIT, current.commune)
    _commune(to_commune)
    if current.status != ChildStatus.ACTIVE:
        raise ValidationError(_("Only a child on the active register can be recorded as moved."))
    if to_commune.pk == current.commune_id:
        raise ValidationError({"to_commune": [_("The child already lives in this commune.")]})
    moved_on = moved_on or timezone.localdate()
    if moved_on > timezone.localdate():
        raise ValidationError({"moved_on": [_("The date cannot be in the future.")]})
    before = _snapshot(current)
    current.status, current.moved_to, current.moved_on = ChildStatus.MOVED, to_commune, moved_on
    current.status_reason = clean_text(note)[:250]
    _save_versioned(current, ["status", "moved_to", "moved_on", "status_reason"])
    record(actor, "registry.child.move", current, unit=current.commune, request=request,
           summary={**changes(before, _snapshot(current)), "to": to_commune.name})
    return current


@transaction.atomic
def child_accept_move(*, actor, child: Child, village: str = "", address: str = "", request=None) -> Child:
    """The receiving commune takes the child onto her register; the old commune no longer sees her."""
    current = _locked(child, None)
    if current.status != ChildStatus.MOVED or current.moved_to_id is None:
        raise ValidationError(_("This child is not waiting to be received."))
    new_commune = Unit.objects.get(pk=current.moved_to_id)
    require(actor, EDIT, new_commune)
    before = _snapshot(current)
    old_commune = current.commune
    current.commune, current.province_id = new_commune, new_commune.province_id
    current.status, current.moved_to, current.status_reason = ChildStatus.ACTIVE, None, ""
    current.village, current.address = clean_text(village)[:120], clean_text(address)[:250]
    if current.household_id and current.household.commune_id != new_commune.pk:
        current.household = None  # the household stays with the commune the child left
    _save_versioned(current, ["commune", "province", "status", "moved_to", "status_reason", "village", "address",
                              "household"])
    record(actor, "registry.child.accept_move", current, unit=new_commune, request=request,
           summary={**changes(before, _snapshot(current)), "from": old_commune.name})
    return current


@transaction.atomic
def child_cancel_move(*, actor, child: Child, request=None) -> Child:
    """The sending commune withdraws a move recorded by mistake (before the receiving commune accepted it)."""
    current = _locked(child, None)
    require(actor, EDIT, current.commune)
    if current.status != ChildStatus.MOVED:
        raise ValidationError(_("This child is not recorded as moved."))
    before = _snapshot(current)
    current.status, current.moved_to, current.moved_on, current.status_reason = ChildStatus.ACTIVE, None, None, ""
    _save_versioned(current, ["status", "moved_to", "moved_on", "status_reason"])
    record(actor, "registry.child.cancel_move", current, unit=current.commune, request=request,
           summary=changes(before, _snapshot(current)))
    return current


def _set_status(actor, child: Child, status: str, on: date | None, reason: str, action: str, request) -> Child:
    current = _locked(child, None)
    require(actor, EDIT, current.commune)
    if current.status in (ChildStatus.MERGED,):
        raise ValidationError(_("This record was merged into another one and cannot be changed."))
    before = _snapshot(current)
    current.status, current.status_on, current.status_reason = status, on, clean_text(reason)[:250]
    _save_versioned(current, ["status", "status_on", "status_reason"])
    record(actor, action, current, unit=current.commune, request=request, summary=changes(before, _snapshot(current)))
    return current


@transaction.atomic
def child_mark_deceased(*, actor, child: Child, died_on: date, note: str = "", request=None) -> Child:
    if died_on is None or died_on > timezone.localdate() or died_on < child.birth_date:
        raise ValidationError({"died_on": [_("Enter a date between the birth and today.")]})
    return _set_status(actor, child, ChildStatus.DECEASED, died_on, note, "registry.child.deceased", request)


@transaction.atomic
def child_mark_in_error(*, actor, child: Child, reason: str, request=None) -> Child:
    """A record that should never have existed (a test entry, a person who is not a child of the commune)."""
    if not clean_text(reason):
        raise ValidationError({"reason": [_("Say why the record is in error.")]})
    return _set_status(actor, child, ChildStatus.IN_ERROR, timezone.localdate(), reason, "registry.child.in_error",
                       request)


def sixteenth_birthday_cutoff(today: date) -> date:
    """Children born on or before this day are 16 or older today."""
    return years_before(today, CHILD_AGE_LIMIT)


@transaction.atomic
def children_mark_over_16(*, actor=SYSTEM, today: date | None = None, communes=None) -> int:
    """The periodic check (daily, `treem check-children-age`): active children who turned 16 leave the register of
    children. Each one gets an audit event. `communes` limits the check (and requires the actor's scope on them)."""
    today = today or timezone.localdate()
    qs = Child.objects.filter(status=ChildStatus.ACTIVE, birth_date__lte=sixteenth_birthday_cutoff(today))
    if communes is not None:
        for commune in communes:
            require(actor, EDIT, commune)
        qs = qs.filter(commune__in=communes)
    else:
        forbid_unless(scope_for(actor), scope_for(actor).is_national(EDIT), needs=EDIT)
    count = 0
    for child in qs.select_for_update().select_related("commune").iterator(chunk_size=500):
        birthday = years_before(child.birth_date, -CHILD_AGE_LIMIT)
        Child.objects.filter(pk=child.pk).update(status=ChildStatus.OVER_16, status_on=birthday,
                                                 version=F("version") + 1, updated_at=timezone.now())
        record(actor, "registry.child.over_16", child, unit=child.commune,
               summary={"status": [ChildStatus.ACTIVE, ChildStatus.OVER_16], "status_on": [None, birthday.isoformat()]})
        count += 1
    return count


# ---------------------------------------------------------------- circumstances, risks


def _day(value, field_name: str, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field_name: [_("Enter a date (dd/mm/yyyy).")]})
        return None
    try:
        day = parse_date(value)
    except ValueError as exc:
        raise ValidationError({field_name: [str(exc)]}) from None
    if day > timezone.localdate():
        raise ValidationError({field_name: [_("The date cannot be in the future.")]})
    return day


@transaction.atomic
def circumstance_add(*, actor, child: Child, group: CircumstanceGroup | str, subgroup=None, started_on=None,
                     source: str = "", supported: bool = False, request=None) -> ChildCircumstance:
    require(actor, EDIT, child.commune)
    if isinstance(group, str):
        group = CircumstanceGroup.objects.filter(code=group).first()
        if group is None:
            raise ValidationError({"group": [_("Unknown special-circumstance group.")]})
    if isinstance(subgroup, str) and subgroup:
        code = subgroup
        subgroup = CircumstanceSubgroup.objects.filter(group=group, code=code).first()
        if subgroup is None:
            raise ValidationError({"subgroup": [_("This sub-group belongs to another group.")]})
    elif subgroup == "":
        subgroup = None
    if subgroup is not None and subgroup.group_id != group.pk:
        raise ValidationError({"subgroup": [_("This sub-group belongs to another group.")]})
    started = _day(started_on, "started_on")
    if started and started < child.birth_date:
        raise ValidationError({"started_on": [_("The date cannot be before the child's birth.")]})
    on = started or timezone.localdate()
    if not CircumstanceGroup.objects.valid_on(on).filter(pk=group.pk).exists():
        raise ValidationError({"group": [_("The group %(code)s is not in force on %(date)s: choose a group in force "
                                           "on that date.") % {"code": group.code, "date": on.strftime("%d/%m/%Y")}]})
    if subgroup is not None and not subgroup.valid_on(on):
        raise ValidationError({"subgroup": [_("The sub-group %(code)s is not in force on %(date)s: choose a sub-group "
                                              "in force on that date.") % {"code": subgroup.code,
                                                                           "date": on.strftime("%d/%m/%Y")}]})
    if ChildCircumstance.objects.filter(child=child, group=group, ended_on__isnull=True).exists():
        raise ValidationError({"group": [_("The child is already recorded in this group.")]})
    circumstance = ChildCircumstance.objects.create(child=child, group=group, subgroup=subgroup, started_on=started,
                                                    source=clean_text(source)[:150], supported=bool(supported))
    record(actor, "registry.child.circumstance_add", child, unit=child.commune, request=request, summary={
        "group": group.code, "subgroup": subgroup.code if subgroup else "", "started_on": _iso(started),
        "source": circumstance.source, "supported": circumstance.supported})
    return circumstance


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


@transaction.atomic
def circumstance_end(*, actor, circumstance: ChildCircumstance, ended_on=None, reason: str = "",
                     request=None) -> ChildCircumstance:
    child = circumstance.child
    require(actor, EDIT, child.commune)
    if circumstance.ended_on:
        raise ValidationError(_("This circumstance has already ended."))
    ended = _day(ended_on, "ended_on") or timezone.localdate()
    if circumstance.started_on and ended < circumstance.started_on:
        raise ValidationError({"ended_on": [_("The end cannot be before the start.")]})
    circumstance.ended_on, circumstance.end_reason = ended, clean_text(reason)[:250]
    circumstance.save(update_fields=["ended_on", "end_reason", "updated_at"])
    record(actor, "registry.child.circumstance_end", child, unit=child.commune, request=request, summary={
        "group": circumstance.group.code, "ended_on": ended.isoformat(), "reason": circumstance.end_reason})
    return circumstance


@transaction.atomic
def risk_add(*, actor, child: Child, flag: RiskFlag | str, started_on=None, note: str = "", request=None) -> ChildRisk:
    require(actor, EDIT, child.commune)
    if isinstance(flag, str):
        flag = RiskFlag.objects.filter(code=flag).first()
        if flag is None:
            raise ValidationError({"flag": [_("Unknown risk.")]})
    if ChildRisk.objects.filter(child=child, flag=flag, ended_on__isnull=True).exists():
        raise ValidationError({"flag": [_("This risk is already recorded.")]})
    started = _day(started_on, "started_on")
    risk = ChildRisk.objects.create(child=child, flag=flag, started_on=started, note=clean_text(note)[:250])
    record(actor, "registry.child.risk_add", child, unit=child.commune, request=request,
           summary={"risk": flag.code, "started_on": _iso(started), "note": risk.note})
    return risk


@transaction.atomic
def risk_end(*, actor, risk: ChildRisk, ended_on=None, request=None) -> ChildRisk:
    child = risk.child
    require(actor, EDIT, child.commune)
    if risk.ended_on:
        raise ValidationError(_("This risk has already ended."))
    risk.ended_on = _day(ended_on, "ended_on") or timezone.localdate()
    risk.save(update_fields=["ended_on", "updated_at"])
    record(actor, "registry.child.risk_end", child, unit=child.commune, request=request,
           summary={"risk": risk.flag.code, "ended_on": risk.ended_on.isoformat()})
    return risk


# ---------------------------------------------------------------- carers, measurements


@transaction.atomic
def carer_link(*, actor, child: Child, relation: str = CarerRelation.UNKNOWN, carer: Carer | None = None,
               full_name: str = "", phone: str = "", personal_id: str = "", primary: bool = False,
               request=None) -> ChildCarer:
    """Link a carer (an existing one of the same household, or a new person) to a child."""
    require(actor, EDIT, child.commune)
    if relation not in CarerRelation.values:
        raise ValidationError({"relation": [_("Choose the relation to the child.")]})
    if carer is None:
        name = normalize_name(full_name)
        if not name:
            raise ValidationError({"full_name": [_("Enter the carer's full name.")]})
        number, problem = normalize_phone(phone)
        if problem:
            raise ValidationError({"phone": [problem]})
        pid, _was_number = normalize_personal_id(personal_id)
        if len(pid) > 12:
            raise ValidationError({"personal_id": [_("A personal identification number has 12 digits.")]})
        carer = Carer.objects.create(full_name=name, name_folded=fold(name), phone=number or "", personal_id=pid,
                                     household=child.household)
    elif not ChildCarer.objects.filter(carer=carer, child__commune=child.commune).exists():
        raise ValidationError({"carer": [_("This carer is not known in the child's commune.")]})
    link, created = ChildCarer.objects.get_or_create(child=child, carer=carer,
                                                     defaults={"relation": relation, "primary": bool(primary)})
    if not created:
        raise ValidationError({"carer": [_("This carer is already linked to the child.")]})
    if primary:
        ChildCarer.objects.filter(child=child).exclude(pk=link.pk).update(primary=False)
    record(actor, "registry.child.carer_link", child, unit=child.commune, request=request, summary={
        "carer": str(carer.pk), "name": carer.full_name, "relation": relation, "primary": bool(primary)})
    return link


@transaction.atomic
def carer_unlink(*, actor, link: ChildCarer, request=None) -> None:
    child = link.child
    require(actor, EDIT, child.commune)
    summary = {"carer": str(link.carer_id), "name": link.carer.full_name, "relation": link.relation}
    link.delete()
    record(actor, "registry.child.carer_unlink", child, unit=child.commune, request=request, summary=summary)


def _decimal(value, field_name: str, low: Decimal, high: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        # typed text is read the Vietnamese way ("85,5", "1.200"); a number from the API is taken as it is
        number = parse_decimal_vi(value) if isinstance(value, str) else Decimal(str(value))
        number = number.quantize(Decimal("0.01"))
    except (ValueError, InvalidOperation):
        raise ValidationError({field_name: [_("Enter a number, e.g. 85,5.")]}) from None
    if not low <= number <= high:
        raise ValidationError({field_name: [_("Enter a value between %(low)s and %(high)s.") % {
            "low": format_number(low, 2, trim=True), "high": format_number(high, 2, trim=True)}]})
    return number


@transaction.atomic
def measurement_add(*, actor, child: Child, measured_on, height_cm=None, weight_kg=None,
                    request=None) -> Measurement:
    require(actor, EDIT, child.commune)
    day = _day(measured_on, "measured_on", required=True)
    if day < child.birth_date:
        raise ValidationError({"measured_on": [_("The date cannot be before the child's birth.")]})
    height = _decimal(height_cm, "height_cm", Decimal(30), Decimal(200))
    weight = _decimal(weight_kg, "weight_kg", Decimal("0.5"), Decimal(150))
    if height is None and weight is None:
        raise ValidationError({"height_cm": [_("Enter the height, the weight or both.")]})
    m = Measurement.objects.create(child=child, measured_on=day, height_cm=height and height.quantize(Decimal("0.1")),
                                   weight_kg=weight)
    record(actor, "registry.child.measurement_add", child, unit=child.commune, request=request, summary={
        "measured_on": day.isoformat(), "height_cm": str(m.height_cm or ""), "weight_kg": str(m.weight_kg or "")})
    return m


# ---------------------------------------------------------------- households

HOUSEHOLD_FIELDS = ("head_name", "village", "address", "poverty_status")
# How people write the poverty status (folded): the review's own words, with and without "hộ", and the codes.
_POVERTY_WORDS = {
    "poor": PovertyStatus.POOR, "ngheo": PovertyStatus.POOR, "ho ngheo": PovertyStatus.POOR,
    "near_poor": PovertyStatus.NEAR_POOR, "near-poor": PovertyStatus.NEAR_POOR, "near poor": PovertyStatus.NEAR_POOR,
    "can ngheo": PovertyStatus.NEAR_POOR, "ho can ngheo": PovertyStatus.NEAR_POOR,
    "not_poor": PovertyStatus.NOT_POOR, "not poor": PovertyStatus.NOT_POOR, "khong": PovertyStatus.NOT_POOR,
    "khong ngheo": PovertyStatus.NOT_POOR, "unknown": PovertyStatus.UNKNOWN, "chua ro": PovertyStatus.UNKNOWN,
}
# A child who joins or starts a household lives in the commune: not one who left the register.
_HOUSEHOLD_STATUSES = (ChildStatus.ACTIVE,)


def household_search_text(head_name: str, village: str) -> str:
    """What the household search matches (Household.search_folded): the head's name and the village, folded."""
    return fold(f"{head_name} {village}")[:275]


def normalise_household(data: dict, *, partial: bool = False) -> Normalised:
    out = Normalised(data={})
    present = set(data) if partial else set(HOUSEHOLD_FIELDS)
    if "head_name" in present:
        name = normalize_name(data.get("head_name"))
        if len(name) > 150:
            out.errors["head_name"] = _("The name is too long (150 characters at most).")
        out.data["head_name"] = name
    for name, limit in (("village", 120), ("address", 250)):
        if name in present:
            text = clean_text(data.get(name))
            if len(text) > limit:
                out.errors[name] = _("Too long (%(n)s characters at most).") % {"n": limit}
            out.data[name] = text
    if "poverty_status" in present:
        raw = data.get("poverty_status")
        status = PovertyStatus.UNKNOWN if raw in (None, "") else _POVERTY_WORDS.get(fold(str(raw)))
        if status is None:
            out.errors["poverty_status"] = _("Choose one of the listed answers.")
        out.data["poverty_status"] = status or PovertyStatus.UNKNOWN
    return out


def _household_snapshot(household: Household) -> dict:
    return {name: getattr(household, name) for name in (*HOUSEHOLD_FIELDS, "commune")}


def _primary_carer(child: Child) -> Carer | None:
    link = (ChildCarer.objects.filter(child=child).select_related("carer").order_by("-primary", "created_at", "id")
            .first())
    return link.carer if link else None


def _join(actor, child: Child, household: Household | None, request) -> Child:
    """Put a (locked) child into `household` (None: out of any), with the audit event on the child."""
    before = child.household_id
    child.household = household
    _save_versioned(child, ["household"])
    verb = "household_leave" if household is None else "household_join"
    record(actor, f"registry.child.{verb}", child, unit=child.commune, request=request,
           summary={"household": [_plain_id(before), _plain_id(household.pk if household else None)]})
    return child


def _plain_id(value) -> str | None:
    return str(value) if value else None


def _check_joinable(child: Child, household: Household) -> None:
    if child.commune_id != household.commune_id:
        raise ValidationError({"child": [_("This child lives in another commune: a household holds children of its "
                                           "own commune only.")]})
    if child.status not in _HOUSEHOLD_STATUSES:
        raise ValidationError({"child": [_("Only a child on the active register can join a household.")]})


@transaction.atomic
def household_create(*, actor, child: Child | None = None, commune: Unit | None = None, data: dict | None = None,
                     request=None) -> Household:
    """A new household. From a child: in her commune, with her village and address, headed by her primary carer
    (for the fields `data` leaves out); the child joins it, and so does the primary carer if in no household yet.
    Without a child: in `commune`, from `data` alone."""
    data = dict(data or {})
    carer = None
    if child is not None:
        child = _locked(child, None)
        commune = child.commune
        require(actor, EDIT, commune)
        if child.status not in _HOUSEHOLD_STATUSES:
            raise ValidationError({"child": [_("Only a child on the active register can join a household.")]})
        carer = _primary_carer(child)
        prefill = {"village": child.village, "address": child.address, "head_name": carer.full_name if carer else ""}
        data = {**prefill, **data}  # what was sent (even emptied) wins over the prefill
    elif commune is None:
        raise ValidationError({"commune": [_("Choose a commune of the current structure.")]})
    else:
        _commune(commune)
        require(actor, EDIT, commune)
    clean = normalise_household({k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    _raise(clean.errors)
    household = Household(commune=commune, **clean.data,
                          search_folded=household_search_text(clean.data["head_name"], clean.data["village"]))
    household.save()
    record(actor, "registry.household.create", household, unit=commune, request=request,
           summary={**changes({}, _household_snapshot(household)), "child": _plain_id(child and child.pk)})
    if child is not None:
        previous = child.household_id
        _join(actor, child, household, request)
        if previous:
            _record_member_left(actor, previous, child, request)
        if carer is not None and carer.household_id is None:
            _carer_join(actor, carer, household, request)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, data: dict, version: int | None = None,
                     request=None) -> Household:
    """Change the head, village, address or poverty status. `version` is the one the person saw (stale: conflict)."""
    current = Household.objects.select_for_update().select_related("commune").get(pk=household.pk)
    require(actor, EDIT, current.commune)
    if version is not None and int(version) != current.version:
        raise VersionConflict()
    clean = normalise_household({k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS}, partial=True)
    _raise(clean.errors)
    before = _household_snapshot(current)
    for name, value in clean.data.items():
        setattr(current, name, value)
    diff = changes(before, _household_snapshot(current))
    if not diff:
        return current
    current.search_folded = household_search_text(current.head_name, current.village)
    done = Household.objects.filter(pk=current.pk, version=current.version).update(
        **clean.data, search_folded=current.search_folded, version=F("version") + 1, updated_at=timezone.now())
    if not done:
        raise VersionConflict()
    current.version += 1
    record(actor, "registry.household.update", current, unit=current.commune, request=request, summary=diff)
    return current


def _locked_household(household: Household) -> Household:
    return Household.objects.select_for_update().select_related("commune").get(pk=household.pk)


def _record_member_left(actor, household_id, child: Child, request) -> None:
    left = Household.objects.filter(pk=household_id).select_related("commune").first()
    if left is not None:
        record(actor, "registry.household.child_leave", left, unit=left.commune, request=request,
               summary={"child": str(child.pk), "name": child.full_name})


@transaction.atomic
def child_set_household(*, actor, child: Child, household: Household, request=None) -> Child:
    """The child lives in `household` (of her own commune); she leaves the one she was in, if any."""
    household = _locked_household(household)
    require(actor, EDIT, household.commune)
    current = _locked(child, None)
    _check_joinable(current, household)  # another commune's child: refused whoever asks
    require(actor, EDIT, current.commune)
    if current.household_id == household.pk:
        raise ValidationError({"child": [_("The child is already in this household.")]})
    previous = current.household_id
    _join(actor, current, household, request)
    if previous:
        _record_member_left(actor, previous, current, request)
    record(actor, "registry.household.child_join", household, unit=household.commune, request=request,
           summary={"child": str(current.pk), "name": current.full_name})
    return current


@transaction.atomic
def child_leave_household(*, actor, child: Child, request=None) -> Child:
    """The child no longer lives in her household (the household and its other members stay)."""
    current = _locked(child, None)
    require(actor, EDIT, current.commune)
    if current.household_id is None:
        raise ValidationError({"child": [_("The child is in no household.")]})
    previous = current.household_id
    _join(actor, current, None, request)
    _record_member_left(actor, previous, current, request)
    return current


def _carer_join(actor, carer: Carer, household: Household | None, request, left: Household | None = None) -> None:
    before = carer.household_id
    Carer.objects.filter(pk=carer.pk).update(household=household, version=F("version") + 1,
                                              updated_at=timezone.now())
    carer.household = household
    about = household or left
    verb = "carer_join" if household is not None else "carer_leave"
    record(actor, f"registry.household.{verb}", about, unit=about.commune, request=request,
           summary={"carer": str(carer.pk), "name": carer.full_name,
                    "household": [_plain_id(before), _plain_id(household.pk if household else None)]})


@transaction.atomic
def carer_set_household(*, actor, child: Child, carer: Carer, request=None) -> Carer:
    """A carer of the child lives in the child's household (and leaves the one she was in)."""
    child = Child.objects.select_related("commune").get(pk=child.pk)  # the household as saved, not as passed
    if child.household_id is None:
        raise ValidationError({"carer": [_("The child is in no household yet: create it or add her to one.")]})
    household = _locked_household(child.household)
    require(actor, EDIT, household.commune)
    require(actor, EDIT, child.commune)
    if not ChildCarer.objects.filter(child=child, carer=carer).exists():
        raise ValidationError({"carer": [_("This person is not a carer of the child.")]})
    carer = Carer.objects.select_for_update().get(pk=carer.pk)
    if carer.household_id == household.pk:
        raise ValidationError({"carer": [_("This carer is already in the household.")]})
    _carer_join(actor, carer, household, request)
    return carer


@transaction.atomic
def carer_leave_household(*, actor, household: Household, carer: Carer, request=None) -> Carer:
    """A carer no longer lives in the household."""
    household = _locked_household(household)
    require(actor, EDIT, household.commune)
    carer = Carer.objects.select_for_update().get(pk=carer.pk)
    if carer.household_id != household.pk:
        raise ValidationError({"carer": [_("This carer is not in the household.")]})
    _carer_join(actor, carer, None, request, left=household)
    return carer


@transaction.atomic
def child_join_carer_household(*, actor, child: Child, carer: Carer, relation: str = CarerRelation.UNKNOWN,
                               request=None) -> Household:
    """A child added by hand whose carer is already on the commune's register (same name and phone,
    selectors.household_offer): the existing carer record becomes her primary carer (no second record of the same
    person) and she joins that carer's household, as an import groups siblings. Each step writes its audit event."""
    require(actor, EDIT, child.commune)
    carer = Carer.objects.select_for_update().get(pk=carer.pk)
    household = carer.household or Household.objects.filter(
        children__carer_links__carer=carer, commune=child.commune).order_by("created_at").first()
    if household is None or household.commune_id != child.commune_id:
        raise ValidationError({"household": [_("This carer has no household in the child's commune.")]})
    carer_link(actor=actor, child=child, carer=carer, relation=relation, primary=True, request=request)
    child_set_household(actor=actor, child=child, household=household, request=request)
    if carer.household_id is None:
        _carer_join(actor, carer, household, request)
    return household


__all__ = [
    "EDITABLE_FIELDS", "HOUSEHOLD_FIELDS", "VersionConflict", "carer_leave_household", "carer_link",
    "carer_set_household", "carer_unlink", "child_accept_move", "child_cancel_move", "child_create",
    "child_join_carer_household", "child_leave_household", "child_mark_deceased", "child_mark_in_error",
    "child_record_move", "child_set_household",
    "child_update", "children_mark_over_16", "circumstance_add", "circumstance_end", "hold_personal_ids",
    "household_create", "household_search_text", "household_update", "measurement_add", "normalise_child",
    "normalise_household", "personal_id_in_use", "personal_id_taken", "quality_flags", "risk_add", "risk_end",
]
