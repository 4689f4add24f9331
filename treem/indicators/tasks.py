"""Background work of indicators: a refresh started from the web runs as a job with progress (treem.core.jobs)."""

from django.db import transaction
from django.utils.translation import gettext as _

from treem.access import require
from treem.access.scope import Capability
from treem.core.actors import SYSTEM
from treem.core.jobs import job_keep_result, job_progress, job_start
from treem.geo.models import Unit

from . import refresh

RUNNER = "treem.indicators.tasks.run_refresh"


def refresh_start(*, actor, province: Unit | None = None, full: bool = False):
    """Queue a refresh of a province (its focal officer) or of every province (an administrator)."""
    if province is None:
        require(actor, Capability.MANAGE_REFERENCE)
    else:
        require(actor, Capability.EDIT_PLANS, province)
    params = {"province_codes": [province.code] if province is not None else [], "full": full}
    return job_start(actor=actor, kind="indicators.refresh", runner=RUNNER, params=params, unit=province)


def run_refresh(job, province_codes: list[str], full: bool = False) -> dict:
    def progress(done, total, name):
        job_progress(job, done, total, _("Computing the indicators of %(province)s") % {"province": name})

    with transaction.atomic():
        summary = refresh.refresh(actor=job.actor or SYSTEM, province_codes=province_codes or None, full=full,
                                  progress=progress)
        job_progress(job, len(summary["provinces"]), len(summary["provinces"]), _("Indicators recomputed"))
        return job_keep_result(job, summary)
