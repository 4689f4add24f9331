"""Demo register: a few hundred synthetic children in each demo commune (treem.accounts.demo.DEMO_PROVINCES), with
carers, ~1% special circumstances, some risks and measurements, children moving between communes, and the data
problems real registers have (missing or malformed personal IDs, names without diacritics, missing ethnic group,
a few planted duplicates). Siblings (children of the same primary carer) live in one household headed by that carer,
~5% of households poor and ~5% near-poor (a seriously ill child of group n always in one of those). Idempotent: a
commune that already has demo children (or demo households) is left alone. No real person.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from treem.accounts.demo import DEMO_PROVINCES
from treem.audit.services import record, record_many
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .models import (
    Carer,
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildRisk,
    ChildStatus,
    CircumstanceGroup,
    Household,
    PovertyStatus,
    RiskFlag,
)
from .reference import load_reference
from .services import household_search_text
from .synthetic_load import build_rows, insert_rows, records_for

SOURCE = "demo"
# Shares of households in the commune's yearly poverty review; the rest are not poor, or not yet reviewed.
P_POOR, P_NEAR_POOR, P_UNREVIEWED = 0.05, 0.05, 0.08


def _communes() -> list[Unit]:
    codes = [code for _short, _legacy, communes in DEMO_PROVINCES.values() for code in communes]
    units = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code__in=codes)
    return sorted(units.select_related("province"), key=lambda u: codes.index(u.code))


@transaction.atomic
def load(stdout) -> None:
    load_reference()
    today = timezone.localdate()
    groups = {g.code: g for g in CircumstanceGroup.objects.all()}
    risks = list(RiskFlag.objects.all())
    communes = _communes()
    loaded = {}
    for commune in communes:
        if Child.objects.filter(commune=commune, source=SOURCE).exists():
            continue
        seed = int(commune.code)
        rng = random.Random(seed)  # noqa: S311 - synthetic data
        count = rng.randint(280, 420)
        records, _pairs = records_for([commune], count, seed, today, planted_duplicates=3)
        rows = build_rows(records, {commune.code: commune}, source=SOURCE, rng=rng, today=today, groups=groups,
                          measurements=True)
        insert_rows(rows)
        risk_rows = [ChildRisk(child_id=c.pk, flag=rng.choice(risks), started_on=today - timedelta(days=90))
                     for c in rows["children"] if risks and rng.random() < 0.02]
        ChildRisk.objects.bulk_create(risk_rows)
        now = timezone.now()
        record_many(SYSTEM, "registry.child.create", [(c, {"source": SOURCE}) for c in rows["children"]],
                    unit=commune, at=now)
        loaded[commune] = rows["children"]

    # Families move: about 1% of each new demo commune's children are on their way to the other demo commune of
    # the province (the receiving commune sees them in its incoming list).
    by_province: dict[int, list[Unit]] = {}
    for commune in communes:
        by_province.setdefault(commune.province_id, []).append(commune)
    moved = 0
    for commune, children in loaded.items():
        others = [c for c in by_province[commune.province_id] if c.pk != commune.pk]
        if not others:
            continue
        rng = random.Random(int(commune.code) + 1)  # noqa: S311
        movers = rng.sample(children, k=max(2, len(children) // 100))
        for child in movers:
            Child.objects.filter(pk=child.pk).update(status=ChildStatus.MOVED, moved_to=others[0],
                                                     moved_on=today - timedelta(days=rng.randrange(1, 60)),
                                                     version=2)
            record(SYSTEM, "registry.child.move", child, unit=commune,
                   summary={"status": ["active", "moved"], "to": others[0].name})
            moved += 1
    households = sum(_load_households(commune) for commune in communes)
    total = sum(len(c) for c in loaded.values())
    if loaded:
        record(SYSTEM, "demo.registry.load", summary={"children": total, "moved": moved,
                                                       "communes": [c.code for c in loaded]})
    existing = Child.objects.filter(source=SOURCE).count()
    stdout.write(f"registry demo: {total} children added ({moved} moving), {existing} demo children in all, "
                 f"{households} households added\n")


def _load_households(commune: Unit) -> int:
    """One household per family of the commune's demo children (the children of one primary carer), headed by the
    carer, who lives in it. Deterministic: families in a fixed order, statuses drawn from the commune's seed."""
    if Household.objects.filter(commune=commune, children__source=SOURCE).exists():
        return 0
    families: dict = {}
    links = (ChildCarer.objects.filter(primary=True, child__commune=commune, child__source=SOURCE,
                                       child__household__isnull=True)
             .values_list("carer_id", "carer__full_name", "carer__name_folded", "child_id", "child__village",
                          "child__address", "child__birth_date"))
    for carer_id, name, folded, child_id, village, address, born in links:
        family = families.setdefault(carer_id, {"head": name, "folded": folded, "village": village,
                                                "address": address, "born": born, "children": []})
        family["children"].append(child_id)
        family["born"] = min(family["born"], born)
    if not families:
        return 0
    ill = set(ChildCircumstance.objects.filter(child__commune=commune, child__source=SOURCE, group__code="n",
                                               ended_on__isnull=True).values_list("child_id", flat=True))
    rng = random.Random(int(commune.code) + 2)  # noqa: S311 - synthetic data
    now = timezone.now()
    rows, children, carers = [], [], []
    for carer_id, family in sorted(families.items(), key=lambda kv: (kv[1]["village"], kv[1]["folded"],
                                                                     kv[1]["born"], kv[1]["head"])):
        roll = rng.random()
        if ill.intersection(family["children"]):  # group n: a seriously ill child of a poor or near-poor household
            status = PovertyStatus.POOR if roll < 0.5 else PovertyStatus.NEAR_POOR
        elif roll < P_POOR:
            status = PovertyStatus.POOR
        elif roll < P_POOR + P_NEAR_POOR:
            status = PovertyStatus.NEAR_POOR
        elif roll < P_POOR + P_NEAR_POOR + P_UNREVIEWED:
            status = PovertyStatus.UNKNOWN
        else:
            status = PovertyStatus.NOT_POOR
        household = Household(commune=commune, village=family["village"], address=family["address"],
                              head_name=family["head"], poverty_status=status,
                              search_folded=household_search_text(family["head"], family["village"]),
                              created_at=now, updated_at=now)
        rows.append(household)
        children += [Child(pk=pk, household_id=household.pk) for pk in family["children"]]
        carers.append(Carer(pk=carer_id, household_id=household.pk))
    Household.objects.bulk_create(rows, batch_size=1000)
    Child.objects.bulk_update(children, ["household"], batch_size=1000)
    Carer.objects.bulk_update(carers, ["household"], batch_size=1000)
    record_many(SYSTEM, "registry.household.create",
                [(h, {"source": SOURCE, "poverty_status": h.poverty_status}) for h in rows], unit=commune, at=now)
    return len(rows)



