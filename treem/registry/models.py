"""The child register: children, their households and carers, special circumstances, risks and measurements.

Minimum data (Decree 13/2023): only what the indicators, the case work and the law ask for. Every write goes through
registry.services (audit event, scope check); every read through registry.selectors (scope).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.models import RecordModel, TimestampedModel, ValidityQuerySet


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED = "moved", _("Moved to another commune")
    OVER_16 = "over_16", _("Turned 16")
    DECEASED = "deceased", _("Deceased")
    MERGED = "merged", _("Merged into another record")
    IN_ERROR = "in_error", _("Recorded in error")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Immunisation(models.TextChoices):
    FULL = "full", _("Fully immunised for age")
    PARTIAL = "partial", _("Partly immunised")
    NONE = "none", _("Not immunised")
    UNKNOWN = "unknown", _("Unknown")


class PovertyStatus(models.TextChoices):
    """The household's standing in the commune's yearly review of poor and near-poor households: group n of the Law
    on Children (seriously ill children) counts only children of poor or near-poor households."""

    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    NOT_POOR = "not_poor", _("Neither poor nor near-poor")
    UNKNOWN = "unknown", _("Not known")  # not "Unknown": Django's own catalogs word that one differently


class Household(RecordModel):
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("commune"))
    village = models.CharField(_("village"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    head_name = models.CharField(_("head of household"), max_length=150, blank=True)
    poverty_status = models.CharField(
        _("poverty status"), max_length=20, choices=PovertyStatus.choices, default=PovertyStatus.UNKNOWN
    )
    search_folded = models.CharField(
        max_length=275, blank=True, editable=False,
        help_text="head's name and village, lower case, no diacritics: for search (services.household_search_text)",
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.head_name or str(self.pk)


class ChildSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    IMPORT = "import", _("Imported from a spreadsheet")
    CASE_INTAKE = "case intake", _("Recorded from a protection report")
    LINKAGE = "linkage", _("Population database linkage")
    DEMO = "demo", _("Demo data")
    SYNTHETIC = "synthetic", _("Synthetic data")


class Child(RecordModel):
    full_name = models.CharField(_("full name"), max_length=150)
    name_folded = models.CharField(
        max_length=150,
        editable=False,
        help_text="lower case, no diacritics: for search (core.text.fold)",
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=40, blank=True)
    personal_id = models.CharField(_("personal identification number"), max_length=12, blank=True, db_index=True)
    birth_registered = models.CharField(
        _("birth registered"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    # Not indexed alone: the (province, status, ...) and (commune, status, ...) indexes below lead with them.
    province = models.ForeignKey(
        "geo.Unit",
        models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        help_text="the commune's province, kept for scoping and sharding",
    )
    commune = models.ForeignKey(
        "geo.Unit", models.PROTECT, related_name="children_registered", verbose_name=_("commune"), db_index=False
    )
    village = models.CharField(_("village"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    household = models.ForeignKey(
        Household, models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("household")
    )
    school = models.CharField(_("school or kindergarten"), max_length=150, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    attends_school = models.CharField(
        _("attends school"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    immunisation = models.CharField(
        _("immunisation"), max_length=8, choices=Immunisation.choices, default=Immunisation.UNKNOWN
    )
    disability = models.CharField(
        _("disability"), max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    status = models.CharField(_("status"), max_length=10, choices=ChildStatus.choices, default=ChildStatus.ACTIVE)
    moved_to = models.ForeignKey(
        "geo.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children_incoming",
        verbose_name=_("moved to commune"),
    )
    moved_on = models.DateField(_("moved on"), null=True, blank=True)
    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="merged_from")
    provisional = models.BooleanField(
        _("provisional"), default=False, help_text=_("Created from a report before the commune verified the child.")
    )
    source = models.CharField(_("source"), max_length=20, choices=ChildSource.choices, default=ChildSource.MANUAL)
    notes = models.TextField(_("notes"), blank=True)
    status_on = models.DateField(
        _("status since"),
        null=True,
        blank=True,
        help_text=_("Date of death, of turning 16, or when the record was found in error."),
    )
    status_reason = models.CharField(_("reason"), max_length=250, blank=True)
    import_batch = models.ForeignKey(
        "ImportBatch", models.SET_NULL, null=True, blank=True, related_name="children", editable=False
    )
    quality_flags = models.JSONField(
        default=list, blank=True, editable=False, help_text="codes of the data-quality findings of the last write"
    )
    has_quality_issues = models.BooleanField(_("needs checking"), default=False, editable=False)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            models.Index(fields=["commune", "status", "name_folded"]),
            models.Index(fields=["province", "status"]),
            # A province's list in name order, a page at a time, without sorting a million rows.
            models.Index(fields=["province", "status", "name_folded", "birth_date", "id"]),
            models.Index(fields=["birth_date"]),
            # The national list in name order (and any filter on status alone).
            models.Index(fields=["status", "name_folded", "birth_date", "id"]),
        ]

    def __str__(self) -> str:
        return self.full_name


class CarerRelation(models.TextChoices):
    UNKNOWN = "unknown", _("Not stated")
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    RELATIVE = "relative", _("Other relative")
    GUARDIAN = "guardian", _("Guardian")
    FOSTER = "foster", _("Foster carer")
    OTHER = "other", _("Other")


class Carer(RecordModel):
    full_name = models.CharField(_("full name"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    personal_id = models.CharField(_("personal identification number"), max_length=12, blank=True)
    household = models.ForeignKey(Household, models.SET_NULL, null=True, blank=True, related_name="carers")

    class Meta:
        verbose_name = _("carer")
        verbose_name_plural = _("carers")

    def __str__(self) -> str:
        return self.full_name


class ChildCarer(models.Model):
    # Not indexed alone: the unique (child, carer) constraint leads with it.
    child = models.ForeignKey(Child, models.CASCADE, related_name="carer_links", db_index=False)
    carer = models.ForeignKey(Carer, models.CASCADE, related_name="child_links")
    relation = models.CharField(_("relation"), max_length=12, choices=CarerRelation.choices)
    primary = models.BooleanField(_("primary carer"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "carer"], name="child_carer_unique")]

    def __str__(self) -> str:
        return f"{self.carer} ({self.get_relation_display()}) - {self.child}"


class CircumstanceGroup(models.Model):
    """Law on Children art. 10.1: the 14 groups (a, b, c, d, đ, e, g, h, i, k, l, m, n, o). Reference data."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=250)
    legal_basis = models.CharField(_("legal basis"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        verbose_name = _("special-circumstance group")
        verbose_name_plural = _("special-circumstance groups")

    def __str__(self) -> str:
        return f"{self.code}) {self.name}"


class CircumstanceSubgroup(models.Model):
    """Decree 56/2017 arts. 3-16 split each group into sub-groups. Reference data."""

    group = models.ForeignKey(CircumstanceGroup, models.CASCADE, related_name="subgroups")
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    verified = models.BooleanField(_("text checked against the official gazette"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["group__order", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="subgroup_unique_code")]

    def __str__(self) -> str:
        return f"{self.group.code}.{self.code} {self.name}"

    def valid_on(self, day) -> bool:
        """In force on `day` (the same rule as ValidityQuerySet.valid_on, for rows already loaded)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class ChildCircumstance(TimestampedModel):
    child = models.ForeignKey(Child, models.CASCADE, related_name="circumstances")
    group = models.ForeignKey(CircumstanceGroup, models.PROTECT, verbose_name=_("group"))
    subgroup = models.ForeignKey(
        CircumstanceSubgroup, models.PROTECT, null=True, blank=True, verbose_name=_("sub-group")
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=150, blank=True, help_text=_("Who established it: a decision, an assessment, a case.")
    )
    supported = models.BooleanField(_("receiving support"), default=False)
    end_reason = models.CharField(_("why it ended"), max_length=250, blank=True)

    class Meta:
        ordering = ["group__order", "started_on"]
        verbose_name = _("special circumstance")
        verbose_name_plural = _("special circumstances")

    def __str__(self) -> str:
        return f"{self.child} - {self.group.code}"


class RiskFlag(models.Model):
    """Kinds of risk of falling into special circumstances. Reference data."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=250)
    legal_basis = models.CharField(_("legal basis"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    verified = models.BooleanField(_("text checked against the official gazette"), default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("risk of special circumstances")
        verbose_name_plural = _("risks of special circumstances")

    def __str__(self) -> str:
        return self.name


class ChildRisk(TimestampedModel):
    child = models.ForeignKey(Child, models.CASCADE, related_name="risks")
    flag = models.ForeignKey(RiskFlag, models.PROTECT, verbose_name=_("risk"))
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)

    def __str__(self) -> str:
        return f"{self.child} - {self.flag}"


class Measurement(TimestampedModel):
    child = models.ForeignKey(Child, models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"))
    height_cm = models.DecimalField(_("height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-measured_on"]

    def __str__(self) -> str:
        return f"{self.child} {self.measured_on}"


class ImportStatus(models.TextChoices):
    NEEDS_MAPPING = "mapping", _("Columns to match")
    PREVIEWING = "previewing", _("Checking")
    PREVIEWED = "previewed", _("Checked, ready to save")
    COMMITTING = "committing", _("Saving")
    COMMITTED = "committed", _("Saved")
    FAILED = "failed", _("Cannot be read")


class ImportBatch(RecordModel):
    """One spreadsheet uploaded for a commune: kept (in the database, so any worker machine can read it) from the
    preview to the commit, with the per-row report the preview produced."""

    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("commune"))
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", editable=False)
    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(editable=False)
    sheet = models.CharField(_("sheet"), max_length=120, blank=True)
    sheet_names = models.JSONField(default=list, blank=True)
    file_format = models.CharField(max_length=8, blank=True)
    header_overrides = models.JSONField(default=dict, blank=True, help_text="{header: field or null}")
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="{column index: field}")
    unknown_headers = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWING)
    error = models.TextField(_("problem"), blank=True)
    summary = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=list, blank=True, help_text="[[row, action, errors, warnings], ...]")
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    committed_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    committed_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("core.Job", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename
