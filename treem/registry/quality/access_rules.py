"""Who reaches the data-quality records: by their commune or province (treem.access.rules)."""

from treem.access import ByUnit, register

from .models import CleaningRound, Correction, Finding, LinkageRun, Recheck

for model in (Finding, LinkageRun, Correction, CleaningRound, Recheck):
    register(model, ByUnit("commune", "province"))
