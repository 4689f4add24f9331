"""Protection cases (Law on Children arts. 47-53, Decree 56/2017 arts. 22-32).

A case starts as a report (Form 01) and runs through the statutory steps, each one a record of its own: initial
assessment (Form 02), emergency protection and temporary separation (Form 07), detailed assessment and meeting
(Form 03), support/intervention plan (Form 04) approved by the commune chair (Form 05), services, referrals, review
(Form 06), closure. The case's `stage` is derived from those records (treem.cases.workflow.compute_stage) and stored
only so that lists and statistics can filter on it.

Every write goes through treem.cases.services; every read through treem.cases.selectors. No case is ever deleted:
a case is closed, or marked recorded in error, with a reason.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from treem.core.models import RecordModel, TimestampedModel, ValidityQuerySet


class Channel(models.TextChoices):
    HOTLINE = "hotline_111", _("Hotline 111")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    POLICE = "police", _("Police")
    SCHOOL = "school", _("School")
    HEALTH = "health_facility", _("Health facility")
    ONLINE = "online", _("Online")


class RequestType(models.TextChoices):
    INTERVENTION = "intervention", _("Request for intervention")
    COUNSELLING = "counselling", _("Counselling")
    INFORMATION = "information", _("Information")


class ConcernType(models.TextChoices):
    VIOLENCE = "violence", _("Violence")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    EXPLOITATION = "exploitation", _("Exploitation")
    TRAFFICKING = "trafficking", _("Trafficking")
    NEGLECT = "neglect", _("Neglect")
    OTHER = "other", _("Other concern")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CONFIDENTIAL = "confidential", _("Confidential: reporter's identity protected")
    STRICT = "strict", _("Strictly confidential: names shown only to assigned workers")


class Distribution(models.TextChoices):
    COMMUNE = "commune", _("Commune only (assigned workers and the chair)")
    PROVINCE = "province", _("Commune and provincial supervisors")


class Stage(models.TextChoices):
    INTAKE = "intake", _("Report received")
    EMERGENCY = "emergency", _("Emergency protection")
    ASSESSMENT = "assessment", _("Detailed assessment")
    PLANNING = "planning", _("Support plan")
    APPROVAL = "approval", _("Awaiting approval")
    IMPLEMENTATION = "implementation", _("Implementation")
    REVIEW = "review", _("Reviewed, ready to close")
    CLOSED = "closed", _("Closed")
    IN_ERROR = "in_error", _("Recorded in error")


OPEN_STAGES = [s for s in Stage.values if s not in {Stage.CLOSED, Stage.IN_ERROR}]


class Source(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    PUBLIC = "public", _("Public reporting page")
    API = "api", _("Hotline system (API)")


class Case(RecordModel):
    reference = models.CharField(_("reference code"), max_length=24, unique=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(_("type of request"), max_length=14, choices=RequestType.choices,
                                    default=RequestType.INTERVENTION)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.STAFF)
    reporter_anonymous = models.BooleanField(_("anonymous reporter"), default=False)
    reporter_name = models.CharField(_("reporter's name"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_relation = models.CharField(_("reporter's relation to the child"), max_length=100, blank=True)
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", editable=False,
                                 help_text="the commune's province, kept for scoping and sharding")
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="protection_cases",
                                verbose_name=_("commune where it happened"))
    place_detail = models.CharField(_("village, address or place"), max_length=250, blank=True)
    narrative = models.TextField(_("what happened"))
    children_description = models.TextField(_("children as reported"), blank=True,
                                            help_text=_("As the reporter described them, before they are identified."))
    confidentiality = models.CharField(_("confidentiality level"), max_length=12, choices=Confidentiality.choices,
                                       default=Confidentiality.CONFIDENTIAL)
    distribution = models.CharField(_("distribution scope"), max_length=10, choices=Distribution.choices,
                                    default=Distribution.PROVINCE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="intakes_recorded", verbose_name=_("recorded by"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTAKE, db_index=True)
    emergency_required = models.BooleanField(_("emergency protection required"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    closure_reason = models.TextField(_("closure: result and reason"), blank=True)
    in_error_at = models.DateTimeField(null=True, blank=True)
    in_error_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    in_error_reason = models.TextField(_("why it was recorded in error"), blank=True)

    class Meta:
        verbose_name = _("protection case")
        verbose_name_plural = _("protection cases")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["province", "stage"]), models.Index(fields=["commune", "stage"])]

    def __str__(self) -> str:
        return self.reference  # never a child's name: this goes into the audit log and alerts

    def delete(self, *args, **kwargs):
        raise PermissionError("A protection case is never deleted: close it or mark it recorded in error.")

    @property
    def is_open(self) -> bool:
        return self.stage not in {Stage.CLOSED, Stage.IN_ERROR}


class CaseConcern(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="concerns")
    kind = models.CharField(_("abuse or concern"), max_length=16, choices=ConcernType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="case_concern_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseChild(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="case_children")
    child = models.ForeignKey("registry.Child", models.PROTECT, related_name="case_links")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "child"], name="case_child_unique")]

    def __str__(self) -> str:
        return f"{self.case} - {self.child_id}"


class CaseAssignment(models.Model):
    """A worker assigned to a case. Ended, never deleted."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="case_assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.case} - {self.user}"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class InitialAssessment(TimestampedModel):
    """Form 02: initial assessment of risk and harm. The four emergency conditions decide emergency protection."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="initial_assessments")
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    harm = models.TextField(_("harm observed"), blank=True)
    life_threatened = models.BooleanField(_("the child's life is threatened"), default=False)
    health_threatened = models.BooleanField(_("the child's health is threatened or seriously harmed"), default=False)
    dignity_threatened = models.BooleanField(_("the child's dignity is threatened or seriously harmed"),
                                             default=False)
    carer_is_abuser = models.BooleanField(_("the child's own carer is the abuser"), default=False)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        ordering = ["assessed_at"]

    def __str__(self) -> str:
        return f"{self.case} form 02"

    @property
    def emergency_required(self) -> bool:
        return self.life_threatened or self.health_threatened or self.dignity_threatened or self.carer_is_abuser


class EmergencyMeasure(TimestampedModel):
    case = models.ForeignKey(Case, models.CASCADE, related_name="emergency_measures")
    started_at = models.DateTimeField(_("protected at"))
    measures = models.TextField(_("measures taken"))
    place_of_care = models.CharField(_("where the child is cared for"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.case} emergency"


class Separation(TimestampedModel):
    """Form 07: temporary separation of the child from the carer; at most 15 days unless a competent authority
    extends it (the limit is a DeadlineRule)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="separations")
    started_at = models.DateTimeField(_("separated at"))
    planned_end = models.DateField(_("planned end"))
    separated_from = models.CharField(_("separated from (carer)"), max_length=150)
    place_of_care = models.CharField(_("temporary place of care"), max_length=250)
    reason = models.TextField(_("reason"))
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_authority = models.CharField(_("authority that extended it"), max_length=200, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.case} separation"

    @property
    def end_date(self):
        return self.extended_until or self.planned_end


class DetailedAssessment(TimestampedModel):
    """Form 03: detailed assessment of needs and the meeting chaired by the commune chair."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="detailed_assessments")
    assessed_at = models.DateTimeField(_("assessed at"))
    factors = models.JSONField(_("needs by factor"), default=dict, blank=True)
    needs_summary = models.TextField(_("needs of the child"))
    meeting_at = models.DateTimeField(_("meeting held at"), null=True, blank=True)
    meeting_chair = models.CharField(_("meeting chaired by"), max_length=150, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    conclusions = models.TextField(_("meeting conclusions"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["assessed_at"]

    def __str__(self) -> str:
        return f"{self.case} form 03"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    SUPERSEDED = "superseded", _("Replaced by a later plan")


class Plan(TimestampedModel):
    """Form 04: the support/intervention plan; its approval by the commune chair is Form 05."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("plan number"))
    goals = models.TextField(_("goals"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="plan_unique_number")]

    def __str__(self) -> str:
        return f"{self.case} plan {self.number}"


class ServiceKind(models.TextChoices):
    HEALTH = "health", _("Health care")
    PSYCHOSOCIAL = "psychosocial", _("Psychological support")
    EDUCATION = "education", _("Education")
    LEGAL = "legal", _("Legal aid")
    SAFETY = "safety", _("Safety and protection")
    FAMILY = "family", _("Family support and counselling")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ITEM_STATUSES = [ItemStatus.PLANNED, ItemStatus.IN_PROGRESS]


class PlanItem(TimestampedModel):
    plan = models.ForeignKey(Plan, models.CASCADE, related_name="items")
    kind = models.CharField(_("service"), max_length=18, choices=ServiceKind.choices)
    description = models.TextField(_("service or task"))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("expected end"))
    assignee = models.CharField(_("who does it"), max_length=150)
    provider = models.ForeignKey("accounts.Agency", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("provider (agency)"))
    provider_name = models.CharField(_("provider"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost (VND)"), max_digits=14, decimal_places=0, default=0)
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.PLANNED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.plan} - {self.get_kind_display()}"

    @property
    def provider_label(self) -> str:
        return self.provider.name if self.provider_id else self.provider_name


class ServiceRecord(TimestampedModel):
    item = models.ForeignKey(PlanItem, models.CASCADE, related_name="records")
    delivered_on = models.DateField(_("delivered on"))
    note = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["delivered_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.item} {self.delivered_on}"


class ReferralKind(models.TextChoices):
    HEALTH = "health", _("Health facility")
    SCHOOL = "school", _("School")
    POLICE = "police", _("Police")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SOCIAL_WORK = "social_work", _("Social-work centre")
    OTHER = "other", _("Other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent, awaiting answer")
    ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")


class Consent(models.Model):
    """Consent recorded for a referral or transfer, or the override an authorised role logged instead."""

    consent_by = models.CharField(_("consent given by"), max_length=150, blank=True,
                                  help_text=_("The child and/or the parent or carer."))
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    override_reason = models.TextField(_("why consent was not obtained"), blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        abstract = True


class Referral(Consent, TimestampedModel):
    case = models.ForeignKey(Case, models.CASCADE, related_name="referrals")
    item = models.ForeignKey(PlanItem, models.PROTECT, null=True, blank=True, related_name="referrals",
                             verbose_name=_("service of the plan"))
    agency = models.ForeignKey("accounts.Agency", models.PROTECT, related_name="case_referrals",
                               verbose_name=_("referred to"))
    kind = models.CharField(_("kind"), max_length=12, choices=ReferralKind.choices)
    shared_information = models.TextField(_("information shared with the agency"),
                                          help_text=_("Only this, the service and the child's name are shown to the "
                                                      "agency."))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+")
    response_note = models.TextField(_("answer"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case} -> {self.agency_id}"


class Transfer(Consent, TimestampedModel):
    case = models.ForeignKey(Case, models.CASCADE, related_name="transfers")
    from_commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    to_commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("to commune"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.case} transfer"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    REPLAN = "replan", _("Make a new plan")
    CLOSE = "close", _("Close the case")


class Review(TimestampedModel):
    """Form 06: review of the plan's results."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(_("reviewed at"))
    progress = models.TextField(_("results of the plan"))
    child_situation = models.TextField(_("the child's situation now"), blank=True)
    outcome = models.CharField(_("decision"), max_length=10, choices=ReviewOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reviewed_at", "created_at"]

    def __str__(self) -> str:
        return f"{self.case} form 06"


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    MEDICAL = "medical", _("Medical record")
    DECISION = "decision", _("Decision or signed form")
    REPORT = "report", _("Report or minutes")
    OTHER = "other", _("Other")


def _document_path(instance, filename):
    return f"cases/{instance.case_id}/{instance.sha256[:16]}{instance.extension}"


class CaseDocument(TimestampedModel):
    case = models.ForeignKey(Case, models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case} document"


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Report received")
    FORWARDED = "forwarded", _("Forwarded to the commune")
    UPDATED = "updated", _("Report details updated")
    ASSIGNED = "assigned", _("Worker assigned")
    UNASSIGNED = "unassigned", _("Worker unassigned")
    CHILD_LINKED = "child_linked", _("Child linked")
    ASSESSED = "assessed", _("Initial assessment")
    EMERGENCY = "emergency", _("Emergency protection")
    SEPARATION_STARTED = "separation_started", _("Temporary separation")
    SEPARATION_EXTENDED = "separation_extended", _("Separation extended")
    SEPARATION_ENDED = "separation_ended", _("Separation ended")
    DETAILED_ASSESSMENT = "detailed_assessment", _("Detailed assessment and meeting")
    PLAN_DRAFTED = "plan_drafted", _("Plan drafted")
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    PLAN_RETURNED = "plan_returned", _("Plan returned")
    SERVICE_DELIVERED = "service_delivered", _("Service delivered")
    REFERRED = "referred", _("Referred")
    REFERRAL_ANSWERED = "referral_answered", _("Referral answered")
    TRANSFERRED = "transferred", _("Transferred")
    REVIEWED = "reviewed", _("Reviewed")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    IN_ERROR = "in_error", _("Marked recorded in error")
    DOCUMENT = "document", _("Document attached")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")


class CaseEvent(models.Model):
    """The case's timeline: typed events with JSON parameters (never a child's name in params)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class AlertKind(models.TextChoices):
    NEW_REPORT = "new_report", _("New report for your commune")
    PLAN_SUBMITTED = "plan_submitted", _("Plan awaiting your approval")
    PLAN_DECIDED = "plan_decided", _("Plan decided")
    DEADLINE_APPROACHING = "deadline_approaching", _("Deadline approaching")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    REFERRAL = "referral", _("New referral for your agency")
    REFERRAL_ANSWERED = "referral_answered", _("Referral answered")
    TRANSFER_IN = "transfer_in", _("Case transferred to your commune")
    ASSIGNED = "assigned", _("Case assigned to you")


class Alert(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="case_alerts")
    case = models.ForeignKey(Case, models.CASCADE, null=True, blank=True, related_name="alerts")
    referral = models.ForeignKey(Referral, models.CASCADE, null=True, blank=True, related_name="alerts")
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    key = models.CharField(max_length=120, help_text="one alert per recipient and key")
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="alert_unique_key")]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class DeadlineStep(models.TextChoices):
    INITIAL_ASSESSMENT = "initial_assessment", _("Initial assessment")
    EMERGENCY_PROTECTION = "emergency_protection", _("Emergency protection")
    PLAN_DRAFTED = "plan_drafted", _("Support plan drafted")
    PLAN_APPROVED = "plan_approved", _("Plan approved by the chair")
    SEPARATION_END = "separation_end", _("End of temporary separation")


class StartEvent(models.TextChoices):
    RECEIVED = "received", _("report received")
    PLAN_SUBMITTED = "plan_submitted", _("plan submitted")
    SEPARATION_STARTED = "separation_started", _("separation started")


class RuleCondition(models.TextChoices):
    ALWAYS = "", _("always")
    EMERGENCY = "emergency_required", _("when emergency protection is required")


class DeadlineRule(models.Model):
    """A statutory clock as data: which step, how long, in which unit, counted from which event."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    step = models.CharField(_("step"), max_length=24, choices=DeadlineStep.choices)
    label = models.CharField(_("label"), max_length=200)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=14, choices=TimeUnit.choices)
    start_event = models.CharField(_("counted from"), max_length=20, choices=StartEvent.choices)
    condition = models.CharField(_("applies"), max_length=24, choices=RuleCondition.choices, blank=True)
    warn_before_hours = models.PositiveIntegerField(_("warn this many hours before"), default=24)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.label}: {self.amount} {self.get_unit_display()}"


class Deadline(models.Model):
    """One clock of one case (derived from the rules and the records; recomputed on every change)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="deadlines")
    rule = models.ForeignKey(DeadlineRule, models.PROTECT, related_name="deadlines")
    subject = models.CharField(max_length=40, blank=True, help_text="the plan or separation the clock is about")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    met_at = models.DateTimeField(null=True, blank=True)
    approaching_alerted_at = models.DateTimeField(null=True, blank=True)
    missed_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["case", "rule", "subject"], name="deadline_unique")]

    def __str__(self) -> str:
        return f"{self.case} {self.rule.code}"

    @property
    def met_in_time(self) -> bool | None:
        return None if self.met_at is None else self.met_at <= self.due_at
