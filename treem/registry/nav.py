from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("registry:list", _("Child register"), Capability.VIEW_CHILDREN,
           _("Children of your communes: search, records, special circumstances, import and export."),
           short=_("Children")),
]
