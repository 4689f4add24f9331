"""Indicators: the catalogue (rules as data), values with provenance, roll-ups over the hierarchy, bound targets.

A rate is always numerator / denominator summed over the units, never an average of rates (DOMAIN.md, Indicators).
A value keeps the territory it was measured on: a value of a legacy unit (Sóc Trăng 2023) stays keyed to that unit.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from treem.core.models import TimestampedModel, ValidityQuerySet


class Group(models.TextChoices):
    """The six groups of the appendix of Circular 13/2021/TT-BLĐTBXH."""

    GENERAL = "general", _("General")
    HEALTH = "health", _("Health and nutrition")
    PROTECTION = "protection", _("Protection")
    EDUCATION = "education", _("Education")
    PLAY = "play", _("Culture and play")
    PARTICIPATION = "participation", _("Participation")


class Measure(models.TextChoices):
    PERCENT = "percent", _("per cent (%)")
    PER_MILLE = "per_mille", _("per mille (‰)")
    COUNT = "count", _("count")
    RATIO = "ratio", _("ratio (per 100)")


# value = numerator / denominator x multiplier; a count has no denominator.
MULTIPLIER = {Measure.PERCENT: 100, Measure.PER_MILLE: 1000, Measure.COUNT: 1, Measure.RATIO: 100}


class Better(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class PeriodType(models.TextChoices):
    YEAR = "year", _("year")
    QUARTER = "quarter", _("quarter")
    MONTH = "month", _("month")


class Method(models.TextChoices):
    COMPUTED = "computed", _("computed from treem's records")
    REPORTED = "reported", _("reported by an agency or a commune")
    DERIVED = "derived", _("derived from other indicators")


class Indicator(TimestampedModel):
    """One indicator of the catalogue, loaded from a versioned fixture, editable by an administrator."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    definition_vi = models.TextField(_("definition (Vietnamese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    numerator_vi = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator_vi = models.CharField(_("denominator"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    measure = models.CharField(_("unit of measure"), max_length=12, choices=Measure.choices)
    better = models.CharField(_("direction"), max_length=8, choices=Better.choices, default=Better.HIGHER)
    period_type = models.CharField(_("period"), max_length=8, choices=PeriodType.choices, default=PeriodType.YEAR)
    # Dimension codes this indicator can be broken down by (see DIMENSIONS in treem.indicators.dimensions).
    disaggregations = models.JSONField(_("disaggregations"), default=list, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    # computed: the name of a registered computation (treem.indicators.computations); derived: an expression tree.
    computation = models.CharField(_("computation"), max_length=60, blank=True)
    expression = models.JSONField(_("expression"), null=True, blank=True)
    lead_agency_vi = models.CharField(_("lead agency"), max_length=200, blank=True)
    legal_reference = models.CharField(_("legal reference"), max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    catalogue_version = models.CharField(_("catalogue version"), max_length=20, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group", "order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language (Vietnamese first; English when chosen and known)."""
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi

    @property
    def multiplier(self) -> int:
        return MULTIPLIER[self.measure]


class Source(models.TextChoices):
    COMPUTED = "computed", _("computed")
    REPORTED = "reported", _("reported")
    IMPORTED = "imported", _("imported")
    DERIVED = "derived", _("derived")


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")  # locked: a change is a correction with a reason


class Value(TimestampedModel):
    """One figure of an indicator for a unit and a period, with where it came from.

    Keyed by (indicator, unit, year, sub_period, disaggregation): `sub_period` is 0 for a year, 1-4 for a quarter,
    1-12 for a month; `disaggregation` is "" for the total or a canonical "dimension=value;..." string
    (treem.indicators.dimensions).
    `unit` is the unit the value was measured on (a commune, a province, a legacy unit); empty = the whole country.
    """

    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="values", verbose_name=_("indicator"))
    unit = models.ForeignKey("geo.Unit", models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    sub_period = models.PositiveSmallIntegerField(default=0)
    disaggregation = models.CharField(_("disaggregation"), max_length=200, blank=True, default="")
    numerator = models.DecimalField(_("numerator"), max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.ACCEPTED)
    # Provenance: computed (when, from what: {"as_of": ..., "records": n}), reported (the submission, by whom),
    # imported (the file and row).
    computed_at = models.DateTimeField(null=True, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    submission = models.ForeignKey("plans.Submission", models.PROTECT, null=True, blank=True, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year", "sub_period", "disaggregation"],
                                    name="indicator_value_one_per_key"),
            # The country's figure (no unit): NULLs are distinct in a unique index, so it gets its own.
            models.UniqueConstraint(fields=["indicator", "year", "sub_period", "disaggregation"],
                                    condition=models.Q(unit__isnull=True), name="indicator_value_one_per_key_country"),
        ]
        indexes = [models.Index(fields=["indicator", "year"]), models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit_id} {self.year}: {self.value}"

    @property
    def locked(self) -> bool:
        return self.status == ValueStatus.ACCEPTED and self.source in (Source.REPORTED, Source.IMPORTED)


class ValueRevision(models.Model):
    """The previous figures of a value that was corrected, with the reason and who corrected it."""

    value = models.ForeignKey(Value, models.PROTECT, related_name="revisions")
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    old_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    old_status = models.CharField(max_length=10, choices=ValueStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.value_id}: {self.old_value} ({self.changed_at:%d/%m/%Y})"


class Rollup(models.Model):
    """A value summed over the hierarchy as of a date: a province (or the country) from its communes.

    Counts add; rates are recomputed from the summed numerators and denominators. Refreshed by
    treem.indicators.rollups; a page view reads these rows and never scans raw records.
    """

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="rollups")
    unit = models.ForeignKey("geo.Unit", models.CASCADE, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    sub_period = models.PositiveSmallIntegerField(default=0)
    disaggregation = models.CharField(max_length=200, blank=True, default="")
    hierarchy_on = models.DateField(help_text="the date of the administrative hierarchy the sum follows")
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    units_total = models.PositiveIntegerField(default=0)
    units_with_data = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year", "sub_period", "disaggregation", "hierarchy_on"],
                name="indicator_rollup_one_per_key"),
            models.UniqueConstraint(
                fields=["indicator", "year", "sub_period", "disaggregation", "hierarchy_on"],
                condition=models.Q(unit__isnull=True), name="indicator_rollup_one_per_key_country"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.year} ({self.hierarchy_on:%d/%m/%Y}): {self.value}"


class TargetStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    MET = "met", _("Met")
    NO_DATA = "no_data", _("No data")


class TargetBinding(TimestampedModel):
    """A plan target bound to an indicator and the unit it is set for, with its status from the latest value."""

    target = models.OneToOneField("plans.Target", models.CASCADE, related_name="binding")
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="bindings", verbose_name=_("indicator"))
    unit = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    confirmed = models.BooleanField(_("confirmed by a person"), default=False)
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    # The baseline measured on another territory (a legacy province) than the target's: said beside it.
    baseline_unit = models.ForeignKey("geo.Unit", models.PROTECT, null=True, blank=True, related_name="+")
    # Derived by treem.indicators.status after each refresh.
    status = models.CharField(_("status"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.NO_DATA)
    latest_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    latest_year = models.PositiveSmallIntegerField(null=True, blank=True)
    forecast_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    # The years the line runs between when the target does not say them (a "so far" figure in a document issued in
    # 2024 is of 2023; the Directive 28 cascade's horizon is 2030): proposed at binding, confirmed by a person.
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)

    class Meta:
        verbose_name = _("target binding")
        verbose_name_plural = _("target bindings")


class StatusRule(TimestampedModel):
    """How a target's status is judged (rules as data): progress against the straight line baseline -> target.

    met: the latest value meets the target; on track: progress >= expected; at risk: progress >= expected x
    `at_risk_share`; off track: below. No latest value, or no baseline: no data.
    """

    name = models.CharField(max_length=100, unique=True)
    at_risk_share = models.DecimalField(max_digits=5, decimal_places=3, default="0.750")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class Refresh(models.Model):
    """One run of the computation: full, or incremental from the watermark of the previous run.

    Incremental: the communes whose children or cases changed since the previous run's `watermark` (their updated_at)
    are recomputed, and only their provinces' roll-ups; the register and cases need not know about indicators.
    """

    province = models.ForeignKey("geo.Unit", models.PROTECT, null=True, blank=True, related_name="+")
    full = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    watermark = models.DateTimeField(help_text="records changed after this were not yet counted")
    # The day the figures were computed as of (ages are counted on it); an incremental run on another day is full.
    as_of = models.DateField(null=True, blank=True)
    communes = models.PositiveIntegerField(default=0)
    values_written = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{'full' if self.full else 'incremental'} {self.started_at:%d/%m/%Y %H:%M}"


class ConversionShare(TimestampedModel):
    """The share of a split legacy unit's figures that goes to one of the current units it became (0 < share <= 1).

    A legacy unit split across several new ones (UnitConversion.partial) has no rule in the official map for its
    figures: a person decides the share, per conversion, and it is recorded here with who decided and why. Without
    a share, a partial conversion is refused (treem.indicators.rollups.ConversionNeedsDecision), never guessed.
    """

    conversion = models.OneToOneField("geo.UnitConversion", models.CASCADE, related_name="indicator_share")
    share = models.DecimalField(_("share"), max_digits=7, decimal_places=6)
    basis = models.CharField(_("basis of the share"), max_length=300, blank=True,
                             help_text=_("e.g. the population of the part, from the merger decision"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("share of a split unit")
        verbose_name_plural = _("shares of split units")
        constraints = [models.CheckConstraint(condition=models.Q(share__gt=0, share__lte=1),
                                              name="indicator_conversion_share_range")]

    def __str__(self) -> str:
        return f"{self.conversion}: {self.share}"
