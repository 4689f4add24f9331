from django.contrib import admin

from treem.core.admin import ReadOnlyMixin

from .models import Document, ReportingRound, RoundAgency, Submission, SubmissionEvent, Target, TargetValue, Task


class TargetValueInline(ReadOnlyMixin, admin.TabularInline):
    model = TargetValue
    extra = 0


@admin.register(Document)
class DocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "doc_type", "issued_on", "province", "is_placeholder"]
    list_filter = ["doc_type", "province"]
    search_fields = ["number", "title"]
    raw_id_fields = ["issuer_agency", "province", "area"]
    filter_horizontal = ["implements"]
    exclude = ["source_text", "parsed"]


@admin.register(Target)
class TargetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["text", "unit", "baseline_value", "indicator_code", "document"]
    raw_id_fields = ["document", "area"]
    inlines = [TargetValueInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["text", "document", "status", "schedule_kind"]
    list_filter = ["status", "schedule_kind"]
    raw_id_fields = ["document"]


class RoundAgencyInline(ReadOnlyMixin, admin.TabularInline):
    model = RoundAgency
    extra = 0
    raw_id_fields = ["agency"]


@admin.register(ReportingRound)
class ReportingRoundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "province", "deadline", "status"]
    raw_id_fields = ["document", "province", "focal_agency"]
    inlines = [RoundAgencyInline]


class SubmissionEventInline(ReadOnlyMixin, admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    readonly_fields = ["kind", "at", "actor_label", "deadline", "on_time", "counted", "note"]
    exclude = ["actor"]
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["round", "agency", "status", "counted_at", "on_time"]
    list_filter = ["status", "on_time"]
    raw_id_fields = ["round", "agency"]
    inlines = [SubmissionEventInline]
