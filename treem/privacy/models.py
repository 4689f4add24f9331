"""Personal data protection (Law 91/2025/QH15): the record of processing, data subjects' access requests, and the
retention rules with what they did.

- ProcessingActivity: one row per purpose, reference data from data/processing_record.json (versioned; `treem
  bootstrap` updates the rows when the file's version changes).
- RetentionRule: what happens to which records how many years after which event; loaded once from
  data/retention_rules.json, then edited by an administrator (audited). A rule acts only once it is confirmed.
- AccessRequest: a parent's or guardian's request for everything treem holds on a child, with the identity check;
  the answer is a password-protected file made by a background job.
- Anonymised: which children a retention rule anonymised (so a second run leaves them alone).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.models import RecordModel
from treem.registry.models import CarerRelation


class ProcessingActivity(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    purpose = models.CharField(_("purpose"), max_length=300)
    legal_basis = models.TextField(_("legal basis"))
    data_subjects = models.TextField(_("categories of data subjects"))
    basic_data = models.TextField(_("basic personal data"), blank=True)
    sensitive_data = models.TextField(_("sensitive personal data"), blank=True)
    recipients = models.TextField(_("recipients"))
    transfers = models.TextField(_("transfers"), blank=True)
    retention = models.TextField(_("retention"))
    security = models.TextField(_("security measures"))
    version = models.CharField(_("version"), max_length=20)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return self.purpose


class Subject(models.TextChoices):
    CHILD = "child", _("Child register record")
    CASE = "case", _("Protection case")
    PREPARED_FILE = "prepared_file", _("Prepared file (export)")
    AUDIT_EVENT = "audit_event", _("Audit event")
    ACCESS_REQUEST = "access_request", _("Data subject's access request")


class Trigger(models.TextChoices):
    TURNED_16 = "turned_16", _("The child turned 16")
    CASE_CLOSED = "case_closed", _("The case was closed")
    EXPIRED = "expired", _("The file expired")
    RECORDED = "recorded", _("The record was made")


class Action(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise (keep what statistics need)")
    DELETE_PERSONAL = "delete_personal", _("Delete the personal fields")
    DELETE = "delete", _("Delete")


class RetentionRule(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField(_("records"), max_length=20, choices=Subject.choices)
    trigger = models.CharField(_("counted from"), max_length=20, choices=Trigger.choices)
    years = models.PositiveSmallIntegerField(_("years"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    description = models.TextField(_("what it does"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    confirmed_by = models.CharField(
        _("confirmed by"), max_length=150, blank=True,
        help_text=_("The province's legal officer who confirmed the rule. A rule acts only once it is confirmed."))
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.years} - {self.get_action_display()}"

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmed_by and self.confirmed_on)


class IdDocument(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("Citizen identity card")
    VNEID = "vneid", _("VNeID electronic identity")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other document")


class RequestStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing the file")
    READY = "ready", _("File ready")
    FAILED = "failed", _("Could not be prepared")


class AccessRequest(RecordModel):
    child = models.ForeignKey("registry.Child", models.PROTECT, related_name="+", verbose_name=_("child"))
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("commune"))
    requester_name = models.CharField(_("requester's full name"), max_length=150)
    relation = models.CharField(_("relation to the child"), max_length=12, choices=CarerRelation.choices)
    requested_on = models.DateField(_("date of the request"))
    id_document = models.CharField(_("identity document checked"), max_length=12, choices=IdDocument.choices)
    id_checked = models.BooleanField(_("identity and relation checked"), default=False)
    note = models.CharField(_("note"), max_length=250, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PREPARING)
    job = models.ForeignKey("core.Job", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")

    def __str__(self) -> str:
        return f"{self.requested_on:%d/%m/%Y} {self.get_relation_display()}"  # no names: goes into the audit log


class Anonymised(models.Model):
    child = models.OneToOneField("registry.Child", models.CASCADE, related_name="+", primary_key=True)
    rule = models.ForeignKey(RetentionRule, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anonymised child record")
        verbose_name_plural = _("anonymised child records")

    def __str__(self) -> str:
        return f"{self.child_id} {self.at:%d/%m/%Y}"
