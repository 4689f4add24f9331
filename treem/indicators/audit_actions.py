"""The audit actions of indicators (see treem.audit.registry). Each indicator helper appends its own."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import register, viewed

register(
    # dashboards (reads): figures by commune and breakdowns by sex, age, group or abuse type can be small counts
    viewed("indicators.value.list", _("Indicator figures viewed"),
           _("{actor} viewed indicator figures of {unit}")),
    viewed("indicators.value.export", _("Indicator figures downloaded"),
           _("{actor} downloaded indicator figures of {unit} as a spreadsheet")),
)
