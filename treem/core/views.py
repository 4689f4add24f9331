from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def job_status(request, pk):
    """The progress partial, polled by HTMX. A job is visible to the person who started it."""
    job = get_object_or_404(Job, pk=pk, actor=request.user)
    done_url = (job.result or {}).get("url", "")
    return render(request, "core/job_progress.html", {"job": job, "done_url": done_url})
