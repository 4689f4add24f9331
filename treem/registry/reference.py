"""Reference data of the child register, loaded from the versioned fixture `data/circumstances.json`.

`treem bootstrap` runs `load(stdout)` on every installation (treem.core bootstrap: each app's `reference.load`);
`treem load-registry-reference` runs it alone. Loading is idempotent: rows are matched by code, updated when the
fixture changed, and rows the fixture no longer lists are ended (valid_to), never deleted, since children refer to them.
"""

import json
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from treem.audit.services import record
from treem.core.actors import SYSTEM

from .models import CircumstanceGroup, CircumstanceSubgroup, RiskFlag

FIXTURE = Path(__file__).parent / "data" / "circumstances.json"


def fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _sync(model, lookup: dict, values: dict) -> str:
    """'created', 'updated' or '' (unchanged)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        model.objects.create(**lookup, **values)
        return "created"
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return ""
    for key in changed:
        setattr(obj, key, values[key])
    obj.save(update_fields=changed)
    return "updated"


@transaction.atomic
def load_reference(data: dict | None = None) -> dict:
    """Bring the tables in line with the fixture; returns counts of what changed."""
    data = data or fixture()
    counts = {"created": 0, "updated": 0, "ended": 0}
    today = timezone.localdate()
    group_codes, risk_codes = [], []
    for order, g in enumerate(data["groups"], start=1):
        group_codes.append(g["code"])
        outcome = _sync(
            CircumstanceGroup,
            {"code": g["code"]},
            {
                "name": g["name"],
                "legal_basis": g.get("legal_basis", ""),
                "order": order,
                "valid_to": None,
            },
        )
        counts[outcome] = counts.get(outcome, 0) + 1
        group = CircumstanceGroup.objects.get(code=g["code"])
        subgroup_codes = []
        for sub_order, s in enumerate(g.get("subgroups", []), start=1):
            subgroup_codes.append(s["code"])
            outcome = _sync(
                CircumstanceSubgroup,
                {"group": group, "code": s["code"]},
                {
                    "name": s["name"],
                    "legal_basis": s.get("legal_basis", g.get("legal_basis", "")),
                    "order": sub_order,
                    "verified": bool(s.get("verified")),
                    "note": s.get("note", ""),
                    "valid_from": date.fromisoformat(s["valid_from"]) if s.get("valid_from") else None,
                    "valid_to": None,
                },
            )
            counts[outcome] = counts.get(outcome, 0) + 1
        # A sub-group the fixture no longer lists under its group is ended (children may still name it). The
        # sub-groups of a group dropped altogether stay as they are: the group itself is ended below.
        counts["ended"] += (
            CircumstanceSubgroup.objects.filter(group=group, valid_to__isnull=True)
            .exclude(code__in=subgroup_codes)
            .update(valid_to=today)
        )
    for order, r in enumerate(data.get("risks", []), start=1):
        risk_codes.append(r["code"])
        outcome = _sync(
            RiskFlag,
            {"code": r["code"]},
            {
                "name": r["name"],
                "legal_basis": r.get("legal_basis", ""),
                "order": order,
                "verified": bool(r.get("verified")),
                "valid_to": None,
            },
        )
        counts[outcome] = counts.get(outcome, 0) + 1
    counts["ended"] += (
        CircumstanceGroup.objects.exclude(code__in=group_codes).filter(valid_to__isnull=True).update(valid_to=today)
    )
    counts["ended"] += (
        RiskFlag.objects.exclude(code__in=risk_codes).filter(valid_to__isnull=True).update(valid_to=today)
    )
    counts.pop("", None)
    if any(counts.values()):
        record(SYSTEM, "registry.reference.load", summary={"version": data.get("version", ""), **counts})
    return counts


def load(stdout) -> None:
    counts = load_reference()
    version = fixture().get("version", "")
    if any(counts.values()):
        stdout.write(
            f"registry reference {version}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['ended']} ended\n"
        )
    else:
        stdout.write(f"registry reference {version}: up to date\n")
