"""Plans benchmark (not a test): the import pipeline and the reads officers and agencies open every day.

    DATABASE_URL=... .venv/bin/treem bootstrap --demo     # once: the demo plans, rounds and users
    DATABASE_URL=... .venv/bin/python bench/plans.py [--runs 20]

1. Upload -> parser -> proposal (agencies matched against the table, citations looked up) for both seeds, and the
   atomic save of seed 002 (37 tasks), inside a transaction that is rolled back.
2. "Việc tôi phải báo cáo" (owed_by) for the An Giang health department's reporter.
3. A round's completeness and timeliness (round_stats) and the task list with deadline states (task_rows) of a
   province.

Prints medians and p95; asserts nothing. Nothing is kept (database rolled back, files in memory).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def timed(function, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    ordered = sorted(samples)
    return statistics.median(samples), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import override_settings

    from treem.accounts.models import User
    from treem.geo.models import Unit
    from treem.plans import selectors
    from treem.plans.importing import build_proposal, draft_create, draft_save, review_defaults
    from treem.plans.models import ReportingRound, Task
    from treem.plans.rounds import round_stats

    seeds = sorted((ROOT / "treem" / "plans" / "seeds").glob("*.txt"))
    officer = User.objects.get(username="tinh.angiang")
    reporter = User.objects.get(username="soyte.angiang")
    an_giang = Unit.objects.get(system="current", level="province", code="91")

    class Rollback(Exception):
        pass

    def import_seeds(save: bool):
        try:
            with transaction.atomic():
                for seed in seeds:
                    draft = draft_create(actor=officer, upload=SimpleUploadedFile(seed.name, seed.read_bytes()),
                                         province=an_giang)
                    proposal = build_proposal(draft)
                    if save and "002" in seed.name:
                        draft_save(actor=officer, draft=draft,
                                   review=review_defaults(proposal, {"number": "999/KH-BENCH"}))
                raise Rollback
        except Rollback:
            pass

    round_ = ReportingRound.objects.get(province=an_giang)
    province_tasks = Task.objects.filter(document__province=an_giang).select_related("document") \
        .prefetch_related("assignments__agency")
    rows = [
        ("upload + parse + proposal, both seeds", lambda: import_seeds(False)),
        ("... and the atomic save of seed 002 (37 tasks)", lambda: import_seeds(True)),
        ("what I owe (soyte.angiang)", lambda: selectors.owed_by(reporter)),
        ("round completeness and timeliness (12 agencies)", lambda: round_stats(round_).as_dict()),
        (f"task list with states ({province_tasks.count()} tasks, An Giang)",
         lambda: selectors.task_rows(province_tasks.all())),
    ]
    print(f"plans benchmark, {args.runs} runs, database {django.db.connection.vendor}")
    memory = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with override_settings(STORAGES=memory):  # uploaded files are not kept either
        for label, function in rows:
            median, p95 = timed(function, args.runs)
            print(f"  {label:55s} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
