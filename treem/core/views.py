from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import files, jobs
from .models import Job, JobStatus, PreparedFile


def _progress(request, job: Job):
    done_url = (job.result or {}).get("url", "")
    return render(request, "core/job_progress.html", {"job": job, "done_url": done_url})


@login_required
def job_status(request, pk):
    """The progress partial, polled by HTMX. A job is visible to the person who started it. A job whose worker is
    gone shows as interrupted (with "run again") instead of running for ever."""
    job = get_object_or_404(Job, pk=pk, actor=request.user)
    if job.status == JobStatus.RUNNING and jobs.recover_jobs(job=job):
        job.refresh_from_db()
    return _progress(request, job)


@require_POST
@login_required
def job_retry(request, pk):
    """Run a failed or interrupted job again (its owner only). HTMX swaps the progress bar in; a plain form goes
    back to the page it was on."""
    job = get_object_or_404(Job, pk=pk, actor=request.user)
    try:
        job = jobs.job_retry(actor=request.user, job=job, request=request)
    except jobs.JobNotRetryable as exc:
        messages.error(request, str(exc))
    job.refresh_from_db()
    if request.headers.get("HX-Request"):
        return _progress(request, job)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return _progress(request, job)


@require_GET
@login_required
def prepared_file(request, pk):
    """A prepared file, for its owner only (anyone else: 404), until it expires (then 410 with an explanation)."""
    try:
        prepared = files.prepared_file_for(request.user, pk)
    except PreparedFile.DoesNotExist:
        raise Http404 from None
    try:
        handle = files.prepared_file_download(actor=request.user, prepared=prepared, request=request)
    except files.FileExpired:
        return render(request, "core/file_expired.html", {"prepared": prepared}, status=410)
    response = FileResponse(handle, as_attachment=True, filename=prepared.filename,
                            content_type=prepared.content_type)
    patch_cache_control(response, private=True, no_store=True)
    return response
