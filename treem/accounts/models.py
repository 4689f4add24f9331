"""Users, agencies, roles, and the assignments that make up a user's scope."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.accounts.tokens import revoke_tokens
from treem.core.models import TimestampedModel, ValidityQuerySet
from treem.core.text import clean


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set when an administrator gave the password (new account, reset): the user chooses her own before anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self):
        super().clean()
        self.full_name = clean(self.full_name)  # no zero-width or control characters (the admin's forms too)

    def save(self, *args, **kwargs):
        # Whatever the path (own change, admin reset, a service, createsuperuser), a new password ends API tokens.
        password_changed = self._password is not None
        super().save(*args, **kwargs)
        if password_changed:
            revoke_tokens(self)


class AgencyKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", _("Provincial People's Committee")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    DEPARTMENT = "department", _("Provincial department")
    SECTOR = "sector", _("Provincial sector body (police, boards)")
    PARTY = "party", _("Party body")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    PRESS = "press", _("Press")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    NATIONAL = "national", _("National body")
    OTHER = "other", _("Other")


class Agency(TimestampedModel):
    """An agency as data: names, structures and successors change (2025 shows why)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=AgencyKind.choices)
    province = models.ForeignKey(
        "geo.Unit", models.PROTECT, null=True, blank=True, related_name="agencies",
        verbose_name=_("province"), help_text=_("Empty for national bodies."),
    )
    unit = models.ForeignKey(
        "geo.Unit", models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("unit served"), help_text=_("The commune of a commune People's Committee."),
    )
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="subordinates",
                               verbose_name=_("parent agency"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successors = models.ManyToManyField("self", through="AgencySuccession", symmetrical=False,
                                        related_name="predecessors", blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["province__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name", "valid_from"], name="agency_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AgencySuccession(models.Model):
    predecessor = models.ForeignKey(Agency, models.CASCADE, related_name="succeeded_by")
    successor = models.ForeignKey(Agency, models.CASCADE, related_name="succeeds")
    effective = models.DateField(_("effective"))
    functions = models.CharField(_("functions taken over"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique")]

    def __str__(self) -> str:
        return f"{self.predecessor} -> {self.successor}"


class Role(models.TextChoices):
    COMMUNE_WORKER = "commune_worker", _("Commune child-protection worker")
    VILLAGE_COLLABORATOR = "village_collaborator", _("Village collaborator")
    COMMUNE_CHAIR = "commune_chair", _("Commune chair")
    CASE_WORKER = "case_worker", _("Case worker")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    FOCAL_OFFICER = "focal_officer", _("Provincial focal officer")
    AGENCY_REPORTER = "agency_reporter", _("Agency reporter")
    LEADER = "leader", _("Leader / viewer")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Assignment(TimestampedModel):
    """A user holds a role on a unit (commune, province; none = national) or on an agency, for a period."""

    user = models.ForeignKey(User, models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    unit = models.ForeignKey("geo.Unit", models.PROTECT, null=True, blank=True, related_name="assignments",
                             verbose_name=_("unit"))
    agency = models.ForeignKey(Agency, models.PROTECT, null=True, blank=True, related_name="assignments",
                               verbose_name=_("agency"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        where = self.agency or self.unit or _("national")
        return f"{self.user} - {self.get_role_display()} - {where}"
