"""Reference data of the privacy module (run by `treem bootstrap`): the record of processing and the default
retention rules."""

import json
from pathlib import Path

from django.db import transaction

from treem.audit.services import record
from treem.core.actors import SYSTEM

from .models import ProcessingActivity, RetentionRule

DATA = Path(__file__).parent / "data"
PROCESSING_FILE = DATA / "processing_record.json"
RULES_FILE = DATA / "retention_rules.json"


@transaction.atomic
def load_processing_record() -> str:
    """Rewrite the record from the file when its version differs from the table's; returns what happened."""
    data = json.loads(PROCESSING_FILE.read_text(encoding="utf-8"))
    version = data["version"]
    if set(ProcessingActivity.objects.values_list("version", flat=True)) == {version}:
        return "ready"
    ProcessingActivity.objects.exclude(code__in=[a["code"] for a in data["activities"]]).delete()
    for activity in data["activities"]:
        ProcessingActivity.objects.update_or_create(code=activity["code"], defaults={**activity, "version": version})
    record(SYSTEM, "privacy.processingactivity.load", summary={"version": version,
                                                               "activities": len(data["activities"])})
    return f"version {version} loaded"


@transaction.atomic
def load_retention_rules() -> int:
    """Add the rules of the file that are not in the table yet; rules an administrator edited stay as they are."""
    existing = set(RetentionRule.objects.values_list("code", flat=True))
    added = [RetentionRule.objects.create(**rule)
             for rule in json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"] if rule["code"] not in existing]
    if added:
        record(SYSTEM, "privacy.retentionrule.load", summary={"added": [r.code for r in added]})
    return len(added)


def load(stdout=None) -> None:
    processing = load_processing_record()
    rules = load_retention_rules()
    if stdout is not None:
        stdout.write(f"record of processing: {processing}\n")
        stdout.write(f"retention rules: {rules} added\n" if rules else "retention rules: ready\n")
