"""An agency's report in a round: starting it, writing, submitting, review, attachments."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from treem.access import require_area, scope_for
from treem.accounts.models import Agency

from .. import selectors
from ..forms import (
    ReturnForm,
    SubmissionForm,
)
from ..models import (
    Attachment,
)
from ..rounds import (
    SubmissionExists,
    may_report_for,
    submission_accept,
    submission_return,
    submission_save,
    submission_save_and_submit,
    submission_start,
    targets_for,
)
from .common import C, _errors, _file_response, _get

# -- submissions ----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def submission_begin(request, pk):
    """An agency reporter starts her report for a round; a second one is refused and she is sent to the first."""
    round_ = selectors.round_for(request.user, pk)
    agency = _get(Agency.objects.all(), pk=request.POST.get("agency"))
    if not may_report_for(request.user, agency):
        require_area(request.user, C.EDIT_PLANS, None)  # 403
    try:
        submission = submission_start(actor=request.user, round_=round_, agency=agency)
    except SubmissionExists as exc:
        messages.warning(request, exc.messages[0])
        return redirect("plans:submission", pk=exc.existing.pk)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("plans:round", pk=round_.pk)
    return redirect("plans:submission", pk=submission.pk)


@login_required
def submission_detail(request, pk):
    submission = selectors.submission_for(request.user, pk)
    round_ = submission.round
    is_reporter = may_report_for(request.user, submission.agency) and not scope_for(request.user).is_system
    can_review = scope_for(request.user).may_area(C.EDIT_PLANS, round_.province)
    targets = targets_for(round_, submission.agency)
    figures = {f.target_id: f for f in submission.figures.select_related("target")}
    form = None
    if is_reporter and submission.editable:
        form = SubmissionForm(
            request.POST or None,
            request.FILES or None,
            targets=targets,
            figures=figures,
            initial={"text": submission.text, "version": submission.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = {"text": form.cleaned_data["text"], "figures": form.figures(),
                          "files": form.cleaned_data["files"], "expected_version": form.cleaned_data["version"]}
                if "submit" in request.POST:
                    submission = submission_save_and_submit(actor=request.user, submission=submission, **report)
                    if submission.on_time:
                        messages.success(request, pgettext("plans", "Your report was submitted on time."))
                    elif submission.counted_at == submission.submitted_at:
                        messages.warning(
                            request,
                            pgettext(
                                "plans",
                                "Your report was submitted after the deadline of %(d)s: it is "
                                "accepted and counted late.",
                            )
                            % {"d": round_.deadline.strftime("%d/%m/%Y")},
                        )
                    else:
                        messages.success(request, pgettext("plans", "Your corrected report was submitted."))
                else:
                    submission_save(actor=request.user, submission=submission, **report)
                    messages.success(request, pgettext("plans", "Your draft was saved."))
            except ValidationError as exc:
                _errors(request, exc)
            else:
                return redirect("plans:submission", pk=submission.pk)
    elif request.method == "POST":
        require_area(request.user, C.EDIT_PLANS, None)  # 403: nothing to post here
    return render(
        request,
        "plans/submission.html",
        {
            "submission": submission,
            "round": round_,
            "form": form,
            "can_review": can_review,
            "return_form": ReturnForm(),
            "figures": [(figures[t.pk], t) for t in targets if t.pk in figures],
            "events": submission.events.select_related("actor"),
            "attachments": submission.attachments.all(),
        },
    )


@login_required
@require_POST
def submission_review(request, pk, action):
    submission = selectors.submission_for(request.user, pk)
    try:
        if action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(pgettext("plans", "Say what needs correcting."))
            submission_return(actor=request.user, submission=submission, note=form.cleaned_data["note"])
            messages.success(request, pgettext("plans", "The report was returned to the agency for correction."))
        elif action == "accept":
            submission_accept(actor=request.user, submission=submission)
            messages.success(request, pgettext("plans", "The report was accepted."))
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("plans:submission", pk=submission.pk)


@login_required
def attachment_file(request, pk):
    attachment = _get(Attachment.objects.all(), pk=pk)
    if attachment.submission_id:
        selectors.submission_for(request.user, attachment.submission_id)
    elif attachment.task_update_id:
        selectors.task_for(request.user, attachment.task_update.task_id)
    else:
        raise Http404
    return _file_response(attachment.file, attachment.name, attachment.content_type or None)
