from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from treem.core.admin import NoDeleteMixin
from treem.core.text import fold

from .models import Agency, AgencySuccession, Assignment, User


class AssignmentInline(NoDeleteMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["unit", "agency"]


@admin.register(User)
class UserAdmin(NoDeleteMixin, BaseUserAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, ("treem", {"fields": ["full_name", "phone"]})]
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    inlines = [AssignmentInline]


class SuccessionInline(NoDeleteMixin, admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    raw_id_fields = ["successor"]


@admin.register(Agency)
class AgencyAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "province", "valid_from", "valid_to"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "name_folded"]
    raw_id_fields = ["province", "unit", "parent"]
    inlines = [SuccessionInline]

    def save_model(self, request, obj, form, change):
        obj.name_folded = fold(obj.name)  # the search column; services do the same
        super().save_model(request, obj, form, change)
