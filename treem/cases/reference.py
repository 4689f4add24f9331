"""Reference data of the cases module: the statutory deadline rules (run by `treem bootstrap`)."""

import json
from functools import cache
from pathlib import Path

from django.db import transaction

from treem.audit.services import record
from treem.core.actors import SYSTEM

from .models import DeadlineRule

DATA = Path(__file__).parent / "data"
RULES_FILE = DATA / "deadline_rules.json"
FACTORS_FILE = DATA / "assessment_factors.json"


@cache
def assessment_factors() -> list[dict]:
    """The eight factors of the detailed assessment (Form 03), in order."""
    return json.loads(FACTORS_FILE.read_text(encoding="utf-8"))["factors"]


@transaction.atomic
def load(stdout=None) -> int:
    """Add the rules of the fixture that are not in the table yet; rules an administrator edited stay as they are."""
    existing = set(DeadlineRule.objects.values_list("code", flat=True))
    added = []
    for rule in json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"]:
        if rule["code"] in existing:
            continue
        added.append(DeadlineRule.objects.create(**rule))
    if added:
        record(SYSTEM, "cases.deadlinerule.load", summary={"added": [r.code for r in added]})
    if stdout is not None:
        stdout.write(f"case deadline rules: {len(added)} added\n" if added else "case deadline rules: ready\n")
    return len(added)
