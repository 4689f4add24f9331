"""A report names a child: is she already on the register? The register's interactive matcher
(`registry.selectors.match_children`) proposes the children of the commune named, as much of them as the person
recording may see.

* A reader of the commune's register (commune worker, provincial officer...) sees a candidate as the register shows
  her: name, date of birth, village, primary carer.
* Someone who may only receive reports about the commune (a hotline operator of the province, a village collaborator)
  sees the minimum to tell two children apart: name, year of birth, village. Records created from earlier reports
  (provisional) are never proposed to them: that a report about a child was made is not theirs to learn.
* Anyone else: no proposals (a new provisional record, as before).

The same personal ID is certain: the child is linked without asking. The proposals never say whether a child is in
a case. Each proposal shown is logged like a search of the register.
"""

from dataclasses import dataclass, field
from datetime import date

from treem.access import Capability, scope_for
from treem.audit.services import record_list
from treem.core.text import fold
from treem.registry.models import Child, ChildSource, ChildStatus
from treem.registry.selectors import DuplicateHint, carers_of, children_visible_to, match_children, search_children
from treem.registry.services import normalise_child

FULL, MINIMAL = "full", "minimal"
NOT_PROPOSED = [ChildStatus.MERGED, ChildStatus.IN_ERROR, ChildStatus.DECEASED]


def candidate_scope(user, commune) -> tuple:
    """(the children of `commune` the user may be proposed, FULL or MINIMAL); (none, None) when she may not."""
    scope = scope_for(user)
    on_register = Child.objects.filter(commune=commune).exclude(status__in=NOT_PROPOSED)
    if scope.is_system:
        return on_register, FULL
    if scope.may(Capability.VIEW_CHILDREN, commune):
        return children_visible_to(user, incoming=False).filter(commune=commune).exclude(status__in=NOT_PROPOSED), FULL
    if scope.may(Capability.RECEIVE_REPORTS, commune):
        return on_register.filter(provisional=False).exclude(source=ChildSource.CASE_INTAKE), MINIMAL
    return Child.objects.none(), None


def personal_id_of(entry: dict) -> str:
    return normalise_child({"personal_id": entry.get("personal_id") or ""}, partial=True).data.get("personal_id") or ""


@dataclass
class Found:
    level: str | None = None
    auto: Child | None = None  # the same personal ID: linked without asking
    proposals: list[DuplicateHint] = field(default_factory=list)


def find(user, commune, entry: dict, *, on: date | None = None, limit: int = 5) -> Found:
    """What the register knows of the child a report describes (entry: full_name, sex, birth_date, age, personal_id,
    carer_name, carer_phone)."""
    candidates, level = candidate_scope(user, commune)
    if level is None:
        return Found()
    if pid := personal_id_of(entry):
        same = list(candidates.filter(personal_id=pid)[:2])
        # Without the register, the number must come with the child's name: typing numbers must not reveal names.
        if len(same) == 1 and (level == FULL or _names_agree(entry.get("full_name") or "", same[0].name_folded)):
            return Found(level=level, auto=same[0])
    proposals = match_children(candidates, full_name=entry.get("full_name") or "", birth_date=entry.get("birth_date"),
                               age=entry.get("age"), on=on, sex=entry.get("sex") or "",
                               carer_name=entry.get("carer_name") or "", carer_phone=entry.get("carer_phone") or "",
                               limit=limit, with_carers=level == FULL)
    return Found(level=level, proposals=proposals)


def _names_agree(typed: str, folded: str) -> bool:
    from rapidfuzz import fuzz

    words, other = fold(typed).split(), folded.split()
    return bool(words and other) and (words[-1] == other[-1] or fuzz.token_sort_ratio(" ".join(words), folded) >= 85)


def search(user, commune, *, text: str = "", birth_date: date | None = None, limit: int = 20) -> tuple[list, str]:
    """The case's "add a child" search: by personal ID (digits), or by name (and a date of birth) with the matcher
    and the register's word search together. Never the whole commune: nothing without a name or a number."""
    candidates, level = candidate_scope(user, commune)
    text = (text or "").strip()
    if level is None or not text:
        return [], level
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) == len(text.replace(" ", "").replace(".", "")):
        if len(digits) < 9:
            return [], level  # a few digits would list a good part of the commune
        found = [DuplicateHint(c, 100, "") for c in candidates.filter(personal_id__startswith=digits)[:limit]]
    else:
        found = match_children(candidates, full_name=text, birth_date=birth_date, limit=limit,
                               with_carers=level == FULL)
        seen = {h.child.pk for h in found}
        words = search_children(candidates, text)
        if birth_date:
            words = words.filter(birth_date=birth_date)
        for child in words.order_by("name_folded", "birth_date", "id")[:limit]:
            if child.pk not in seen and len(found) < limit:
                found.append(DuplicateHint(child, 0, ""))
    if level == FULL:
        carers = carers_of(h.child.pk for h in found if not h.carer)
        for hint in found:
            hint.carer = hint.carer or next(iter(carers.get(hint.child.pk, ())), ("", "", "", False))[2]
    return found, level


def log_shown(user, commune, shown: int, *, what: str, filters: dict | None = None, request=None) -> None:
    """Candidates shown to a person are a read of the register (registry.child.list), filed under the commune."""
    record_list(user, "registry.child.list", shown=shown, request=request, unit=commune,
                filters={what: commune.code, **{k: v for k, v in (filters or {}).items() if v}})


def as_json(found: list[DuplicateHint], level: str) -> list[dict]:
    """The candidates as the API returns them: the minimum for MINIMAL."""
    rows = []
    for hint in found:
        child = hint.child
        row = {"registry_id": str(child.pk), "name": child.full_name, "birth_year": child.birth_date.year,
               "village": child.village, "reason": hint.reason}
        if level == FULL:
            row.update(birth_date=child.birth_date.isoformat(), sex=child.sex, carer=hint.carer)
        rows.append(row)
    return rows
