from django.contrib import admin

from treem.core.admin import NoDeleteMixin

from .models import Unit, UnitConversion


@admin.register(Unit)
class UnitAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "system", "kind", "valid_from", "valid_to"]
    list_filter = ["system", "level", "kind"]
    search_fields = ["code", "name", "name_folded"]
    raw_id_fields = ["parent", "province"]


@admin.register(UnitConversion)
class UnitConversionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["legacy", "current", "partial"]
    list_filter = ["partial"]
    raw_id_fields = ["legacy", "current"]
