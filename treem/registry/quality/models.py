"""Data quality of the child register: findings, duplicate pairs, linkage with the population database, the cleaning
round and the re-check (phúc tra).

Every row that names a child also carries the child's commune and province at the time it was written: lists are
scoped and counted per unit without joining the children (and the province is the sharding column, ARCHITECTURE.md).
Every write goes through quality.services (scope check, audit event); every read through quality.selectors.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from treem.core.models import RecordModel


class Severity(models.TextChoices):
    ERROR = "error", _("Must be corrected")
    WARNING = "warning", _("Should be checked")
    INFO = "info", _("For information")


class Finding(models.Model):
    """One data-quality problem of one child, open until a later check no longer finds it (resolved_at)."""

    child = models.ForeignKey("registry.Child", models.CASCADE, related_name="quality_findings")
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    code = models.CharField(_("finding"), max_length=40)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    # what the finding says is rendered when shown (findings.finding_text) from the code and these parameters
    params = models.JSONField(default=dict, blank=True)
    legacy_text = models.CharField(_("detail"), max_length=300, blank=True,
                                   help_text="an old finding's text that could not be converted")
    field = models.CharField(_("field"), max_length=40, blank=True)
    detected_at = models.DateTimeField(_("found on"))
    resolved_at = models.DateTimeField(_("resolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("data-quality finding")
        verbose_name_plural = _("data-quality findings")
        ordering = ["-detected_at", "code"]
        indexes = [
            models.Index(fields=["commune", "resolved_at", "code"]),
            models.Index(fields=["province", "resolved_at"]),
            models.Index(fields=["child", "resolved_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["child", "code"], condition=Q(resolved_at__isnull=True),
                                    name="quality_finding_one_open_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.params}"

    @property
    def text(self) -> str:
        from .findings import finding_text  # findings (the catalogue of checks) imports these models

        return finding_text(self.code, self.params, self.legacy_text)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class CommuneSummary(models.Model):
    """Counts of a commune's open findings and duplicate pairs, refreshed by every check: the province page reads one
    row per commune and never counts findings itself."""

    commune = models.OneToOneField("geo.Unit", models.CASCADE, related_name="quality_summary")
    province = models.ForeignKey("geo.Unit", models.CASCADE, related_name="+")
    children = models.PositiveIntegerField(_("children checked"), default=0)
    children_with_findings = models.PositiveIntegerField(_("children with findings"), default=0)
    open_findings = models.PositiveIntegerField(_("open findings"), default=0)
    missing_id = models.PositiveIntegerField(default=0)
    malformed_id = models.PositiveIntegerField(default=0)
    id_contradiction = models.PositiveIntegerField(default=0)
    basic_facts = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    over_16 = models.PositiveIntegerField(default=0)
    duplicate_pairs = models.PositiveIntegerField(_("open duplicate pairs"), default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="{finding code: open findings}")
    stale_months = models.PositiveSmallIntegerField(default=12)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune data-quality summary")
        verbose_name_plural = _("commune data-quality summaries")
        indexes = [models.Index(fields=["province", "open_findings"])]

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.open_findings}"

    @property
    def share_with_findings(self) -> float | None:
        return self.children_with_findings / self.children if self.children else None


# ---------------------------------------------------------------- duplicates


class PairStatus(models.TextChoices):
    OPEN = "open", _("To decide")
    MERGED = "merged", _("Merged")
    NOT_SAME = "not_same", _("Not the same child")


class DuplicatePair(RecordModel):
    """Two records that may be the same child, as the matcher proposed them. child_a < child_b (canonical order), so
    a pair exists once whatever order a run finds it in; a decision (merged, not the same child) is never proposed
    again."""

    child_a = models.ForeignKey("registry.Child", models.CASCADE, related_name="+")
    child_b = models.ForeignKey("registry.Child", models.CASCADE, related_name="+")
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", help_text="child_a's commune")
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", help_text="child_a's province")
    other_commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", help_text="child_b's commune")
    probability = models.FloatField(_("match probability"))
    match_weight = models.FloatField(_("match weight"))
    explanation = models.TextField(_("why"), blank=True)
    contributions = models.JSONField(default=list, blank=True, help_text="[[Vietnamese label, match weight], ...]")
    status = models.CharField(_("status"), max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=250, blank=True)
    survivor = models.ForeignKey("registry.Child", models.SET_NULL, null=True, blank=True, related_name="+")
    detected_at = models.DateTimeField(_("first proposed"))
    last_seen_at = models.DateTimeField(_("last proposed"))

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-probability", "-match_weight"]
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="quality_pair_unique"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="quality_pair_canonical_order"),
        ]
        indexes = [
            models.Index(fields=["status", "commune"]),
            models.Index(fields=["status", "other_commune"]),
            models.Index(fields=["status", "province"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id} ~ {self.child_b_id} ({self.probability:.3f})"

    @property
    def cross_commune(self) -> bool:
        return self.commune_id != self.other_commune_id


# ---------------------------------------------------------------- linkage with the population database


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Matching")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LinkageRun(RecordModel):
    """One comparison of a commune's register with an extract of the national population database."""

    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("commune"))
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    filename = models.CharField(_("extract"), max_length=255)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    job = models.ForeignKey("core.Job", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("population database comparison")
        verbose_name_plural = _("population database comparisons")

    def __str__(self) -> str:
        return self.filename


class CorrectionStatus(models.TextChoices):
    PROPOSED = "proposed", _("To decide")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    OBSOLETE = "obsolete", _("No longer applies")


class CorrectionMethod(models.TextChoices):
    BY_ID = "id", _("Same personal ID")
    BY_MATCH = "match", _("Probabilistic match")


class Correction(RecordModel):
    """A change to one fact of a child that the population database suggests; a person accepts or rejects it. A
    rejected value is remembered and not proposed again."""

    run = models.ForeignKey(LinkageRun, models.CASCADE, related_name="corrections")
    child = models.ForeignKey("registry.Child", models.CASCADE, related_name="quality_corrections")
    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    field = models.CharField(_("field"), max_length=40)
    current_value = models.CharField(_("in the register"), max_length=200, blank=True)
    proposed_value = models.CharField(_("in the population database"), max_length=200)
    method = models.CharField(_("found by"), max_length=8, choices=CorrectionMethod.choices)
    probability = models.FloatField(_("match probability"), null=True, blank=True)
    explanation = models.TextField(blank=True)
    population_record = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["child__name_folded", "child_id", "field"]
        verbose_name = _("proposed correction")
        verbose_name_plural = _("proposed corrections")
        indexes = [
            models.Index(fields=["status", "commune"]),
            models.Index(fields=["child", "field", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.current_value} -> {self.proposed_value}"


# ---------------------------------------------------------------- the cleaning round and the re-check


class RoundStatus(models.TextChoices):
    LISTED = "listed", _("List printed, waiting for the verified sheet")
    REVIEWING = "reviewing", _("Verified sheet received, to review")
    APPLIED = "applied", _("Applied to the register")


class CleaningRound(RecordModel):
    """The four-step cleaning (DOMAIN.md): the list of children to verify (step 1), checked at the households and by
    the commune police (steps 2-3), and the verified sheet applied to the register after a review (step 4).

    items: the children listed and their facts as printed; review: the changes the uploaded sheet asks for."""

    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("commune"))
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.LISTED)
    items = models.JSONField(default=list, blank=True)
    review = models.JSONField(default=list, blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    upload_sha256 = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cleaning round")
        verbose_name_plural = _("cleaning rounds")

    def __str__(self) -> str:
        return f"{self.commune_id} {self.created_at:%d/%m/%Y}"

    @property
    def short_code(self) -> str:
        return str(self.pk)[:8].upper()


class Recheck(RecordModel):
    """Phúc tra: a higher level re-checks a random sample of a commune's records. The sample is drawn from the sorted
    list of the commune's records with a recorded seed, so anyone can draw it again and get the same records."""

    commune = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+", verbose_name=_("commune"))
    province = models.ForeignKey("geo.Unit", models.PROTECT, related_name="+")
    seed = models.BigIntegerField(_("random seed"))
    requested_size = models.PositiveIntegerField(null=True, blank=True)
    requested_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    population_count = models.PositiveIntegerField(_("records in the commune"))
    population_sha256 = models.CharField(max_length=64)
    population = models.JSONField(default=list, blank=True, help_text="sorted ids of the records the sample was "
                                  "drawn from, so the draw can be repeated")
    drawn_on = models.DateField(_("drawn on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")

    def __str__(self) -> str:
        return f"{self.commune_id} {self.drawn_on:%d/%m/%Y}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CORRECT = "correct", _("Correct")
    WRONG = "wrong", _("Wrong")


class RecheckItem(models.Model):
    recheck = models.ForeignKey(Recheck, models.CASCADE, related_name="items")
    child = models.ForeignKey("registry.Child", models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    outcome = models.CharField(_("result"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    wrong_fields = models.JSONField(default=list, blank=True)
    note = models.CharField(_("what is wrong"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recheck", "position"]
        constraints = [models.UniqueConstraint(fields=["recheck", "child"], name="quality_recheck_child_unique")]

    def __str__(self) -> str:
        return f"{self.recheck_id} #{self.position}"
