"""Prepared files: a file made for one person (typically by a background job), kept in default storage for
`LIFETIME`, downloadable only by that person, every download logged. `treem purge-files` deletes expired ones.

A job runner calls `prepared_file_create` and returns `{"url": download_url(prepared)}`; the progress bar
(core/job_progress.html) then links to the download.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from treem.core.actors import SYSTEM
from treem.core.auditing import record

from .exceptions import NotAllowed
from .models import PreparedFile

LIFETIME = timedelta(hours=24)


class FileExpired(Exception):
    """The file is past its expiry (or already deleted from storage)."""


def download_url(prepared: PreparedFile) -> str:
    return reverse("core:file", args=[prepared.pk])


def prepared_file_create(*, owner, kind: str, filename: str, content: bytes, rows: int = 0,
                         content_type: str = "application/octet-stream") -> PreparedFile:
    """Store `content` for `owner`. Call it inside the caller's transaction, next to the caller's audit event."""
    prepared = PreparedFile(owner=owner, kind=kind, filename=filename, content_type=content_type, size=len(content),
                            rows=rows, expires_at=timezone.now() + LIFETIME)
    prepared.file.save(filename, ContentFile(content), save=False)
    try:
        prepared.save()
    except Exception:
        prepared.file.storage.delete(prepared.file.name)
        raise
    return prepared


def prepared_file_for(user, pk) -> PreparedFile:
    """The file if `user` owns it (expired or not); PreparedFile.DoesNotExist for anyone else."""
    return PreparedFile.objects.get(pk=pk, owner_id=user.pk)


@transaction.atomic
def prepared_file_download(*, actor, prepared: PreparedFile, request=None):
    """Open the file for `actor` (its owner), count and log the download. FileExpired once it has expired."""
    if prepared.owner_id != getattr(actor, "pk", None):
        raise NotAllowed
    now = timezone.now()
    if prepared.is_expired(now):
        raise FileExpired
    try:
        handle = prepared.file.storage.open(prepared.file.name, "rb")
    except FileNotFoundError:
        raise FileExpired from None
    PreparedFile.objects.filter(pk=prepared.pk).update(downloaded_at=now, download_count=F("download_count") + 1)
    record(actor, "core.file.download", prepared, request=request,
           summary={"kind": prepared.kind, "filename": prepared.filename, "rows": prepared.rows,
                    "size": prepared.size, "download": prepared.download_count + 1})
    return handle


def purge_expired(now=None) -> int:
    """Delete every expired file from storage and its row; returns how many."""
    now = now or timezone.now()
    count = 0
    for prepared in PreparedFile.objects.filter(expires_at__lte=now).iterator():
        if prepared.file.name:
            prepared.file.storage.delete(prepared.file.name)
        prepared.delete()
        count += 1
    if count:
        record(SYSTEM, "core.file.purge", None, summary={"deleted": count})
    return count
