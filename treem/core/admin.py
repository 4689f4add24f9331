from django.contrib import admin

from .models import CalendarDay, Job


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "day"


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "done", "total", "actor"]
    list_filter = ["kind", "status"]
