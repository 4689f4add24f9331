"""Turning quality.synthetic records into register rows (children, carers, circumstances), inserted in bulk.

Used by the demo loader (a few hundred children per demo commune) and by `treem generate-children` (a province's
worth of children for benchmarks). No real person is in here.
"""

import random
import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from treem.core import bulk
from treem.core.text import fold
from treem.geo.models import Unit, UnitConversion, UnitLevel, UnitSystem

from .models import (
    Carer,
    CarerRelation,
    Child,
    ChildCarer,
    ChildCircumstance,
    CircumstanceGroup,
    Immunisation,
    Measurement,
    YesNoUnknown,
)
from .quality.export import write_csv, write_xlsx
from .quality.synthetic import generate_children
from .services import quality_flags

RELATIONS = {"mẹ": CarerRelation.MOTHER, "cha": CarerRelation.FATHER, "ông/bà": CarerRelation.GRANDPARENT,
             "người giám hộ": CarerRelation.GUARDIAN}
FILE_HEADERS = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Dân tộc", "Số định danh cá nhân", "Thôn/bản/ấp",
                "Họ tên cha/mẹ/người chăm sóc", "Số điện thoại", "Đã đăng ký khai sinh"]


def legacy_province_code(unit: Unit) -> int:
    """The pre-2025 province code a current commune (or province) mostly came from: the prefix of most local IDs."""
    province = unit if unit.level == UnitLevel.PROVINCE else unit.province
    if unit.level == UnitLevel.COMMUNE:
        conversion = (UnitConversion.objects.filter(current=unit).select_related("legacy__province")
                      .order_by("partial", "legacy__code").first())
        if conversion and conversion.legacy.province:
            return int(conversion.legacy.province.code)
    conversion = (UnitConversion.objects.filter(current=province, legacy__level=UnitLevel.PROVINCE)
                  .select_related("legacy").order_by("legacy__code").first())
    return int(conversion.legacy.code) if conversion else int(province.code)


def records_for(communes: list[Unit], count: int, seed: int, as_of: date, planted_duplicates: int = 0):
    codes = [c.code for c in communes]
    records, pairs = generate_children(count, codes, legacy_province_code(communes[0]), seed=seed,
                                       planted_duplicates=planted_duplicates, as_of=as_of)
    return records, pairs


def build_rows(records: Iterable[dict], communes: dict[str, Unit], *, source: str, rng: random.Random,
               today: date, groups: dict[str, CircumstanceGroup] | None = None,
               measurements: bool = False) -> dict[str, list]:
    """Model instances (not saved) for the records: children, carers, links, circumstances, measurements."""
    now = timezone.now()
    out: dict[str, list] = {"children": [], "carers": [], "links": [], "circumstances": [], "measurements": []}
    carer_of_family: dict[tuple, Carer] = {}
    for r in records:
        commune = communes[r["commune_code"]]
        name = r["full_name"]
        if rng.random() < 0.01:  # typed without diacritics
            name = " ".join(w.capitalize() for w in fold(name).split())
        child = Child(
            id=uuid.uuid4(), full_name=name, name_folded=fold(name), sex=r["sex"], birth_date=r["birth_date"],
            ethnicity=r["ethnicity"] if rng.random() > 0.01 else "", personal_id=r["personal_id"] or "",
            birth_registered=YesNoUnknown.YES if r["birth_registered"] else YesNoUnknown.NO,
            province_id=commune.province_id, commune_id=commune.pk, village=r["village"], source=source,
            attends_school=YesNoUnknown.YES if (today - r["birth_date"]).days > 6 * 365 else YesNoUnknown.UNKNOWN,
            immunisation=rng.choice([Immunisation.FULL] * 8 + [Immunisation.PARTIAL, Immunisation.UNKNOWN]),
            created_at=now, updated_at=now)
        child.quality_flags = quality_flags(child)
        child.has_quality_issues = bool(child.quality_flags)
        out["children"].append(child)
        family = (r["commune_code"], r["carer_name"], r["village"])
        carer = carer_of_family.get(family)
        if carer is None:
            carer = Carer(id=uuid.uuid4(), full_name=r["carer_name"], name_folded=fold(r["carer_name"]),
                          phone=r["carer_phone"] or "", created_at=now, updated_at=now)
            carer_of_family[family] = carer
            out["carers"].append(carer)
        out["links"].append(ChildCarer(child_id=child.pk, carer_id=carer.pk, created_at=now, primary=True,
                                       relation=RELATIONS.get(r["carer_relation"], CarerRelation.OTHER)))
        for code in r["special_circumstances"]:
            if groups and code in groups:
                started = r["birth_date"] + timedelta(days=rng.randrange(max(1, (today - r["birth_date"]).days)))
                out["circumstances"].append(ChildCircumstance(
                    child_id=child.pk, group=groups[code], started_on=started, supported=rng.random() < 0.7,
                    source="Rà soát của xã", created_at=now, updated_at=now))
        age_days = (today - r["birth_date"]).days
        if measurements and age_days < 5 * 365 and rng.random() < 0.4:
            months = age_days / 30.4
            height = Decimal(str(round(50 + 25 * min(months, 12) / 12 + max(0, months - 12) * 0.8, 1)))
            weight = Decimal(str(round(3.3 + 6.5 * min(months, 12) / 12 + max(0, months - 12) * 0.18, 2)))
            out["measurements"].append(Measurement(child_id=child.pk, measured_on=today - timedelta(days=30),
                                                   height_cm=height, weight_kg=weight, created_at=now,
                                                   updated_at=now))
    return out


def insert_rows(rows: dict[str, list]) -> None:
    bulk.insert_many(Child, rows["children"])
    bulk.insert_many(Carer, rows["carers"])
    bulk.insert_many(ChildCarer, rows["links"])
    if rows["circumstances"]:
        ChildCircumstance.objects.bulk_create(rows["circumstances"], batch_size=1000)
    if rows["measurements"]:
        Measurement.objects.bulk_create(rows["measurements"], batch_size=1000)


def generate_into_database(communes: list[Unit], count: int, *, seed: int, source: str = "synthetic",
                           chunk: int = 50_000, progress=None) -> int:
    """Insert `count` synthetic children spread over `communes`, in chunks of one transaction each."""
    today = timezone.localdate()
    records, _pairs = records_for(communes, count, seed, today)
    by_code = {c.code: c for c in communes}
    groups = {g.code: g for g in CircumstanceGroup.objects.all()}
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    done = 0
    batch: list[dict] = []

    def flush():
        nonlocal done
        with transaction.atomic():
            insert_rows(build_rows(batch, by_code, source=source, rng=rng, today=today, groups=groups))
        done += len(batch)
        batch.clear()
        if progress:
            progress(done)

    for record in records:
        batch.append(record)
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return done


def write_file(communes: list[Unit], count: int, *, seed: int, path: str, planted_duplicates: int = 0) -> int:
    """An import-format spreadsheet (CSV or XLSX by extension) of synthetic children. Writes nothing to the DB."""
    today = timezone.localdate()
    records, _pairs = records_for(communes, count, seed, today, planted_duplicates)

    def rows():
        for number, r in enumerate(records, start=1):
            yield [number, r["full_name"], "Nam" if r["sex"] == "M" else "Nữ", r["birth_date"], r["ethnicity"],
                   r["personal_id"] or "", r["village"], r["carer_name"], r["carer_phone"] or "",
                   "Có" if r["birth_registered"] else "Chưa"]

    if str(path).lower().endswith(".xlsx"):
        write_xlsx(rows(), FILE_HEADERS, path)
    else:
        write_csv(rows(), FILE_HEADERS, path)
    return count + planted_duplicates


def current_communes(province_code: str) -> list[Unit]:
    return list(Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE,
                                    province__code=province_code).select_related("province").order_by("code"))
