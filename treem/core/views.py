from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import files
from .models import Job, PreparedFile


@login_required
def job_status(request, pk):
    """The progress partial, polled by HTMX. A job is visible to the person who started it."""
    job = get_object_or_404(Job, pk=pk, actor=request.user)
    done_url = (job.result or {}).get("url", "")
    return render(request, "core/job_progress.html", {"job": job, "done_url": done_url})


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
