"""Running the duplicate matcher (dedupe.find_duplicates) over the register and keeping its proposals.

A run looks at the children on the register of some communes (one commune, or every commune of a province: then
pairs across communes are found too) and stores each likely pair once, in canonical order (child_a < child_b). A pair
a person already decided (merged, or "not the same child") is never proposed again; an open pair the matcher no
longer finds is withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.formats import format_number
from treem.geo.models import Unit
from treem.registry.models import Child, ChildCarer

from .dedupe import DEFAULT_THRESHOLD, Pair, find_duplicates
from .findings import ON_REGISTER, refresh_pair_counts
from .models import DuplicatePair, PairStatus


def canonical(first, second) -> tuple:
    """(smaller, larger) of two children's primary keys: the order pairs are stored in."""
    return (first, second) if first < second else (second, first)


def primary_carer_name(child: Child) -> str:
    links = sorted(child.carer_links.all(), key=lambda link: (not link.primary, link.pk))
    return links[0].carer.full_name if links else ""


def match_record(child: Child) -> dict:
    """What the matcher compares of a child (see dedupe.find_duplicates)."""
    return {
        "id": child.pk,
        "full_name": child.full_name,
        "birth_date": child.birth_date,
        "sex": child.sex,
        "personal_id": child.personal_id,
        "carer_name": primary_carer_name(child),
        "village": child.village,
        "commune_code": child.commune.code,
        "ethnicity": child.ethnicity,
    }


def register_records(communes: Sequence[Unit]) -> tuple[list[dict], dict]:
    """(matcher records, {child pk: (commune id, province id)}) for the children on these communes' registers."""
    carers = ChildCarer.objects.select_related("carer").only("id", "primary", "child_id", "carer__full_name")
    qs = (Child.objects.filter(commune__in=communes, status__in=ON_REGISTER)
          .select_related("commune").only("id", "full_name", "birth_date", "sex", "personal_id", "village", "ethnicity",
                                          "commune__code", "commune_id", "province_id")
          .prefetch_related(Prefetch("carer_links", queryset=carers)).order_by("created_at", "pk"))
    records, units = [], {}
    for child in qs.iterator(chunk_size=2000):
        records.append(match_record(child))
        units[child.pk] = (child.commune_id, child.province_id)
    return records, units


def store_pairs(pairs: Sequence[Pair], units: dict, communes: Sequence[Unit]) -> dict:
    """Upsert the run's pairs; withdraw open pairs among these children that the run no longer finds."""
    now = timezone.now()
    commune_ids = [c.pk for c in communes]
    existing = {
        (p.child_a_id, p.child_b_id): p
        for p in DuplicatePair.objects.filter(Q(commune__in=commune_ids) | Q(other_commune__in=commune_ids))
    }
    seen, created, updated, remembered = set(), [], [], 0
    for pair in pairs:
        a, b = canonical(pair.left_id, pair.right_id)
        key = (a, b)
        if key in seen:
            continue
        seen.add(key)
        values = {"probability": pair.probability, "match_weight": pair.match_weight,
                  "explanation": pair.explanation, "contributions": [list(c) for c in pair.contributions]}
        if (current := existing.get(key)) is not None:
            if current.status != PairStatus.OPEN:
                remembered += 1  # decided by a person: never proposed again
                continue
            for name, value in values.items():
                setattr(current, name, value)
            current.last_seen_at = now
            updated.append(current)
            continue
        created.append(DuplicatePair(
            child_a_id=a, child_b_id=b, commune_id=units[a][0], province_id=units[a][1], other_commune_id=units[b][0],
            detected_at=now, last_seen_at=now, **values))
    withdrawn = [p.pk for key, p in existing.items()
                 if p.status == PairStatus.OPEN and key not in seen
                 and ((key[0] in units and key[1] in units) or (key[0] not in units and key[1] not in units))]
    with transaction.atomic():
        DuplicatePair.objects.bulk_create(created, batch_size=1000)
        DuplicatePair.objects.bulk_update(updated, ["probability", "match_weight", "explanation", "contributions",
                                                    "last_seen_at"], batch_size=1000)
        DuplicatePair.objects.filter(pk__in=withdrawn).delete()
        touched = set(commune_ids) | {p.other_commune_id for p in created} | {p.commune_id for p in created}
        refresh_pair_counts(touched)
    return {"new": len(created), "updated": len(updated), "remembered": remembered, "withdrawn": len(withdrawn)}


def run_duplicates(communes: Sequence[Unit], *, threshold: float = DEFAULT_THRESHOLD,
                   progress: Callable[[int, str], None] | None = None) -> dict:
    """Find and store the likely duplicates among the children of these communes (within and across them)."""
    step = progress or (lambda _done, _message: None)
    step(0, _("Reading the children's records"))
    records, units = register_records(communes)
    step(1, _("Comparing %(n)s records") % {"n": format_number(len(records), 0)})
    pairs = find_duplicates(records, threshold=threshold)
    step(2, _("Saving %(n)s likely duplicate pairs") % {"n": format_number(len(pairs), 0)})
    stored = store_pairs(pairs, units, communes)
    return {"records": len(records), "pairs": len(pairs), **stored}
