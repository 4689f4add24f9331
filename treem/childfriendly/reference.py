"""The child-friendly standard, loaded from the versioned fixture `data/standard.json`.

`treem bootstrap` runs `load(stdout)` on every installation; `treem load-cfc-standard` runs it alone. Idempotent:
rows missing are created; rows present are updated only when the fixture's version differs from the one last loaded
(Standard.version), so the points an administrator corrected between two releases are not overwritten by a reload.
"""

import json
from datetime import date
from pathlib import Path

from django.db import transaction

from treem.audit.services import record
from treem.core.actors import SYSTEM

from .models import Authority, Criterion, RecognitionRule, Standard, SubIndicator, SubmissionWindow, Threshold

FIXTURE = Path(__file__).parent / "data" / "standard.json"


def fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _day(text):
    return date.fromisoformat(text) if text else None


def _sync(model, lookup: dict, values: dict, update: bool) -> tuple[object, str]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), "created"
    changed = [k for k, v in values.items() if getattr(obj, k) != v] if update else []
    for key in changed:
        setattr(obj, key, values[key])
    if changed:
        obj.save(update_fields=changed)
    return obj, "updated" if changed else ""


def load_standard(data: dict | None = None) -> dict:
    data = data or fixture()
    counts = {"created": 0, "updated": 0}

    def count(outcome):
        if outcome:
            counts[outcome] += 1

    with transaction.atomic():
        spec = data["standard"]
        standard = Standard.objects.filter(code=spec["code"]).first()
        update = standard is None or standard.version != data["version"]
        standard, outcome = _sync(Standard, {"code": spec["code"]}, {
            "name": spec["name"], "version": data["version"], "legal_reference": spec["legal_reference"],
            "valid_from": _day(spec["valid_from"]), "valid_to": _day(spec["valid_to"])}, update)
        count(outcome)
        for c in data["criteria"]:
            criterion, outcome = _sync(Criterion, {"standard": standard, "number": c["number"]}, {
                "name": c["name"], "max_points": c["max_points"], "met_min_points": c["met_min_points"],
                "points_verified": c["points_verified"], "legal_reference": c["legal_reference"]}, update)
            count(outcome)
            for order, s in enumerate(c["sub_indicators"]):
                _obj, outcome = _sync(SubIndicator, {"criterion": criterion, "code": s["code"]}, {
                    "name": s["name"], "measure": s["measure"], "min_value": s["min_value"],
                    "max_value": s["max_value"], "scoring": s["scoring"], "target": s["target"],
                    "points": s["points"], "source": s["source"], "legal_reference": s["legal_reference"],
                    "order": order}, update)
                count(outcome)
        r = data["rule"]
        rule, outcome = _sync(RecognitionRule, {"standard": standard, "valid_from": _day(r["valid_from"])}, {
            "all_criteria_met": r["all_criteria_met"], "no_criterion_at_zero": r["no_criterion_at_zero"],
            "legal_reference": r["legal_reference"], "valid_to": _day(r["valid_to"])}, update)
        count(outcome)
        for t in r["thresholds"]:
            _obj, outcome = _sync(Threshold, {"rule": rule, "commune_type": t["commune_type"]}, {
                "min_total": t["min_total"], "legal_reference": t["legal_reference"]}, update)
            count(outcome)
        w = data["window"]
        _obj, outcome = _sync(SubmissionWindow, {"valid_from": _day(w["valid_from"])}, {
            k: w[k] for k in ("opens_day", "opens_month", "closes_day", "closes_month", "alert_days",
                              "legal_reference")} | {"valid_to": _day(w["valid_to"])}, update)
        count(outcome)
        for a in data["authorities"]:
            _obj, outcome = _sync(Authority, {"province": None, "step": a["step"],
                                              "valid_from": _day(a["valid_from"])}, {
                "role": a["role"], "body_name": a["body_name"], "body_code": a["body_code"],
                "legal_reference": a["legal_reference"], "valid_to": _day(a["valid_to"])}, update)
            count(outcome)
        if counts["created"] or counts["updated"]:
            record(SYSTEM, "childfriendly.standard.load", standard,
                   summary={"count": counts["created"] + counts["updated"], "version": data["version"]})
    return counts


def load(stdout=None) -> None:
    counts = load_standard()
    if stdout is not None:
        stdout.write(f"child-friendly standard: {counts['created']} created, {counts['updated']} updated")
