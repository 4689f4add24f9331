from django.contrib import admin

from treem.core.admin import NoDeleteMixin

from .models import DeadlineRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Administrators adjust the statutory clocks here; cases are never edited through the admin."""

    list_display = ["code", "label", "amount", "unit", "start_event", "condition", "valid_from", "valid_to"]
    list_filter = ["unit", "step"]
