"""Plans: legal documents and their cascade, targets, tasks per agency, and the agencies' reports in rounds.

Directive 28-CT/TW cascades into programmes, plans and dispatches at every level (``Document.implements``). Each
document sets targets (chỉ tiêu) and assigns tasks (nhiệm vụ) to agencies as lead (chủ trì) or coordinator (phối hợp).
Agencies report every year in a ``ReportingRound``; each expected agency has at most one ``Submission`` per round,
whose ``SubmissionEvent`` rows keep the history of what was submitted when and which submit time counted.

Every write goes through ``plans.services`` / ``plans.rounds`` / ``plans.importing``; every read that a user sees
through ``plans.selectors``.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import pgettext, pgettext_lazy

from treem.core.models import RecordModel, TimestampedModel
from treem.core.text import fold


def _upload_path(folder: str, filename: str) -> str:
    name = PurePath(filename).name[-120:] or "file"
    return f"plans/{folder}/{timezone.localdate():%Y}/{uuid.uuid4().hex}/{name}"


def document_upload_to(instance, filename: str) -> str:
    return _upload_path("documents", filename)


def draft_upload_to(instance, filename: str) -> str:
    return _upload_path("drafts", filename)


def attachment_upload_to(instance, filename: str) -> str:
    return _upload_path("attachments", filename)


def report_upload_to(instance, filename: str) -> str:
    return _upload_path("reports", filename)


def number_key(number: str) -> str:
    """The form document numbers are compared in: '234 /KH-UBND' == '234/kh-ubnd'; 'QĐ' == 'QD'."""
    return "".join(fold(number or "").split())


class DocumentType(models.TextChoices):
    DIRECTIVE = "directive", pgettext_lazy("plans", "Directive")
    DECISION = "decision", pgettext_lazy("plans", "Decision")
    PROGRAMME = "programme", pgettext_lazy("plans", "Programme")
    PLAN = "plan", pgettext_lazy("plans", "Plan")
    DISPATCH = "dispatch", pgettext_lazy("plans", "Official dispatch")
    CIRCULAR = "circular", pgettext_lazy("plans", "Circular")
    RESOLUTION = "resolution", pgettext_lazy("plans", "Resolution")
    DECREE = "decree", pgettext_lazy("plans", "Decree")
    LAW = "law", pgettext_lazy("plans", "Law")
    CONCLUSION = "conclusion", pgettext_lazy("plans", "Conclusion")
    GUIDANCE = "guidance", pgettext_lazy("plans", "Guidance")
    SCHEME = "scheme", pgettext_lazy("plans", "Scheme")
    NOTICE = "notice", pgettext_lazy("plans", "Notice")
    REPORT = "report", pgettext_lazy("plans", "Report")
    OTHER = "other", pgettext_lazy("plans", "Other document")


class Document(RecordModel):
    """A directive, programme, plan or dispatch. ``province`` is the current province it belongs to (scope);
    ``area`` is the unit it was issued for, which may be a legacy province (Sóc Trăng, now part of Cần Thơ)."""

    doc_type = models.CharField(pgettext_lazy("plans", "type"), max_length=12, choices=DocumentType.choices)
    number = models.CharField(
        pgettext_lazy("plans", "number and symbol"),
        max_length=80,
        blank=True,
        help_text=pgettext_lazy("plans", "e.g. 234/KH-UBND"),
    )
    number_key = models.CharField(max_length=80, db_index=True, editable=False)
    issued_on = models.DateField(pgettext_lazy("plans", "date issued"), null=True, blank=True)
    place = models.CharField(pgettext_lazy("plans", "place"), max_length=100, blank=True)
    issuer_agency = models.ForeignKey(
        "accounts.Agency",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("plans", "issuing agency"),
    )
    issuer_name = models.CharField(
        pgettext_lazy("plans", "issuing body"),
        max_length=250,
        blank=True,
        help_text=pgettext_lazy("plans", "As written in the document."),
    )
    signer = models.CharField(pgettext_lazy("plans", "signer"), max_length=150, blank=True)
    title = models.TextField(pgettext_lazy("plans", "title"), blank=True)
    province = models.ForeignKey(
        "geo.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("plans", "province"),
        help_text=pgettext_lazy("plans", "Empty for national documents."),
    )
    area = models.ForeignKey(
        "geo.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("plans", "issued for"),
        help_text=pgettext_lazy("plans", "The unit as it was when issued."),
    )
    implements = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="implemented_by",
        blank=True,
        verbose_name=pgettext_lazy("plans", "implements"),
    )
    file = models.FileField(
        pgettext_lazy("plans", "original file"), upload_to=document_upload_to, blank=True, max_length=300
    )
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    source_text = models.TextField(blank=True, help_text="the text the parser read (for source lines)")
    parsed = models.JSONField(default=dict, blank=True, help_text="what the parser proposed")
    is_placeholder = models.BooleanField(pgettext_lazy("plans", "known only from citations"), default=False)
    report_month = models.PositiveSmallIntegerField(
        pgettext_lazy("plans", "yearly report month"), null=True, blank=True
    )
    report_day = models.PositiveSmallIntegerField(pgettext_lazy("plans", "yearly report day"), null=True, blank=True)
    report_text = models.CharField(pgettext_lazy("plans", "reporting regime"), max_length=600, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("plans", "document")
        verbose_name_plural = pgettext_lazy("plans", "documents")
        ordering = ["issued_on", "number"]
        indexes = [models.Index(fields=["province", "doc_type"])]

    def __str__(self) -> str:
        label = self.get_doc_type_display()
        return f"{label} {self.number}".strip() if self.number else f"{label}: {self.title[:80]}"

    def name_vi(self) -> str:
        """The name written inside Vietnamese text (a report, the demo): "Chương trình 61-CTr/TU", in whatever language
        the page or the job that writes it runs."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self)

    def save(self, *args, **kwargs):
        self.number_key = number_key(self.number)
        super().save(*args, **kwargs)

    @property
    def report_deadline_label(self) -> str:
        if self.report_month and self.report_day:
            return f"{self.report_day:02d}/{self.report_month:02d}"
        return ""


class Direction(models.TextChoices):
    AT_LEAST = "at_least", pgettext_lazy("plans", "reach at least")
    BELOW = "below", pgettext_lazy("plans", "below")
    REDUCE_TO = "reduce_to", pgettext_lazy("plans", "reduce to")
    INCREASE_TO = "increase_to", pgettext_lazy("plans", "increase to")
    EQUAL = "equal", pgettext_lazy("plans", "equal")


class Target(RecordModel):
    """A target (chỉ tiêu): text, unit, baseline, and values by year."""

    document = models.ForeignKey(
        Document, models.PROTECT, related_name="targets", verbose_name=pgettext_lazy("plans", "set by")
    )
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(pgettext_lazy("plans", "target"))
    unit = models.CharField(
        pgettext_lazy("plans", "unit"),
        max_length=40,
        blank=True,
        help_text=pgettext_lazy("plans", "%, communes, children ..."),
    )
    baseline_value = models.DecimalField(
        pgettext_lazy("plans", "baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(pgettext_lazy("plans", "baseline year"), null=True, blank=True)
    baseline_source = models.TextField(pgettext_lazy("plans", "baseline source"), blank=True)
    area = models.ForeignKey(
        "geo.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=pgettext_lazy("plans", "area")
    )
    indicator_code = models.CharField(
        pgettext_lazy("plans", "indicator code"),
        max_length=60,
        blank=True,
        help_text=pgettext_lazy("plans", "Binds the target to an indicator definition."),
    )
    agencies = models.ManyToManyField(
        "accounts.Agency",
        blank=True,
        related_name="plan_targets",
        verbose_name=pgettext_lazy("plans", "agencies reporting on it"),
    )
    source_lines = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("plans", "target")
        verbose_name_plural = pgettext_lazy("plans", "targets")
        ordering = ["document", "order"]

    def __str__(self) -> str:
        return self.text[:120]


class TargetValue(models.Model):
    target = models.ForeignKey(Target, models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("plans", "year"),
        null=True,
        blank=True,
        help_text=pgettext_lazy("plans", "Empty: by the end of the document's period."),
    )
    value = models.DecimalField(pgettext_lazy("plans", "value"), max_digits=16, decimal_places=4)
    direction = models.CharField(pgettext_lazy("plans", "direction"), max_length=12, choices=Direction.choices)

    class Meta:
        ordering = ["target", "year"]
        constraints = [models.UniqueConstraint(fields=["target", "year"], name="target_value_one_per_year")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.value}"

    def met_by(self, value: Decimal | None) -> bool | None:
        if value is None:
            return None
        return {
            Direction.AT_LEAST: value >= self.value,
            Direction.INCREASE_TO: value >= self.value,
            Direction.BELOW: value < self.value,
            Direction.REDUCE_TO: value <= self.value,
            Direction.EQUAL: value == self.value,
        }[self.direction]


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("plans", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("plans", "In progress")
    DONE = "done", pgettext_lazy("plans", "Done")
    CANCELLED = "cancelled", pgettext_lazy("plans", "Cancelled")


class ScheduleKind(models.TextChoices):
    NONE = "none", pgettext_lazy("plans", "No deadline")
    DATE = "date", pgettext_lazy("plans", "By a date")
    YEARLY = "yearly", pgettext_lazy("plans", "Every year before a day")
    MONTH = "month", pgettext_lazy("plans", "Within a month")


class Task(RecordModel):
    """A task (nhiệm vụ). Its deadline is data: a date, a yearly day/month, or a month of a year."""

    document = models.ForeignKey(
        Document, models.PROTECT, related_name="tasks", verbose_name=pgettext_lazy("plans", "document")
    )
    order = models.PositiveIntegerField(default=0)
    section = models.CharField(pgettext_lazy("plans", "section"), max_length=300, blank=True)
    text = models.TextField(pgettext_lazy("plans", "task"))
    source_lines = models.JSONField(default=list, blank=True)
    status = models.CharField(
        pgettext_lazy("plans", "status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    schedule_kind = models.CharField(
        pgettext_lazy("plans", "deadline"), max_length=8, choices=ScheduleKind.choices, default=ScheduleKind.NONE
    )
    due_date = models.DateField(pgettext_lazy("plans", "due date"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(pgettext_lazy("plans", "day"), null=True, blank=True)
    due_month = models.PositiveSmallIntegerField(pgettext_lazy("plans", "month"), null=True, blank=True)
    due_year = models.PositiveSmallIntegerField(pgettext_lazy("plans", "year"), null=True, blank=True)
    schedule_text = models.CharField(pgettext_lazy("plans", "deadline as written"), max_length=600, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("plans", "task")
        verbose_name_plural = pgettext_lazy("plans", "tasks")
        ordering = ["document", "order"]

    def __str__(self) -> str:
        return self.text[:120]


class TaskRole(models.TextChoices):
    LEAD = "lead", pgettext_lazy("plans", "Lead")
    COORDINATE = "coordinate", pgettext_lazy("plans", "Coordinates")


class TaskAgency(models.Model):
    """An agency on a task, lead (chủ trì) or coordinator (phối hợp). An agency that no longer exists stays linked;
    its successors are shown with it."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="assignments")
    agency = models.ForeignKey("accounts.Agency", models.PROTECT, null=True, blank=True, related_name="plan_tasks")
    name_as_written = models.CharField(pgettext_lazy("plans", "as written"), max_length=300, blank=True)
    role = models.CharField(pgettext_lazy("plans", "role"), max_length=10, choices=TaskRole.choices)

    class Meta:
        ordering = ["task", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "agency", "role"], name="task_agency_unique", condition=models.Q(agency__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency or self.name_as_written} ({self.get_role_display()})"


class TaskUpdate(RecordModel):
    """Progress reported on a task by its agency: text, figures, evidence files."""

    task = models.ForeignKey(Task, models.PROTECT, related_name="updates")
    agency = models.ForeignKey("accounts.Agency", models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(pgettext_lazy("plans", "progress"))
    figures = models.JSONField(
        pgettext_lazy("plans", "figures"), default=list, blank=True, help_text="[{label, value}]"
    )
    status = models.CharField(pgettext_lazy("plans", "status"), max_length=12, choices=TaskStatus.choices)
    period_year = models.PositiveSmallIntegerField(pgettext_lazy("plans", "for year"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.text[:60]}"


class RoundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("plans", "Open")
    CLOSED = "closed", pgettext_lazy("plans", "Closed")


class TimelinessRule(models.TextChoices):
    FIRST_SUBMIT = (
        "first_submit",
        pgettext_lazy("plans", "The first submission counts (corrections do not make it late)"),
    )
    LAST_SUBMIT = "last_submit", pgettext_lazy("plans", "The latest submission counts")


class ReportingRound(RecordModel):
    """A reporting round: e.g. the 2026 annual report on Directive 28 in one province."""

    title = models.CharField(pgettext_lazy("plans", "title"), max_length=300)
    document = models.ForeignKey(
        Document, models.PROTECT, related_name="rounds", verbose_name=pgettext_lazy("plans", "document")
    )
    province = models.ForeignKey(
        "geo.Unit", models.PROTECT, related_name="+", verbose_name=pgettext_lazy("plans", "province")
    )
    period_year = models.PositiveSmallIntegerField(pgettext_lazy("plans", "year reported on"))
    deadline = models.DateField(pgettext_lazy("plans", "deadline"))
    focal_agency = models.ForeignKey(
        "accounts.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("plans", "consolidating agency"),
    )
    reminder_days = models.CharField(
        pgettext_lazy("plans", "reminders (days before the deadline)"), max_length=40, default="7,3,1"
    )
    timeliness_rule = models.CharField(
        pgettext_lazy("plans", "which submission time counts"),
        max_length=12,
        choices=TimelinessRule.choices,
        default=TimelinessRule.FIRST_SUBMIT,
    )
    status = models.CharField(
        pgettext_lazy("plans", "status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("plans", "reporting round")
        verbose_name_plural = pgettext_lazy("plans", "reporting rounds")
        ordering = ["-deadline", "title"]

    def __str__(self) -> str:
        return self.title

    def reminder_day_list(self) -> list[int]:
        return sorted(
            {int(p) for p in self.reminder_days.replace(";", ",").split(",") if p.strip().isdigit()}, reverse=True
        )


class RoundAgency(models.Model):
    """An agency expected to report in a round, as it was named when the round opened (agencies change)."""

    round = models.ForeignKey(ReportingRound, models.CASCADE, related_name="expected")
    agency = models.ForeignKey("accounts.Agency", models.PROTECT, related_name="+")
    agency_name = models.CharField(max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "agency_name"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="round_agency_unique")]

    def __str__(self) -> str:
        return self.agency_name


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plans", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("plans", "Submitted")
    RETURNED = "returned", pgettext_lazy("plans", "Returned for correction")
    ACCEPTED = "accepted", pgettext_lazy("plans", "Accepted")


RECEIVED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


class Submission(RecordModel):
    """One agency's report in one round (at most one: a second is refused; a returned one is resubmitted)."""

    round = models.ForeignKey(ReportingRound, models.PROTECT, related_name="submissions")
    agency = models.ForeignKey(
        "accounts.Agency", models.PROTECT, related_name="+", verbose_name=pgettext_lazy("plans", "agency")
    )
    status = models.CharField(
        pgettext_lazy("plans", "status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    text = models.TextField(pgettext_lazy("plans", "report"), blank=True)
    first_submitted_at = models.DateTimeField(pgettext_lazy("plans", "first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(pgettext_lazy("plans", "last submitted"), null=True, blank=True)
    counted_at = models.DateTimeField(pgettext_lazy("plans", "submission time that counts"), null=True, blank=True)
    on_time = models.BooleanField(pgettext_lazy("plans", "on time"), null=True, blank=True)
    accepted_at = models.DateTimeField(pgettext_lazy("plans", "accepted"), null=True, blank=True)
    returned_note = models.TextField(pgettext_lazy("plans", "what to correct"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("plans", "submission")
        verbose_name_plural = pgettext_lazy("plans", "submissions")
        ordering = ["round", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="submission_one_per_agency")]

    def __str__(self) -> str:
        return f"{self.round} - {self.agency}"

    @property
    def received(self) -> bool:
        return self.status in RECEIVED

    @property
    def editable(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class SubmissionFigure(models.Model):
    submission = models.ForeignKey(Submission, models.PROTECT, related_name="figures")
    target = models.ForeignKey(Target, models.PROTECT, related_name="+")
    value = models.DecimalField(pgettext_lazy("plans", "value"), max_digits=16, decimal_places=4)
    note = models.CharField(pgettext_lazy("plans", "note"), max_length=300, blank=True)

    class Meta:
        ordering = ["submission", "target__order"]
        constraints = [models.UniqueConstraint(fields=["submission", "target"], name="figure_one_per_target")]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.value}"


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("plans", "Started")
    SAVED = "saved", pgettext_lazy("plans", "Saved")
    SUBMITTED = "submitted", pgettext_lazy("plans", "Submitted")
    RESUBMITTED = "resubmitted", pgettext_lazy("plans", "Resubmitted")
    RETURNED = "returned", pgettext_lazy("plans", "Returned for correction")
    ACCEPTED = "accepted", pgettext_lazy("plans", "Accepted")
    REFUSED = "refused", pgettext_lazy("plans", "Second submission refused")
    DEADLINE = "deadline", pgettext_lazy("plans", "Deadline changed")


class SubmissionEvent(models.Model):
    """The history of a submission and of what counted: each submit records whether it met the deadline in force
    and whether its time is the one that counts."""

    submission = models.ForeignKey(Submission, models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True, help_text="what a person wrote (the return note); never a system sentence")
    deadline = models.DateField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    counted = models.BooleanField(default=False)
    # facts the history line is rendered from (event_text below), e.g. {"counted_at": ISO time}
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y %H:%M}"

    @property
    def text(self) -> str:
        return event_text(self)


class Attachment(RecordModel):
    """Evidence for a task update or a file attached to a submission (content-checked on upload)."""

    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    task_update = models.ForeignKey(TaskUpdate, models.PROTECT, null=True, blank=True, related_name="attachments")
    submission = models.ForeignKey(Submission, models.PROTECT, null=True, blank=True, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class ReminderKind(models.TextChoices):
    ROUND_DUE = "round_due", pgettext_lazy("plans", "Report due soon")
    ROUND_OVERDUE = "round_overdue", pgettext_lazy("plans", "Report overdue")
    TASK_DUE = "task_due", pgettext_lazy("plans", "Task due soon")
    TASK_OVERDUE = "task_overdue", pgettext_lazy("plans", "Task overdue")
    RETURNED = "returned", pgettext_lazy("plans", "Report returned for correction")


class Reminder(TimestampedModel):
    """An in-app reminder (also e-mailed when the user has an address). ``key`` makes sending idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="plan_reminders")
    key = models.CharField(max_length=160)
    kind = models.CharField(max_length=14, choices=ReminderKind.choices)
    round = models.ForeignKey(ReportingRound, models.CASCADE, null=True, blank=True, related_name="reminders")
    task = models.ForeignKey(Task, models.CASCADE, null=True, blank=True, related_name="reminders")
    # what the reminder says is rendered when shown (reminder_text below) from kind + params
    params = models.JSONField(default=dict, blank=True)
    legacy_text = models.CharField(max_length=500, blank=True, help_text="an old reminder's text not converted")
    due_date = models.DateField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"

    @property
    def text(self) -> str:
        return reminder_text(self)


class ConsolidatedReport(RecordModel):
    """The focal agency's consolidated report of a round (Decree 30 DOCX and PDF)."""

    round = models.ForeignKey(ReportingRound, models.PROTECT, related_name="reports")
    docx = models.FileField(upload_to=report_upload_to, max_length=300, blank=True)
    pdf = models.FileField(upload_to=report_upload_to, max_length=300, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.round} ({self.created_at:%d/%m/%Y %H:%M})"


class DraftStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("plans", "Awaiting review")
    SAVED = "saved", pgettext_lazy("plans", "Saved")
    DISCARDED = "discarded", pgettext_lazy("plans", "Discarded")


class PlanDraft(RecordModel):
    """An uploaded plan file and what the parser proposed, kept until an officer reviews and saves it."""

    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    file = models.FileField(upload_to=draft_upload_to, max_length=300)
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    source_text = models.TextField(blank=True)
    parsed = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=DraftStatus.choices, default=DraftStatus.PENDING)
    document = models.ForeignKey(Document, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


# -- what history lines and reminders say, rendered when shown from the stored facts ------------------------------


def event_text(event: SubmissionEvent) -> str:
    """What the system says about a history line, rendered in the reader's language from the stored facts."""
    if event.kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
        if event.counted:
            return pgettext("plans", "This submission's time counts.")
        counted_at = (event.params or {}).get("counted_at")
        if counted_at:
            moment = timezone.localtime(datetime.fromisoformat(counted_at))
            return pgettext("plans", "The first submission's time (%(t)s) still counts.") % {
                "t": moment.strftime("%d/%m/%Y %H:%M")
            }
    if event.kind == EventKind.DEADLINE and event.deadline:
        return pgettext("plans", "Deadline changed to %(d)s") % {"d": event.deadline.strftime("%d/%m/%Y")}
    return ""


# What each reminder says, filled in from Reminder.params when it is shown (in the reader's language): nothing is
# stored as a sentence. Dates are kept ISO in params and shown dd/mm/yyyy.
REMINDER_TEXT = {
    ReminderKind.ROUND_DUE: pgettext_lazy(
        "plans", "%(agency)s: the report “%(round)s” is due on %(date)s (in %(n)s days)."
    ),
    ReminderKind.ROUND_OVERDUE: pgettext_lazy(
        "plans",
        "%(agency)s: the report “%(round)s” was due on %(date)s and has not been submitted; "
        "submit it now (it will be counted late).",
    ),
    ReminderKind.RETURNED: pgettext_lazy(
        "plans", "%(agency)s: the report “%(round)s” was returned for correction: %(note)s"
    ),
}


def _day(value) -> str:
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(value or "")


def reminder_text(reminder: Reminder) -> str:
    """The reminder as a sentence in the active language; an old row that could not be converted shows its text."""
    params = dict(reminder.params or {})
    if not params:
        return reminder.legacy_text or reminder.get_kind_display()
    if reminder.kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        parts = []
        if params.get("overdue"):
            parts.append(pgettext("plans", "%(n)s tasks overdue") % {"n": params["overdue"]})
        if params.get("approaching"):
            parts.append(
                pgettext("plans", "%(n)s tasks due by %(d)s")
                % {"n": params["approaching"], "d": _day(params.get("first"))}
            )
        return pgettext("plans", "%(agency)s: %(parts)s.") % {
            "agency": params.get("agency", ""),
            "parts": ", ".join(parts),
        }
    params["date"] = _day(params.get("date"))
    template = REMINDER_TEXT.get(reminder.kind)
    if template is None:
        return reminder.get_kind_display()
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return reminder.legacy_text or reminder.get_kind_display()
