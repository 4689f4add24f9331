from django.contrib import admin

from .models import Unit, UnitConversion


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "system", "kind", "valid_from", "valid_to"]
    list_filter = ["system", "level", "kind"]
    search_fields = ["code", "name", "name_folded"]
    raw_id_fields = ["parent", "province"]


@admin.register(UnitConversion)
class UnitConversionAdmin(admin.ModelAdmin):
    list_display = ["legacy", "current", "partial"]
    list_filter = ["partial"]
    raw_id_fields = ["legacy", "current"]
