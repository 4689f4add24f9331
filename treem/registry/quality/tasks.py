"""Background jobs of the data-quality module (run by treem.core.jobs: `def run(job, **params) -> dict`)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.collation import unit_order
from treem.core.formats import format_number
from treem.core.jobs import job_progress
from treem.geo.models import Unit, UnitLevel

from . import duplicates, findings, linkage
from .models import LinkageRun

# The progress partial of treem.core (core/job_progress.html) has no Vietnamese catalogue of its own yet; its strings
# are marked here so that the pages of this app that show it are in Vietnamese.
CORE_JOB_STRINGS = (gettext_noop("See the result"), gettext_noop("The job failed:"), gettext_noop("Queued"),
                    gettext_noop("Running"))


def _actor(job):
    return job.actor or SYSTEM


def _check_url(job, communes: list[Unit]) -> str:
    unit = Unit.objects.filter(pk=job.unit_id).first() if job.unit_id else None
    if unit is not None and unit.level == UnitLevel.PROVINCE:
        return reverse("quality:province", kwargs={"code": unit.code})
    if len(communes) == 1:
        return reverse("quality:commune", kwargs={"code": communes[0].code})
    return reverse("quality:index")


def run_check(job, commune_ids: list[int], months: int | None = None) -> dict:
    """findings.check_commune over each commune, with progress."""
    communes = list(Unit.objects.filter(pk__in=commune_ids).order_by(*unit_order()))
    totals = {"communes": len(communes), "children": 0, "opened": 0, "resolved": 0}
    for done, commune in enumerate(communes):
        job_progress(job, done, len(communes), _("Checking %(commune)s") % {"commune": commune.name})
        result = findings.check_commune(commune, months=months)
        record(_actor(job), "quality.check.run", None, unit=commune, summary=result.as_dict())
        for key in ("children", "opened", "resolved"):
            totals[key] += getattr(result, key)
    job_progress(job, len(communes), len(communes), _("Check finished"))
    return {**totals, "url": _check_url(job, communes)}


def run_duplicates(job, commune_ids: list[int], unit_id: int | None = None) -> dict:
    communes = list(Unit.objects.filter(pk__in=commune_ids))
    result = duplicates.run_duplicates(communes, progress=lambda done, message: job_progress(job, done, 3, message))
    record(_actor(job), "quality.duplicates.run", None, unit=Unit.objects.filter(pk=unit_id).first() or (
        communes[0] if len(communes) == 1 else None), summary={**result, "communes": len(communes)})
    job_progress(job, 3, 3, _("Found %(n)s likely duplicate pairs") % {"n": format_number(result["pairs"], 0)})
    url = reverse("quality:duplicates")
    if unit_id:
        url += f"?unit={Unit.objects.get(pk=unit_id).code}"
    elif len(communes) == 1:
        url += f"?unit={communes[0].code}"
    return {**result, "url": url}


def run_linkage(job, run_id: str) -> dict:
    run = LinkageRun.objects.select_related("commune").get(pk=run_id)
    result = linkage.run_linkage(run, progress=lambda done, message: job_progress(job, done, 4, message))
    record(_actor(job), "quality.linkagerun.done", run, unit=run.commune, summary=result)
    job_progress(job, 4, 4, _("%(n)s corrections proposed") % {"n": format_number(result["proposed"], 0)})
    return {**result, "url": reverse("quality:linkage_run", kwargs={"pk": run.pk})}
