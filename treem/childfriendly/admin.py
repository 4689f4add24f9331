"""The standard is data an administrator edits here: criteria and their points (the unverified ones especially),
sub-indicators and their scoring, the recognition rule and thresholds, commune types, the window, the authorities."""

from django.contrib import admin

from treem.core.admin import NoDeleteMixin

from .models import (
    Authority,
    CommuneClassification,
    Criterion,
    RecognitionRule,
    Standard,
    SubIndicator,
    SubmissionWindow,
    Threshold,
)


class CriterionInline(admin.TabularInline):
    can_delete = False
    model = Criterion
    extra = 0
    fields = ["number", "name", "max_points", "met_min_points", "points_verified", "legal_reference"]


@admin.register(Standard)
class StandardAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "version", "valid_from", "valid_to"]
    inlines = [CriterionInline]


@admin.register(SubIndicator)
class SubIndicatorAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "scoring", "target", "points", "source"]
    list_filter = ["criterion__number"]


class ThresholdInline(admin.TabularInline):
    can_delete = False
    model = Threshold
    extra = 0


@admin.register(RecognitionRule)
class RecognitionRuleAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["standard", "legal_reference", "valid_from", "valid_to"]
    inlines = [ThresholdInline]


@admin.register(CommuneClassification)
class CommuneClassificationAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["commune", "commune_type", "valid_from", "valid_to"]
    raw_id_fields = ["commune"]


@admin.register(SubmissionWindow)
class SubmissionWindowAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["__str__", "alert_days", "valid_from", "valid_to"]


@admin.register(Authority)
class AuthorityAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["step", "role", "province", "body_name", "valid_from", "valid_to"]
    raw_id_fields = ["province"]
