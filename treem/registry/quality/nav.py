from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("quality:index", _("Data quality"), Capability.VIEW_CHILDREN,
           _("Missing and contradictory facts, duplicates, linkage with the population database, cleaning and "
             "re-checks of the child register."), short=_("Data quality")),
]
