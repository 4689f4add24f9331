"""Uploading a plan and reviewing the draft read from it."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from treem.access import require_area

from .. import selectors
from .. import upload as plan_upload
from ..forms import (
    ReviewForm,
    UploadForm,
    agency_choices,
)
from ..importing import build_proposal, draft_discard, draft_save
from ..models import (
    DraftStatus,
    PlanDraft,
)
from .common import C, _errors, editable_provinces

# -- upload and review ----------------------------------------------------------------------------------------------


@login_required
def upload(request):
    provinces = editable_provinces(request.user)
    if not provinces.exists():
        require_area(request.user, C.EDIT_PLANS, None)  # 403
    form = UploadForm(
        request.POST or None, request.FILES or None, provinces=provinces, initial={"province": provinces.first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = plan_upload.start(
                actor=request.user, file=form.cleaned_data["file"], province=form.cleaned_data["province"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(plan_upload.next_url(run))
    drafts = PlanDraft.objects.filter(province__in=provinces, status=DraftStatus.PENDING).order_by("-created_at")[:10]
    return render(request, "plans/upload.html", {"form": form, "drafts": drafts})


@login_required
def draft_review(request, pk):
    draft = selectors.draft_for(request.user, pk)  # another province's upload: 404, not revealed
    if draft.status != DraftStatus.PENDING:
        if draft.document_id:
            return redirect("plans:document", pk=draft.document_id)
        raise Http404
    proposal = build_proposal(draft)
    form = ReviewForm(proposal, request.POST or None, province_agencies=agency_choices(draft.province))
    if request.method == "POST" and form.is_valid():
        try:
            document = draft_save(actor=request.user, draft=draft, review=form.cleaned_review())
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, pgettext("plans", "The document was saved with its targets and tasks."))
            return redirect("plans:document", pk=document.pk)
    parsed = draft.parsed
    return render(
        request,
        "plans/review.html",
        {
            "draft": draft,
            "form": form,
            "proposal": proposal,
            "parsed": parsed,
            "empty": not (parsed.get("targets") or parsed.get("tasks")),
        },
    )


@login_required
@require_POST
def draft_discard_view(request, pk):
    draft = selectors.draft_for(request.user, pk)
    draft_discard(actor=request.user, draft=draft)
    messages.info(request, pgettext("plans", "The upload was discarded."))
    return redirect("plans:upload")
