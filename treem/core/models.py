"""Base models every app builds on."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class RecordModel(TimestampedModel):
    """A sensitive record: a UUID key (not guessable in URLs) and a version for optimistic locking."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Rows in force on `day` (a date): started on or before it, not ended before it."""
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day),
        )


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # The worker stopped (killed, machine restarted) before the job finished: see treem.core.jobs.recover_jobs.
    INTERRUPTED = "interrupted", _("Interrupted")


class Job(TimestampedModel):
    """A background job with progress a person can watch (see treem.core.jobs)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    actor = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("geo.Unit", models.SET_NULL, null=True, blank=True, related_name="+")
    runner = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the worker running it (start, every progress report).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED, JobStatus.INTERRUPTED}

    @property
    def retryable(self) -> bool:
        return self.status in {JobStatus.FAILED, JobStatus.INTERRUPTED}


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday or day off")
    WORKING = "working", _("Make-up working day")


class CalendarDay(models.Model):
    """The holiday table statutory clocks count with: seeded from the `holidays` package, corrected by an administrator
    when the government's yearly decision differs."""

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices, default=DayKind.HOLIDAY)
    name = models.CharField(_("name"), max_length=150)
    source = models.CharField(_("source"), max_length=150, blank=True, help_text=_("e.g. the decision that set it"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holidays and make-up working days")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"


def _prepared_path(instance, filename: str) -> str:
    # The stored name says nothing about the content; the name the person sees is `filename`.
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"prepared/{instance.pk}.{suffix}"


class PreparedFile(models.Model):
    """A file made for one person (an export built in the background), downloadable by that person only, until it
    expires (`treem purge-files` then deletes it). Every download is logged (see treem.core.files)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey("accounts.User", models.CASCADE, related_name="+", verbose_name=_("owner"))
    kind = models.CharField(_("kind"), max_length=60)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    file = models.FileField(upload_to=_prepared_path, max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    downloaded_at = models.DateTimeField(_("last downloaded at"), null=True, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("prepared file")
        verbose_name_plural = _("prepared files")

    def __str__(self) -> str:
        return self.filename

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


class ImportStage(models.TextChoices):
    """The states of an upload in the import pipeline (treem.core.pipeline)."""

    UPLOADED = "uploaded", _("Uploaded")
    READ = "read", _("Read")
    PLANNED = "planned", _("Checked, ready to save")
    COMMITTING = "committing", _("Saving")
    COMMITTED = "committed", _("Saved")
    FAILED = "failed", _("Cannot be imported")


class ImportRun(TimestampedModel):
    """One uploaded file going through the import pipeline: the file as it passed the upload gate (kept in the
    database, so any worker machine can read it), its state, the plan's counts and the rows it rejects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(max_length=200, help_text="dotted path of the module's Importer")
    kind = models.CharField(_("kind"), max_length=60)
    unit = models.ForeignKey("geo.Unit", models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(editable=False)
    options = models.JSONField(default=dict, blank=True)
    stage = models.CharField(_("status"), max_length=12, choices=ImportStage.choices, default=ImportStage.UPLOADED)
    error = models.TextField(_("problem"), blank=True)
    summary = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=list, blank=True)
    rejected = models.JSONField(default=list, blank=True, help_text="[[row, [cell, ...], [reason, ...]], ...]")
    result = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(Job, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.filename
