from django.utils.translation import pgettext_lazy

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("indicators:index", pgettext_lazy("dashboard", "Indicators and targets"), Capability.VIEW_INDICATORS,
           pgettext_lazy("dashboard", "Where the province and each commune stand against every plan target."),
           short=pgettext_lazy("dashboard", "Indicators")),
]
