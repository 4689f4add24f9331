from django.contrib import admin

# Access requests are not in the admin: they name a child and a parent, and are read through the privacy pages.
from .models import ProcessingActivity, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """Admin changes are mirrored into the audit log (treem.audit.admin_log). What a rule does is fixed by its code."""

    list_display = ["code", "subject", "trigger", "years", "action", "active", "confirmed_by", "confirmed_on"]
    readonly_fields = ["code", "subject", "trigger", "action"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):
    """Read only: the record comes from treem/privacy/data/processing_record.json, versioned with the code."""

    list_display = ["order", "code", "purpose", "version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
