"""The audit actions of indicators (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register, viewed

register(
    # dashboards (reads): figures by commune and breakdowns by sex, age, group or abuse type can be small counts
    viewed("indicators.value.list", _("Indicator figures viewed"),
           _("{actor} viewed indicator figures of {unit}")),
    viewed("indicators.value.export", _("Indicator figures downloaded"),
           _("{actor} downloaded indicator figures of {unit} as a spreadsheet")),
    # targets bound to indicators, reported values (treem.indicators.services)
    action("indicators.binding.bind", _("{actor} bound the target {object} to an indicator"),
           _("Target bound to an indicator")),
    action("indicators.value.report", _("{actor} entered the indicator values of the report {object}"),
           _("Indicator values entered")),
    action("indicators.value.submitted", _("{actor} marked the value {object} submitted with its report"),
           _("Indicator value submitted")),
    action("indicators.value.accepted", _("{actor} locked the value {object}: its report was accepted"),
           _("Indicator value accepted")),
    action("indicators.value.draft", _("{actor} reopened the value {object}: its report was returned"),
           _("Indicator value reopened")),
    action("indicators.value.correct", _("{actor} corrected the value {object}"), _("Indicator value corrected")),
    action("demo.indicators.load", _("{actor} loaded the indicators demo data"), _("Indicators demo data loaded")),
    # the engine (catalogue, refresh)
    action("indicators.catalogue.load", _("The indicator catalogue was loaded or updated"),
           _("Indicator catalogue loaded")),
    action("indicators.indicator.edit", _("{actor} changed {fields} of indicator {object}"), _("Indicator changed")),
    action("indicators.refresh.run", _("{actor} recomputed the indicators ({count} values)"),
           _("Indicators recomputed")),
    action("indicators.conversion_share.set", _("{actor} set the share of a split unit for indicator values: "
                                                 "{object}"), _("Share of a split unit set")),
)
