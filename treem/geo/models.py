"""Administrative units: the current structure (since 01/07/2025) and the legacy one, kept side by side.

Old and new codes overlap, so a unit is identified by (system, level, code), never by code alone.
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.core.models import ValidityQuerySet

REFORM_DATE = date(2025, 7, 1)  # Resolution 202/2025/QH15: the two-level structure takes effect


class UnitSystem(models.TextChoices):
    CURRENT = "current", _("Current (since 01/07/2025)")
    LEGACY = "legacy", _("Legacy (before 01/07/2025)")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class UnitQuerySet(ValidityQuerySet):
    def current(self):
        return self.filter(system=UnitSystem.CURRENT)

    def legacy(self):
        return self.filter(system=UnitSystem.LEGACY)

    def provinces(self):
        return self.filter(level=UnitLevel.PROVINCE)

    def communes(self):
        return self.filter(level=UnitLevel.COMMUNE)


class Unit(models.Model):
    system = models.CharField(_("system"), max_length=10, choices=UnitSystem.choices)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=120)
    name_folded = models.CharField(max_length=120, db_index=True, editable=False)
    sort_name = models.CharField(max_length=120, blank=True, editable=False,
                                 help_text="the name without its kind, for Vietnamese ordering (core.collation)")
    kind = models.CharField(_("kind"), max_length=40, help_text=_("tỉnh, thành phố, xã, phường, đặc khu, huyện ..."))
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    province = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The province a district or commune belongs to (the unit itself for a province)."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [models.UniqueConstraint(fields=["system", "level", "code"], name="unit_unique_code")]
        indexes = [models.Index(fields=["system", "level", "province"])]
        ordering = ["system", "level", "code"]

    def __str__(self) -> str:
        suffix = "" if self.system == UnitSystem.CURRENT else f" ({self.get_system_display()})"
        return f"{self.name}{suffix}"

    @property
    def is_current(self) -> bool:
        return self.system == UnitSystem.CURRENT


class UnitConversion(models.Model):
    """The official old -> new mapping (Decision 19/2025/QĐ-TTg, as published by vietnam-provinces).

    A legacy commune split across several new ones has one row per new unit, each marked partial: which new unit a
    record belongs to then needs a rule or a person's decision, never a silent choice.
    """

    legacy = models.ForeignKey(Unit, models.CASCADE, related_name="conversions_to")
    current = models.ForeignKey(Unit, models.CASCADE, related_name="conversions_from")
    partial = models.BooleanField(_("partial"), default=False, help_text=_("Only part of the old unit went here."))
    effective = models.DateField(default=REFORM_DATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["legacy", "current"], name="conversion_unique_pair")]

    def __str__(self) -> str:
        return f"{self.legacy} -> {self.current}{' (partial)' if self.partial else ''}"
