"""Demo agencies and users: three provinces of the seed documents, in today's structure, and a user for every role.

The password is generated once per installation (var/demo_password) and printed: never a password in the repository.
"""

import json
import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .models import Agency, AgencyKind, AgencySuccession, Assignment, Role, User

AGENCY_TEMPLATES = Path(__file__).parent / "data" / "provincial_agencies.json"

# Current province code -> (short name, legacy provinces merged into it, demo communes).
DEMO_PROVINCES = {
    "12": ("Lai Châu", {"12": "Lai Châu"}, ["03390", "03394"]),
    "91": ("An Giang", {"89": "An Giang", "91": "Kiên Giang"}, ["30742", "30307"]),
    "92": ("Cần Thơ", {"92": "Cần Thơ", "94": "Sóc Trăng", "93": "Hậu Giang"}, ["31507", "31135"]),
}
# Synthetic names for the demo staff (no real person): family x middle x given names, each demo person a different one.
FAMILY_NAMES = ["Lò", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
                "Thạch", "Danh", "Giàng", "Tẩn", "Huỳnh", "Võ"]
MIDDLE_NAMES = {"F": ["Thị", "Ngọc", "Thu", "Minh"], "M": ["Văn", "Quang", "Minh", "Đức"]}
GIVEN_NAMES = {"F": ["Hoa", "Lan", "Thu", "Mai", "Hằng", "Ngọc", "Yến", "Sa Rinh", "Mẩy", "Trâm", "Hương", "Nga"],
               "M": ["Minh", "Huy", "Nam", "Long", "Tuấn", "Dũng", "Sơn", "Tài", "Páo", "Khải", "Thắng", "Phúc"]}


def staff_name(username: str) -> str:
    """A synthetic full name, stable per username and not yet given to another user."""
    seed = sum(i * ord(c) for i, c in enumerate(username, start=1))
    taken = set(User.objects.exclude(username=username).values_list("full_name", flat=True))
    for step in range(len(FAMILY_NAMES) * 4 * 12 * 2):
        n = seed + step * 7919
        sex = "FM"[n % 2]
        name = (f"{FAMILY_NAMES[n % len(FAMILY_NAMES)]} {MIDDLE_NAMES[sex][n // 2 % 4]} "
                f"{GIVEN_NAMES[sex][n // 8 % 12]}")
        if name not in taken and MIDDLE_NAMES[sex][n // 2 % 4] != GIVEN_NAMES[sex][n // 8 % 12]:
            return name
    return username


PROVINCE_ROLES = [("quantri", Role.ADMINISTRATOR), ("tinh", Role.FOCAL_OFFICER), ("lanhdao", Role.LEADER),
                  ("tongdai", Role.HOTLINE_OPERATOR), ("canbo.tinh", Role.CASE_WORKER)]
COMMUNE_ROLES = [("canbo", Role.COMMUNE_WORKER), ("chutich", Role.COMMUNE_CHAIR), ("ctv", Role.VILLAGE_COLLABORATOR)]
LEGACY_END = date(2025, 6, 30)


def demo_password() -> str:
    path = Path(settings.VAR_DIR) / "demo_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Treem-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


def _slug(name: str) -> str:
    words = fold(name).split()
    return "".join(words[1:] if words and words[0] in {"xa", "phuong", "dac", "tinh"} else words).replace("khu", "")


# A centrally-run city's bodies are the city's: Ủy ban nhân dân thành phố, Thành ủy, Thành đoàn, Công an thành phố.
CITY_NAMES = [("Tỉnh ủy", "Thành ủy"), ("Tỉnh đoàn", "Thành đoàn"), ("tỉnh", "thành phố")]


def is_city(unit: Unit) -> bool:
    return (unit.kind or "").lower().startswith("thành phố") or unit.name.startswith("Thành phố")


def named_for(name: str, city: bool) -> str:
    """An agency's name after the kind of its unit: "Tỉnh ủy Cần Thơ" -> "Thành ủy Cần Thơ" for a city."""
    if city:
        for province_word, city_word in CITY_NAMES:
            name = name.replace(province_word, city_word)
    return name


def _load_agencies(province: Unit, short_name: str, system_province: Unit | None = None, valid_to=None) -> dict:
    """Create a province's agencies from the template; return them by template key."""
    owner = system_province or province
    city = is_city(owner)
    created = {}
    for t in json.loads(AGENCY_TEMPLATES.read_text())["agencies"]:
        as_province = t["name"].format(province=short_name)
        name, short = named_for(as_province, city), named_for(t["short"], city)
        if city:  # demo data of an older version named a city's bodies as a province's
            Agency.objects.filter(province=owner, name=as_province).exclude(name=name).update(
                name=name, name_folded=fold(name))
        end = date.fromisoformat(t["valid_to"]) if t.get("valid_to") else None
        start = date.fromisoformat(t["valid_from"]) if t.get("valid_from") else None
        if valid_to is not None:
            if start:
                continue  # created after the legacy province ended
            end = min(end, valid_to) if end else valid_to
        agency, _ = Agency.objects.update_or_create(
            province=owner, name=name, valid_from=start,
            defaults={"short_name": short, "kind": t["kind"], "name_folded": fold(name), "valid_to": end},
        )
        created[t["key"]] = (agency, t)
    return created


def _link_successors(agencies: dict, successors_pool: dict, effective_default: date | None = None) -> None:
    for agency, template in agencies.values():
        pairs = template.get("successors", [])
        if effective_default is not None and not pairs:
            pairs = [[template["key"], ""]]  # a merged province's agency -> the same agency of the new province
        for key, functions in pairs:
            if key not in successors_pool:
                continue
            effective = date.fromordinal(agency.valid_to.toordinal() + 1) if agency.valid_to else effective_default
            AgencySuccession.objects.update_or_create(
                predecessor=agency, successor=successors_pool[key][0],
                defaults={"effective": effective, "functions": functions},
            )


def _commune_committees(province: Unit) -> None:
    existing = set(Agency.objects.filter(province=province, kind=AgencyKind.COMMUNE_COMMITTEE)
                   .values_list("unit_id", flat=True))
    Agency.objects.bulk_create([
        Agency(name=f"Ủy ban nhân dân {c.name}", short_name=f"UBND {c.name}",
               name_folded=fold(f"Ủy ban nhân dân {c.name}"), kind=AgencyKind.COMMUNE_COMMITTEE,
               province=province, unit=c, valid_from=date(2025, 7, 1))
        for c in Unit.objects.filter(province=province, level=UnitLevel.COMMUNE) if c.pk not in existing
    ])


def _user(username: str, password: str, **extra) -> User:
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User.objects.create(username=username, full_name=staff_name(username), **extra)
    elif User.objects.filter(full_name=user.full_name).exclude(pk=user.pk).exists():
        user.full_name = staff_name(username)  # demo data of an older version gave two people one name
        user.save(update_fields=["full_name"])
    if created:  # an existing demo user keeps its password: hashing 35 passwords again would slow every start
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _assign(user: User, role: str, unit: Unit | None = None, agency: Agency | None = None) -> None:
    Assignment.objects.get_or_create(user=user, role=role, unit=unit, agency=agency,
                                     defaults={"valid_from": date(2025, 7, 1)})


@transaction.atomic
def load(stdout) -> None:
    password = demo_password()
    logins = []
    admin = _user("quantri", password, is_staff=True, is_superuser=True)
    _assign(admin, Role.ADMINISTRATOR)
    auditor = _user("kiemtoan", password)
    _assign(auditor, Role.AUDITOR)
    logins += [("quantri", Role.ADMINISTRATOR.label, "toàn quốc"), ("kiemtoan", Role.AUDITOR.label, "toàn quốc")]

    for code, (short, legacy, communes) in DEMO_PROVINCES.items():
        province = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code)
        current_agencies = _load_agencies(province, short)
        _link_successors(current_agencies, current_agencies)
        for legacy_code, legacy_name in legacy.items():
            if legacy_name == short:
                continue
            legacy_province = Unit.objects.get(system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE, code=legacy_code)
            old = _load_agencies(province, legacy_name, system_province=legacy_province, valid_to=LEGACY_END)
            _link_successors(old, current_agencies, effective_default=date(2025, 7, 1))
        _commune_committees(province)
        slug = _slug(short)
        for prefix, role in PROVINCE_ROLES:
            user = _user(f"{prefix}.{slug}", password)
            _assign(user, role, unit=province)
            logins.append((user.username, role.label, province.name))
        reporter = _user(f"soyte.{slug}", password)
        _assign(reporter, Role.AGENCY_REPORTER, agency=current_agencies["soyte"][0])
        logins.append((reporter.username, Role.AGENCY_REPORTER.label, f"Sở Y tế, {province.name}"))
        for commune_code in communes:
            commune = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=commune_code)
            for prefix, role in COMMUNE_ROLES:
                user = _user(f"{prefix}.{_slug(commune.name)}", password)
                _assign(user, role, unit=commune)
                logins.append((user.username, role.label, f"{commune.name}, {province.name}"))
    record(SYSTEM, "demo.accounts.load", summary={"users": len(logins)})

    stdout.write(f"\nDemo logins (password for every demo user: {password})\n")
    width = max(len(u) for u, _, _ in logins)
    for username, role, where in logins:
        stdout.write(f"  {username.ljust(width)}  {role} — {where}\n")
