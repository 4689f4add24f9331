"""Child-friendly communes (Decision 06/2019/QĐ-TTg): the standard as data, the yearly self-assessment, the
province's appraisal and the recognition.

The standard (criteria, sub-indicators, points, the recognition rule, the submission window, who appraises and who
recognises) lives in tables loaded from the versioned fixture `data/standard.json` (treem.childfriendly.reference),
each line with its legal reference and validity dates, editable by an administrator. Code holds the mechanism only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Role
from treem.core.models import TimestampedModel, ValidityQuerySet


class Standard(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=250)
    version = models.CharField(_("fixture version"), max_length=30)
    legal_reference = models.CharField(_("legal reference"), max_length=250)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("child-friendly standard")
        verbose_name_plural = _("child-friendly standards")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    standard = models.ForeignKey(Standard, models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=250)
    max_points = models.PositiveIntegerField(_("maximum points"))
    met_min_points = models.PositiveIntegerField(
        _("points needed to meet it"), help_text=_("The criterion is met at this score or above (never at 0)."))
    points_verified = models.BooleanField(
        _("points verified"), default=False, help_text=_("Checked against the text of the decision."))
    legal_reference = models.CharField(_("legal reference"), max_length=250)

    class Meta:
        ordering = ["standard", "number"]
        constraints = [models.UniqueConstraint(fields=["standard", "number"], name="cfc_criterion_unique")]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Scoring(models.TextChoices):
    AT_LEAST = "at_least", _("Full points at or above the target")
    AT_MOST = "at_most", _("Full points at or below the target")
    YES_NO = "yes_no", _("Full points when done")
    PROPORTIONAL = "proportional", _("Points in proportion to the percentage")


class Measure(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    COUNT = "count", _("Number")
    YES_NO = "yes_no", _("Yes or no")


class Source(models.TextChoices):
    """What treem can compute a sub-indicator's value from (empty: typed by the commune)."""

    PERSONAL_ID = "personal_id", _("Children on the register with a personal ID")
    BIRTH_REGISTERED = "birth_registered", _("Children on the register whose birth is registered")
    ABUSED = "abused", _("Children in protection cases for abuse received in the year")
    SPECIAL_SUPPORTED = "special_supported", _("Special-circumstance children receiving support")


class SubIndicator(models.Model):
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="sub_indicators")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=300)
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices)
    min_value = models.DecimalField(_("lowest value"), max_digits=12, decimal_places=2, default=0)
    max_value = models.DecimalField(_("highest value"), max_digits=12, decimal_places=2, default=100)
    scoring = models.CharField(_("scoring"), max_length=14, choices=Scoring.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, default=0)
    points = models.PositiveIntegerField(_("points"))
    source = models.CharField(_("computed from"), max_length=20, choices=Source.choices, blank=True)
    legal_reference = models.CharField(_("legal reference"), max_length=250)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criterion", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["criterion", "code"], name="cfc_subindicator_unique")]
        verbose_name = _("sub-indicator")
        verbose_name_plural = _("sub-indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CommuneType(models.TextChoices):
    URBAN_WARD = "urban_ward", _("Urban ward")
    DISADVANTAGED = "disadvantaged", _("Mountain, island or especially disadvantaged commune")
    OTHER = "other", _("Other commune")


class RecognitionRule(models.Model):
    """Every criterion met, none at 0 (each a switch), and a total of at least the threshold of the commune's type."""

    standard = models.ForeignKey(Standard, models.CASCADE, related_name="rules")
    all_criteria_met = models.BooleanField(_("every criterion must be met"), default=True)
    no_criterion_at_zero = models.BooleanField(_("no criterion may score 0"), default=True)
    legal_reference = models.CharField(_("legal reference"), max_length=250)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("recognition rule")
        verbose_name_plural = _("recognition rules")

    def __str__(self) -> str:
        return f"{self.standard} ({self.legal_reference})"


class Threshold(models.Model):
    rule = models.ForeignKey(RecognitionRule, models.CASCADE, related_name="thresholds")
    commune_type = models.CharField(_("commune type"), max_length=14, choices=CommuneType.choices)
    min_total = models.PositiveIntegerField(_("lowest total"))
    legal_reference = models.CharField(_("legal reference"), max_length=250)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "commune_type"], name="cfc_threshold_unique")]
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")

    def __str__(self) -> str:
        return f"{self.get_commune_type_display()}: {self.min_total}"


class CommuneClassification(models.Model):
    """A commune's type for the standard over a period (the 2025 merger changed many)."""

    commune = models.ForeignKey("geo.Unit", models.CASCADE, related_name="cfc_types", verbose_name=_("commune"))
    commune_type = models.CharField(_("commune type"), max_length=14, choices=CommuneType.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_reference = models.CharField(_("legal reference"), max_length=250, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["commune", "-valid_from"]
        verbose_name = _("commune type")
        verbose_name_plural = _("commune types")

    def __str__(self) -> str:
        return f"{self.commune}: {self.get_commune_type_display()}"


class SubmissionWindow(models.Model):
    """The yearly window for submissions (day and month of the opening and of the last day), with its validity."""

    opens_day = models.PositiveSmallIntegerField(_("opening day"))
    opens_month = models.PositiveSmallIntegerField(_("opening month"))
    closes_day = models.PositiveSmallIntegerField(_("last day"))
    closes_month = models.PositiveSmallIntegerField(_("last month"))
    alert_days = models.PositiveSmallIntegerField(_("alert this many days before it closes"), default=7)
    legal_reference = models.CharField(_("legal reference"), max_length=250)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("submission window")
        verbose_name_plural = _("submission windows")

    def __str__(self) -> str:
        return f"{self.opens_day:02d}/{self.opens_month:02d}-{self.closes_day:02d}/{self.closes_month:02d}"


class Step(models.TextChoices):
    APPRAISE = "appraise", _("Appraises")
    RECOGNISE = "recognise", _("Recognises")


class Authority(models.Model):
    """Who appraises and who recognises, per province (empty: every province), for a period: the role a person must
    hold on the province. Configuration, since the rules replacing the districts' are not settled."""

    province = models.ForeignKey("geo.Unit", models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=_("province"))
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    body_name = models.CharField(_("issuing body"), max_length=150,
                                 help_text=_("The body named on the documents, e.g. ỦY BAN NHÂN DÂN TỈNH."))
    body_code = models.CharField(_("body code in document numbers"), max_length=20, default="UBND")
    legal_reference = models.CharField(_("legal reference"), max_length=250, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["step", "-valid_from"]
        verbose_name = _("appraising or recognising authority")
        verbose_name_plural = _("appraising and recognising authorities")

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.get_role_display()}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPRAISED = "appraised", _("Appraised")
    RECOGNISED = "recognised", _("Recognised")


class Assessment(TimestampedModel):
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="cfc_assessments",
                                verbose_name=_("commune"))
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    standard = models.ForeignKey(Standard, models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    legacy = models.BooleanField(_("recorded before the 2025 merger"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_comment = models.TextField(_("comments when returned"), blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+")
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    appraisal_comment = models.TextField(_("appraisal comments"), blank=True)
    decision = models.ForeignKey("RecognitionDecision", models.PROTECT, null=True, blank=True,
                                 related_name="assessments")

    class Meta:
        ordering = ["-year", "commune__name"]
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="cfc_assessment_unique")]
        indexes = [models.Index(fields=["province", "year"])]
        verbose_name = _("child-friendly self-assessment")
        verbose_name_plural = _("child-friendly self-assessments")

    def __str__(self) -> str:
        return f"{self.commune.name} {self.year}"


class Value(models.Model):
    """One sub-indicator's value in an assessment: computed by treem (computed_value, kept for comparison) or typed."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="values")
    sub_indicator = models.ForeignKey(SubIndicator, models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    computed_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("explanation of the source"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "sub_indicator"], name="cfc_value_unique")]

    def __str__(self) -> str:
        return f"{self.assessment} {self.sub_indicator.code}"


class ScoreCorrection(models.Model):
    """The province's points for a criterion when it does not agree with the commune's."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="corrections")
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="cfc_correction_unique")]

    def __str__(self) -> str:
        return f"{self.assessment} {self.criterion_id}: {self.points}"


class ScoreChange(models.Model):
    """Every change of a value or a score after submission: who, when, why."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="changes")
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+")
    sub_indicator = models.ForeignKey(SubIndicator, models.PROTECT, null=True, blank=True, related_name="+")
    old = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.old} -> {self.new}"


class FileKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    MINUTES = "minutes", _("Minutes of the commune assessment council")


def _file_path(instance, filename):
    return f"childfriendly/{instance.assessment_id}/{instance.sha256[:16]}{instance.extension}"


class EvidenceFile(TimestampedModel):
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="files")
    criterion = models.ForeignKey(Criterion, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("criterion"))
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=_file_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class RecognitionDecision(TimestampedModel):
    """The decision recognising communes of a province for a year; its number comes from the yearly register of
    decisions kept here (Decree 30: one sequence per issuing body and year)."""

    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("province"))
    year = models.PositiveSmallIntegerField(_("year assessed"))
    number = models.CharField(_("number"), max_length=40)
    signed_on = models.DateField(_("date"))
    register_year = models.PositiveSmallIntegerField(editable=False)  # the year of the number's register
    body_name = models.CharField(_("issuing body"), max_length=150)
    signer = models.CharField(_("signed by"), max_length=150)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-signed_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["province", "register_year", "number"],
                                               name="cfc_decision_number_unique")]
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")

    def __str__(self) -> str:
        return self.number


class Alert(models.Model):
    """An alert to a person before the window closes; a message code and its parameters, rendered when shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    unit = models.ForeignKey("geo.Unit", models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="cfc_alert_unique")]

    def __str__(self) -> str:
        return self.key
