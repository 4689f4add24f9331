from django.contrib import admin

from .models import CalendarDay, Job


class NoDeleteMixin:
    """Domain records are never deleted here, not even by a superuser (a delete would take their history with it):
    reference data is retired with its validity dates, people with "active", agencies and assignments with an end
    date, records with a status through their services. Without the permission Django also drops the bulk
    "delete selected" action."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Records whose status or history only their services may change (with their checks and audit events): the
    admin shows them and nothing more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "day"


@admin.register(Job)
class JobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "done", "total", "actor"]
    list_filter = ["kind", "status"]
