"""Writer: the create and update rows of a plan, written in the caller's transaction with bulk inserts; one audit event
for the import, one per updated child (record_many). Commit takes the commune's lock (two imports of one commune take
turns), then the register's personal-ID lock for the writing only: if a number the plan gives a child was given to
another one meanwhile, the plan is made again under the lock (`commit_plan`)."""

import uuid
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.audit.services import record, record_many
from treem.core import bulk
from treem.core.faults import checkpoint
from treem.core.text import fold
from treem.geo.models import Unit

from ..models import Carer, CarerRelation, Child, ChildCarer, Household, ImportBatch
from ..quality.ethnicity import find_ethnic_group
from ..quality.personal_id import check_personal_id
from ..services import IGNORED_FINDINGS, hold_personal_ids
from .common import _CLOSED, CHUNK, CREATE, IMPORTED_FIELDS, UPDATE, ImportProblem, _gc_paused
from .planner import ImportPlan, RowPlan


def _quality(values: dict) -> list[str]:
    flags = [f.code for f in check_personal_id(values.get("personal_id") or "", values.get("sex"),
                                               values.get("birth_date")) if f.code not in IGNORED_FINDINGS]
    if values.get("ethnicity") and find_ethnic_group(values["ethnicity"]) is None:
        flags.append("ethnicity_unknown")
    return flags


@_gc_paused
def write_plan(plan: ImportPlan, *, actor, commune: Unit, batch: ImportBatch | None = None,
               source_label: str = "") -> dict:
    """Write the create and update rows of a plan made inside the current transaction. Returns the summary."""
    now = timezone.now()
    creates = [p for p in plan.rows if p.action == CREATE]
    updates = [p for p in plan.rows if p.action == UPDATE]
    batch_ref = str(batch.pk) if batch else source_label
    current = {}
    if updates:  # lock the records to update first, and check nobody changed them since the plan was made
        ids = [p.child_id for p in updates]
        for start in range(0, len(ids), CHUNK):  # lock the records to update, then check nobody changed them
            current.update(Child.objects.select_for_update().in_bulk(ids[start:start + CHUNK]))
        if any(current[p.child_id].version != p.version for p in updates):
            raise ImportProblem(_("Someone changed some of these children while the file was being saved. Nothing "
                                  "was saved: check the file again."))
    children, carers, links, updated = [], [], [], []
    batch_id = batch.pk if batch else None
    families = _Families(commune, creates, now)
    for p in creates:
        values = p.values
        child_id = uuid.uuid4()
        flags = p.flags if p.flags is not None else _quality(values)
        key = _family_key(p.carer)
        household_id = families.household_of(key)
        children.append({**values, "id": child_id, "name_folded": p.folded or fold(values["full_name"]),
                         "commune_id": commune.pk, "household_id": household_id,
                         "province_id": commune.province_id, "source": "import", "import_batch_id": batch_id,
                         "quality_flags": flags, "has_quality_issues": bool(flags), "created_at": now,
                         "updated_at": now})
        p.child_id = child_id
        if p.carer:
            carer_id = families.carer_of(key)
            if carer_id is None:
                carer_id = uuid.uuid4()
                carers.append({"id": carer_id, "full_name": p.carer["full_name"],
                               "name_folded": fold(p.carer["full_name"]), "phone": p.carer["phone"] or "",
                               "household_id": household_id, "created_at": now, "updated_at": now})
                families.carer_created(key, carer_id)
            links.append({"child_id": child_id, "carer_id": carer_id, "relation": CarerRelation.UNKNOWN,
                          "primary": True, "created_at": now})
    bulk.insert_dicts(Household, families.new_households)
    bulk.insert_dicts(Child, children)
    bulk.insert_dicts(Carer, carers)
    bulk.insert_dicts(ChildCarer, links)
    checkpoint("registry.import.children_written")
    joined = families.join_register_children(batch_ref=batch_ref)

    if updates:
        changed_fields: set[str] = {"version", "updated_at", "name_folded", "quality_flags", "has_quality_issues"}
        to_save, phone_updates = [], []
        for p in updates:
            child = current[p.child_id]
            for name, (_old, _new) in p.changes.items():
                if name in IMPORTED_FIELDS:
                    setattr(child, name, p.values[name])
                    changed_fields.add(name)
            child.name_folded = fold(child.full_name)
            child.quality_flags = _quality({"personal_id": child.personal_id, "sex": child.sex,
                                            "birth_date": child.birth_date, "ethnicity": child.ethnicity})
            child.has_quality_issues = bool(child.quality_flags)
            child.version += 1
            child.updated_at = now
            to_save.append(child)
            if p.carer and "carer" in p.changes:
                carer = Carer.objects.create(full_name=p.carer["full_name"], name_folded=fold(p.carer["full_name"]),
                                             phone=p.carer["phone"] or "")
                ChildCarer.objects.create(child_id=child.pk, carer_id=carer.pk, relation=CarerRelation.UNKNOWN)
            elif p.carer and "carer_phone" in p.changes:
                phone_updates.append(Carer(pk=p.carer["carer_id"], phone=p.carer["phone"], updated_at=now))
            updated.append((child, {**p.changes, "source": "import", "batch": batch_ref, "row": p.row}))
        Child.objects.bulk_update(to_save, sorted(changed_fields), batch_size=1000)
        if phone_updates:
            Carer.objects.bulk_update(phone_updates, ["phone", "updated_at"], batch_size=1000)
    record_many(actor, "registry.child.household_join", joined, unit=commune, at=now)
    record_many(actor, "registry.child.update", updated, unit=commune, at=now)
    summary = plan.summary()
    # One event for the import (the created children point to their batch: child.import_batch), one per updated
    # child with its changes.
    record(actor, "registry.import.commit", batch, unit=commune,
           summary={**summary, "file": batch.filename if batch else source_label,
                    "sha256": batch.sha256 if batch else "",
                    **({"households": len(families.new_households)} if families.new_households else {})})
    return summary


def _family_key(carer: dict | None) -> tuple[str, str] | None:
    """Siblings are known by their carer: the same name and the same phone number (a name alone cannot tell two
    mothers of a village apart, so without a phone nobody is grouped)."""
    if not carer or not carer.get("phone"):
        return None
    return fold(carer["full_name"]), carer["phone"]


class _Families:
    """The families of an import's new children: one carer record per carer, and one household for children who
    share a carer (in the file, or with children already on the commune's register: then their household, or a new
    one that those children join too)."""

    def __init__(self, commune: Unit, creates: list[RowPlan], now):
        self.commune, self.now = commune, now
        first: dict[tuple, RowPlan] = {}
        count: dict[tuple, int] = {}
        for plan in creates:
            if key := _family_key(plan.carer):
                first.setdefault(key, plan)
                count[key] = count.get(key, 0) + 1
        known = self._on_register(commune, set(first))
        self.carers: dict[tuple, uuid.UUID] = {key: found["carer"] for key, found in known.items()}
        self.households: dict[tuple, uuid.UUID] = {}
        self.new_households: list[dict] = []
        self.joining: dict[uuid.UUID, list] = {}  # new household: children of the register who join it
        for key, plan in first.items():
            found = known.get(key, {"household": None, "loose": []})
            if found["household"]:
                self.households[key] = found["household"]
            elif count[key] + len(found["loose"]) >= 2:
                household_id = uuid.uuid4()
                village, address = plan.values.get("village", ""), plan.values.get("address", "")
                self.new_households.append({
                    "id": household_id, "commune_id": commune.pk, "head_name": plan.carer["full_name"][:150],
                    "village": village, "address": address, "search_folded": fold(f"{plan.carer['full_name']} "
                                                                                  f"{village}")[:275],
                    "created_at": now, "updated_at": now})
                self.households[key] = household_id
                self.joining[household_id] = (found["loose"], found.get("carer"))

    @staticmethod
    def _on_register(commune: Unit, keys: set) -> dict:
        """{key: {"carer": id, "household": id or None, "loose": [(child id, name) of children without one]}}"""
        found: dict = {}
        phones = sorted({phone for _name, phone in keys})
        for start in range(0, len(phones), CHUNK):
            links = (ChildCarer.objects.filter(child__commune=commune, carer__phone__in=phones[start:start + CHUNK])
                     .exclude(child__status__in=_CLOSED).order_by("carer__created_at", "carer_id")
                     .values_list("carer_id", "carer__name_folded", "carer__phone", "child_id", "child__full_name",
                                  "child__household_id"))
            for carer_id, name, phone, child_id, child_name, household_id in links:
                if (name, phone) not in keys:
                    continue
                family = found.setdefault((name, phone), {"carer": carer_id, "household": None, "loose": []})
                if household_id:
                    family["household"] = family["household"] or household_id
                else:
                    family["loose"].append((child_id, child_name))
        return found

    def household_of(self, key) -> uuid.UUID | None:
        return self.households.get(key) if key else None

    def carer_of(self, key) -> uuid.UUID | None:
        return self.carers.get(key) if key else None

    def carer_created(self, key, carer_id: uuid.UUID) -> None:
        if key:
            self.carers[key] = carer_id

    def join_register_children(self, *, batch_ref: str) -> list[tuple[Child, dict]]:
        """Put the register's children (and their carer) into the new household of their new siblings; returns
        (child, summary) for the audit events of those children."""
        events = []
        for household_id, (loose, carer_id) in self.joining.items():
            if carer_id:
                Carer.objects.filter(pk=carer_id, household__isnull=True).update(household_id=household_id,
                                                                                  updated_at=self.now)
            if not loose:
                continue
            Child.objects.filter(pk__in=[child_id for child_id, _name in loose], household__isnull=True).update(
                household_id=household_id, version=F("version") + 1, updated_at=self.now)
            events += [(Child(pk=child_id, full_name=name),
                        {"household": [None, str(household_id)], "source": "import", "batch": batch_ref})
                       for child_id, name in loose]
        return events


def lock_commune(commune_id: int) -> None:
    # FOR NO KEY UPDATE: two imports of the commune take turns, while a save adding a child to the commune (which
    # takes a key-share lock on it through the foreign key) does not wait here, so it cannot wait in a circle with an
    # import waiting for the register lock that save holds.
    Unit.objects.select_for_update(no_key=True).filter(pk=commune_id).first()


def _numbers_given_since(plan: ImportPlan) -> bool:
    """Has a personal ID this plan gives to a child (new, or matched) been given to another child since the plan was
    made? Asked under the register lock, so the answer holds until the commit."""
    expected = {row.values["personal_id"]: row.child_id for row in plan.rows
                if row.action in (CREATE, UPDATE) and row.values.get("personal_id")}
    numbers = list(expected)
    for start in range(0, len(numbers), CHUNK):
        holders = (Child.objects.filter(personal_id__in=numbers[start:start + CHUNK]).exclude(status__in=_CLOSED)
                   .values_list("personal_id", "pk"))
        if any(pk != expected[number] for number, pk in holders):
            return True
    return False


def commit_plan(make_plan: Callable[[], ImportPlan]) -> ImportPlan:
    """Plan (the long part) without the register's personal-ID lock, then take it for the writing; if a number of
    the plan was given to another child meanwhile, plan again under the lock. Inside the caller's transaction."""
    plan = make_plan()
    hold_personal_ids(all_of_them=True)
    return make_plan() if _numbers_given_since(plan) else plan

