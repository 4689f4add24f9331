"""The register import as an Importer of the import pipeline (treem.core.pipeline): the same reader, planner and
writer as the batch flow, plugged into the pipeline's gate, stored run, jobs, report and audit.

Options of a run: {"sheet": name, "columns": {header: field or None}}. The created children are marked as imported
(source "import") and the import's audit event names the file; the rejected rows come back through the pipeline's
report (pipeline.rejected_xlsx) with every reason."""

from treem.access import Capability, require
from treem.core import pipeline, uploads

from ..services import hold_personal_ids
from .common import CREATE, REJECT, UNCHANGED, UPDATE, background_above_bytes, max_bytes
from .planner import ImportPlan, plan_import
from .reader import read_file
from .writer import _numbers_given_since, lock_commune, write_plan


class RegisterImport(pipeline.Importer):
    kind = "registry.import"
    extensions = uploads.SPREADSHEET_EXTENSIONS

    @property
    def max_bytes(self) -> int:
        return max_bytes()

    @property
    def background_above(self) -> int:
        return background_above_bytes()

    def require(self, actor, unit) -> None:
        require(actor, Capability.EDIT_CHILDREN, unit)

    def lock(self, step: pipeline.Step) -> None:
        lock_commune(step.unit.pk)

    def read(self, step: pipeline.Step):
        return read_file(step.content, step.filename, step.options.get("sheet") or None)

    def plan(self, table, step: pipeline.Step) -> pipeline.Plan:
        def progress(done: int, total: int) -> None:
            step.progress(done, total, f"{done}/{total}")

        made = plan_import(table, step.unit, overrides=step.options.get("columns"), content=step.content,
                           progress=progress)
        return as_pipeline_plan(made, table)

    def write(self, plan: pipeline.Plan, step: pipeline.Step) -> dict:
        made, table = plan.data
        hold_personal_ids(all_of_them=True)  # a number of the plan given to another child meanwhile: plan again
        if _numbers_given_since(made):
            made = plan_import(table, step.unit, overrides=step.options.get("columns"), content=step.content)
            replanned = as_pipeline_plan(made, table)
            plan.create, plan.update, plan.unchanged = replanned.create, replanned.update, replanned.unchanged
            plan.rejected = replanned.rejected
        summary = write_plan(made, actor=step.actor, commune=step.unit, source_label=step.filename)
        return {"summary": {key: summary[key] for key in (CREATE, UPDATE, UNCHANGED, REJECT, "total")}}


def as_pipeline_plan(made: ImportPlan, table) -> pipeline.Plan:
    """The register's plan in the pipeline's terms: rows to create and update, how many are unchanged, and the
    rejected rows with their cells as read and every error."""
    cells = {row.number: row.values for row in table.rows}
    return pipeline.Plan(
        create=[row for row in made.rows if row.action == CREATE],
        update=[row for row in made.rows if row.action == UPDATE],
        unchanged=sum(1 for row in made.rows if row.action == UNCHANGED),
        rejected=[pipeline.Rejected(row.row, list(cells.get(row.row, [])), row.errors)
                  for row in made.rows if row.action == REJECT],
        headers=table.headers, data=(made, table), warnings=made.file_warnings)
