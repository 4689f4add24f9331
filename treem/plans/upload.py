"""The plan upload on the import pipeline (treem.core.pipeline): gate -> read (the parser) -> plan (the document
must not be registered already) -> write (a PlanDraft, reviewed on the existing review page).

A small file is read in the request (the officer lands on the review page at once); a larger one (a PDF, a long
DOCX: extracting and parsing takes seconds) by a background job whose progress the upload's page shows, then the
review page. The draft is the "commit": the officer's review and save (importing.draft_save) stay as they were."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import pgettext

from treem.access import Capability, require_area
from treem.core import pipeline, uploads
from treem.core.jobs import job_to_show
from treem.core.models import ImportRun, ImportStage

from .files import CONTENT_TYPES, PLAN_EXTENSIONS, CheckedFile, max_bytes
from .importing import _refuse_twin, draft_from, parse_checked

SYNC_BYTES = 64 * 1024  # default of PLANS_UPLOAD_SYNC_BYTES: larger files are read by a background job


class PlanUpload(pipeline.Importer):
    kind = "plans.upload"
    extensions = frozenset(PLAN_EXTENSIONS)
    auto_commit = True  # the draft is kept at once; the officer reviews it before anything is registered
    replan_on_commit = False

    @property
    def max_bytes(self) -> int:
        return max_bytes()

    @property
    def background_above(self) -> int:
        return int(getattr(settings, "PLANS_UPLOAD_SYNC_BYTES", SYNC_BYTES))

    def gate(self, upload) -> uploads.Upload:
        # The parser checks the content itself and says more precisely what is wrong (a scanned PDF, a .doc renamed
        # .docx ...); the ZIP limits are checked all the same.
        return uploads.receive(upload, allowed=self.extensions, max_bytes=self.max_bytes, sniff=False)

    def require(self, actor, unit) -> None:
        require_area(actor, Capability.EDIT_PLANS, unit)

    def read(self, step: pipeline.Step):
        checked = _checked(step.run)
        step.progress(0, 2, pgettext("plans", "Reading the document"))
        try:
            text, parsed = parse_checked(checked)
        except ValidationError as exc:
            raise pipeline.ImportProblem(" ".join(exc.messages)) from exc
        step.progress(1, 2, pgettext("plans", "Matching agencies and documents"))
        return checked, text, parsed

    def plan(self, records, step: pipeline.Step) -> pipeline.Plan:
        checked, text, parsed = records
        read = parsed.get("document", {})
        issued = date.fromisoformat(read["date"]) if read.get("date") else None
        try:
            _refuse_twin(read.get("number"), issued, step.unit, read.get("issuer"))
        except ValidationError as exc:
            raise pipeline.ImportProblem(" ".join(exc.messages)) from exc
        return pipeline.Plan(create=[(checked, text, parsed)])

    def write(self, plan: pipeline.Plan, step: pipeline.Step) -> dict:
        checked, text, parsed = plan.create[0]
        draft = draft_from(checked, text, parsed, province=step.unit, actor=step.actor)
        step.progress(2, 2, pgettext("plans", "Read"))
        return {"url": reverse("plans:draft", args=[draft.pk]), "draft": str(draft.pk)}


def _checked(run: ImportRun) -> CheckedFile:
    extension = "." + run.filename.rsplit(".", 1)[-1].lower() if "." in run.filename else ""
    content = bytes(run.content)
    return CheckedFile(name=run.filename, extension=extension, content=content, sha256=run.sha256,
                       content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))


def start(*, actor, file, province, request=None) -> ImportRun:
    """Upload a plan: the gate's refusals and a file that cannot be read (when read at once) are ValidationErrors."""
    run = pipeline.upload(PlanUpload(), actor=actor, file=file, unit=province, request=request)
    if run.stage == ImportStage.FAILED:
        raise ValidationError(run.error, code="unreadable")
    return run


def next_url(run: ImportRun) -> str:
    if run.stage == ImportStage.COMMITTED and run.result.get("url"):
        return run.result["url"]
    return reverse("plans:upload_run", args=[run.pk])


@login_required
def upload_run(request, pk):
    """An upload being read: its progress, then the review page (or why it could not be read). The uploader's own
    only; nothing of another person's upload is revealed."""
    run = get_object_or_404(ImportRun, pk=pk, kind=PlanUpload.kind, created_by=request.user)
    if run.unit is None:
        raise Http404
    require_area(request.user, Capability.EDIT_PLANS, run.unit)
    if run.stage == ImportStage.COMMITTED and run.result.get("url"):
        return redirect(run.result["url"])
    job = job_to_show(run.job) if run.job_id else None
    return render(request, "plans/upload_run.html", {"run": run, "job": job, "done_url": request.get_full_path()})
