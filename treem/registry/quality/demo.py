"""Demo data quality: findings for the demo communes, a duplicates pass per demo province (the registry demo plants a
few duplicates), and a synthetic extract of the population database for one demo commune, written where the linkage
page finds it (TREEM_POPULATION_DIR, by default var/population/), so the comparison can be tried.

Runs after the registry's demo (app order). Without demo children it does nothing. Idempotent: communes already
checked and provinces already compared are left alone; the extract is written once. No real person.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path

from django.db.models import Prefetch

from treem.accounts.demo import DEMO_PROVINCES
from treem.audit.models import AuditEvent
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import CarerRelation, Child, ChildCarer, ChildStatus
from treem.registry.synthetic_load import legacy_province_code

from . import duplicates, findings
from .dates import format_date
from .export import write_csv
from .linkage import population_dir
from .models import CommuneSummary
from .personal_id import check_personal_id, make_personal_id
from .sex import LABELS

MARKER = "demo.quality.load"
_GIVEN = ["An", "Bình", "Chi", "Dung", "Hà", "Khánh"]
EXTRACT_HEADERS = ["personal_id", "full_name", "birth_date", "sex", "ethnicity", "commune_code", "father_name",
                   "mother_name"]
# Spellings that differ between a commune register and the civil status records (old and new tone placement, i/y).
_SPELLINGS = {"Thủy": "Thuỷ", "Thúy": "Thuý", "Hòa": "Hoà", "Vy": "Vi", "My": "Mi", "Ly": "Li", "Thùy": "Thuỳ",
              "Quý": "Quí", "Mỹ": "Mĩ", "Nhi": "Nhy"}


def _communes() -> list[Unit]:
    codes = [code for _short, _legacy, communes in DEMO_PROVINCES.values() for code in communes]
    units = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code__in=codes)
    return sorted(units, key=lambda u: codes.index(u.code))


def extract_path(commune: Unit) -> Path:
    return population_dir() / f"trich-xuat-dan-cu-{commune.code}.csv"


def _respell(name: str) -> str | None:
    words = name.split()
    for i, word in enumerate(words):
        other = _SPELLINGS.get(word)
        if other and other != word:
            return " ".join([*words[:i], other, *words[i + 1:]])
    return None


def population_rows(commune: Unit, seed: int) -> list[list]:
    """The commune's children as the population database would hold them: every ID present and well formed, and a
    few facts the register got wrong (day and month swapped, spelling of the name), plus people not on the register."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    province_code = legacy_province_code(commune)
    links = ChildCarer.objects.select_related("carer").order_by("-primary", "pk")
    children = list(Child.objects.filter(commune=commune, status=ChildStatus.ACTIVE)
                    .prefetch_related(Prefetch("carer_links", queryset=links)).order_by("pk"))
    used = {c.personal_id for c in children}
    # A record without an ethnic group gets the group most children of the same surname have.
    by_surname: dict[str, Counter] = defaultdict(Counter)
    for c in children:
        if c.ethnicity and c.full_name:
            by_surname[c.full_name.split()[0]][c.ethnicity] += 1
    rows = []
    for child in children:
        pid = child.personal_id
        if check_personal_id(pid, child.sex, child.birth_date):
            pid = make_personal_id(province_code, child.sex, child.birth_date.year, rng)
            while pid in used:
                pid = make_personal_id(province_code, child.sex, child.birth_date.year, rng)
            used.add(pid)
        born, name = child.birth_date, child.full_name
        roll = rng.random()
        if roll < 0.03 and born.day <= 12 and born.day != born.month:
            swapped = born.replace(day=born.month, month=born.day)
            born = swapped if swapped <= child.created_at.date() else born
        elif roll < 0.08 and (respelled := _respell(name)):
            name = respelled
        father = mother = ""
        carers = list(child.carer_links.all())
        if carers:
            link = carers[0]
            if link.relation == CarerRelation.FATHER:
                father = link.carer.full_name
            else:
                mother = link.carer.full_name
        surname = (child.full_name.split() or [""])[0]
        ethnicity = child.ethnicity or (by_surname[surname].most_common(1) or [("Kinh", 0)])[0][0]
        rows.append([pid, name, format_date(born), LABELS.get(child.sex, ""), ethnicity, commune.code, father,
                     mother])
    # Children born in the commune but not (yet) on its register.
    for _ in range(max(5, len(children) // 20)):
        template = rng.choice(children)
        sex = rng.choice(("M", "F"))
        born = template.birth_date.replace(day=rng.randint(1, 28))
        name = " ".join([template.full_name.split()[0], "Văn" if sex == "M" else "Thị", rng.choice(_GIVEN)])
        rows.append([make_personal_id(province_code, sex, born.year, rng), name, format_date(born), LABELS[sex],
                     template.ethnicity or "Kinh", commune.code, "", ""])
    rng.shuffle(rows)
    return rows


def load(stdout) -> None:
    communes = [c for c in _communes() if Child.objects.filter(commune=c).exists()]
    if not communes:
        stdout.write("quality demo: no demo children (run the registry demo first); nothing to do\n")
        return
    checked = 0
    for commune in communes:
        if CommuneSummary.objects.filter(commune=commune, checked_at__isnull=False).exists():
            continue
        result = findings.check_commune(commune)
        record(SYSTEM, "quality.check.run", None, unit=commune, summary=result.as_dict())
        checked += 1
    pairs = 0
    if not AuditEvent.objects.filter(action=MARKER).exists():
        by_province: dict[int, list[Unit]] = {}
        for commune in communes:
            by_province.setdefault(commune.province_id, []).append(commune)
        for units in by_province.values():
            result = duplicates.run_duplicates(units)
            pairs += result["pairs"]
        record(SYSTEM, MARKER, summary={"communes": [c.code for c in communes], "pairs": pairs})
    path = extract_path(communes[0])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(population_rows(communes[0], seed=int(communes[0].code)), EXTRACT_HEADERS, path)
    stdout.write(f"quality demo: {checked} communes checked, {pairs} possible duplicates, population extract "
                 f"{path}\n")
