"""The population extract upload on the import pipeline (treem.core.pipeline): gate -> read (the population-database
adapter, by default the CSV/XLSX extract) -> plan (the commune's register matched against it: the corrections to
propose) -> write (the proposals stored with the comparison's LinkageRun, which the existing page shows; each one is
then accepted or rejected by a person). Always a background job: matching a commune takes seconds to minutes."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext as _

from treem.access import Capability, require
from treem.audit.services import record
from treem.core import pipeline, uploads
from treem.core.formats import format_number

from . import linkage
from .duplicates import register_records
from .models import LinkageRun, RunStatus
from .tabular import TableError

MAX_UPLOAD_MB = 50  # default of TREEM_QUALITY_MAX_UPLOAD_MB


class PopulationExtract(pipeline.Importer):
    kind = "quality.linkage"
    background_above = -1  # always in the background
    auto_commit = True  # the proposals are kept; a person decides each one on the comparison's page
    replan_on_commit = False

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, "TREEM_QUALITY_MAX_UPLOAD_MB", MAX_UPLOAD_MB)) * 1024 * 1024

    def job_kind(self, step: str) -> str:
        return self.kind  # "quality.linkage", as before the pipeline

    def gate(self, upload) -> uploads.Upload:
        return uploads.receive_spreadsheet(upload, max_bytes=self.max_bytes, allowed=self.extensions)

    def require(self, actor, unit) -> None:
        require(actor, Capability.EDIT_CHILDREN, unit)

    def read(self, step: pipeline.Step):
        comparison = _comparison(step)
        LinkageRun.objects.filter(pk=comparison.pk).update(status=RunStatus.RUNNING)
        step.progress(0, 4, _("Reading the population extract"))
        try:
            population = linkage.registry_for(comparison)
        except (TableError, ImproperlyConfigured) as exc:
            raise pipeline.ImportProblem(str(exc)) from exc
        return comparison, population

    def plan(self, records, step: pipeline.Step) -> pipeline.Plan:
        comparison, population = records
        step.progress(1, 4, _("Reading the commune's child register"))
        children, _units = register_records([comparison.commune])
        step.progress(2, 4, _("Matching %(n)s children") % {"n": format_number(len(children), 0)})
        proposals, stats = linkage.match_children(children, population)
        return pipeline.Plan(update=list(proposals), data=(comparison, stats))

    def write(self, plan: pipeline.Plan, step: pipeline.Step) -> dict:
        comparison, stats = plan.data
        step.progress(3, 4, _("Saving %(n)s proposed corrections") % {"n": format_number(len(plan.update), 0)})
        stats = {**stats, **linkage.store_proposals(comparison, plan.update)}
        LinkageRun.objects.filter(pk=comparison.pk).update(status=RunStatus.DONE, summary=stats, error="")
        record(step.actor, "quality.linkagerun.done", comparison, unit=comparison.commune, summary=stats)
        step.progress(4, 4, _("%(n)s corrections proposed") % {"n": format_number(stats["proposed"], 0)})
        return {**stats, "url": reverse("quality:linkage_run", kwargs={"pk": comparison.pk})}

    def failed(self, step: pipeline.Step, message: str) -> None:
        LinkageRun.objects.filter(pk=_comparison(step).pk).update(status=RunStatus.FAILED, error=message)


def _comparison(step: pipeline.Step) -> LinkageRun:
    return LinkageRun.objects.select_related("commune").get(pk=step.options["linkage_run"])
