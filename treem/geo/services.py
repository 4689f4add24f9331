"""Load the administrative units and the official conversion from the vietnam-provinces package."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from treem.core.collation import proper_name
from treem.core.text import fold

from .models import REFORM_DATE, Unit, UnitConversion, UnitLevel, UnitSystem

LEGACY_END = REFORM_DATE - timedelta(days=1)


@dataclass(frozen=True)
class LoadReport:
    current_provinces: int
    current_communes: int
    legacy_provinces: int
    legacy_districts: int
    legacy_communes: int
    conversions: int
    changed: bool


def _upsert(rows: list[Unit]) -> None:
    Unit.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["system", "level", "code"],
        update_fields=["name", "name_folded", "sort_name", "kind", "parent", "province", "valid_from", "valid_to"],
    )


def _ids(system: str, level: str) -> dict[str, int]:
    return dict(Unit.objects.filter(system=system, level=level).values_list("code", "id"))


def _unit(system, level, code, name, kind, parent_id=None, province_id=None) -> Unit:
    current = system == UnitSystem.CURRENT
    return Unit(
        system=system, level=level, code=code, name=name, name_folded=fold(name), kind=str(kind),
        sort_name=proper_name(name, str(kind)),
        parent_id=parent_id, province_id=province_id,
        valid_from=REFORM_DATE if current else None, valid_to=None if current else LEGACY_END,
    )


def _load_current() -> None:
    from vietnam_provinces import Province, Ward

    _upsert([
        _unit(UnitSystem.CURRENT, UnitLevel.PROVINCE, f"{p.code.value:02d}", p.name, p.division_type)
        for p in Province.iter_all()
    ])
    provinces = _ids(UnitSystem.CURRENT, UnitLevel.PROVINCE)
    _upsert([
        _unit(UnitSystem.CURRENT, UnitLevel.COMMUNE, f"{w.code.value:05d}", w.name, w.division_type,
              parent_id=provinces[f"{w.province_code.value:02d}"],
              province_id=provinces[f"{w.province_code.value:02d}"])
        for w in Ward.iter_all()
    ])


def _load_legacy() -> None:
    from vietnam_provinces.legacy import District, Province, Ward

    _upsert([
        _unit(UnitSystem.LEGACY, UnitLevel.PROVINCE, f"{p.code.value:02d}", p.name, p.division_type)
        for p in Province.iter_all()
    ])
    provinces = _ids(UnitSystem.LEGACY, UnitLevel.PROVINCE)
    district_province = {}
    rows = []
    for d in District.iter_all():
        province_id = provinces[f"{d.province_code.value:02d}"]
        district_province[f"{d.code.value:03d}"] = province_id
        rows.append(_unit(UnitSystem.LEGACY, UnitLevel.DISTRICT, f"{d.code.value:03d}", d.name, d.division_type,
                          parent_id=province_id, province_id=province_id))
    _upsert(rows)
    districts = _ids(UnitSystem.LEGACY, UnitLevel.DISTRICT)
    _upsert([
        _unit(UnitSystem.LEGACY, UnitLevel.COMMUNE, f"{w.code.value:05d}", w.name, w.division_type,
              parent_id=districts[f"{w.district_code.value:03d}"],
              province_id=district_province[f"{w.district_code.value:03d}"])
        for w in Ward.iter_all()
    ])


def _load_conversions() -> None:
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCES_OLD_TO_NEW
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARDS_OLD_TO_NEW

    legacy_provinces = _ids(UnitSystem.LEGACY, UnitLevel.PROVINCE)
    current_provinces = _ids(UnitSystem.CURRENT, UnitLevel.PROVINCE)
    legacy_communes = _ids(UnitSystem.LEGACY, UnitLevel.COMMUNE)
    current_communes = _ids(UnitSystem.CURRENT, UnitLevel.COMMUNE)
    rows = []
    for entry in PROVINCES_OLD_TO_NEW.values():
        targets = entry.new_provinces
        for new in targets:
            rows.append(UnitConversion(legacy_id=legacy_provinces[f"{entry.old_province.code:02d}"],
                                       current_id=current_provinces[f"{new.code:02d}"], partial=len(targets) > 1))
    for entry in WARDS_OLD_TO_NEW.values():
        legacy_id = legacy_communes.get(f"{entry.old_ward.code:05d}")
        if legacy_id is None:
            continue  # a code in the conversion table that the legacy list no longer carries
        split = entry.old_ward.is_partly_merged or len(entry.new_wards) > 1
        for new in entry.new_wards:
            current_id = current_communes.get(f"{new.code:05d}")
            if current_id is not None:
                rows.append(UnitConversion(legacy_id=legacy_id, current_id=current_id, partial=split))
    UnitConversion.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _counts() -> LoadReport:
    def n(system, level):
        return Unit.objects.filter(system=system, level=level).count()

    return LoadReport(
        current_provinces=n(UnitSystem.CURRENT, UnitLevel.PROVINCE),
        current_communes=n(UnitSystem.CURRENT, UnitLevel.COMMUNE),
        legacy_provinces=n(UnitSystem.LEGACY, UnitLevel.PROVINCE),
        legacy_districts=n(UnitSystem.LEGACY, UnitLevel.DISTRICT),
        legacy_communes=n(UnitSystem.LEGACY, UnitLevel.COMMUNE),
        conversions=UnitConversion.objects.count(),
        changed=False,
    )


def _expected_counts() -> tuple[int, int, int, int, int]:
    from vietnam_provinces import Province, Ward
    from vietnam_provinces.legacy import District
    from vietnam_provinces.legacy import Province as LegacyProvince
    from vietnam_provinces.legacy import Ward as LegacyWard

    return (
        sum(1 for _ in Province.iter_all()), sum(1 for _ in Ward.iter_all()),
        sum(1 for _ in LegacyProvince.iter_all()), sum(1 for _ in District.iter_all()),
        sum(1 for _ in LegacyWard.iter_all()),
    )


def load_units(*, force: bool = False) -> LoadReport:
    """Create or update every unit and conversion. Reference data, not a user action: no actor, no audit event.

    Skips the work when the database already holds the package's counts, so a second `make run` starts at once.
    """
    before = _counts()
    have = (before.current_provinces, before.current_communes, before.legacy_provinces,
            before.legacy_districts, before.legacy_communes)
    if not force and before.conversions and have == _expected_counts():
        return before
    with transaction.atomic():
        _load_current()
        _load_legacy()
        _load_conversions()
    after = _counts()
    return LoadReport(**{**after.__dict__, "changed": True})
