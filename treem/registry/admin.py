"""Reference data of the register, editable by an administrator (children themselves are not in the admin: they are
reached only through the scoped screens)."""

from django.contrib import admin

from treem.core.admin import NoDeleteMixin

from .models import CircumstanceGroup, CircumstanceSubgroup, RiskFlag


class SubgroupInline(NoDeleteMixin, admin.TabularInline):
    model = CircumstanceSubgroup
    extra = 0
    fields = ["code", "name", "legal_basis", "order", "verified", "note"]


@admin.register(CircumstanceGroup)
class CircumstanceGroupAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "legal_basis", "valid_from", "valid_to"]
    ordering = ["order"]
    inlines = [SubgroupInline]


@admin.register(RiskFlag)
class RiskFlagAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "verified", "valid_from", "valid_to"]
    ordering = ["order"]
