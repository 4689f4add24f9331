from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("cases:dashboard", _("Protection cases"), Capability.VIEW_CASES,
           _("Reports, cases, deadlines and alerts of your commune or province."), short=_("Protection")),
    Module("cases:intake_new", _("Record a report"), Capability.RECEIVE_REPORTS,
           _("Record a report about a child (Form 01); it goes at once to the commune."),
           short=_("New report")),
    Module("cases:intakes", _("Reports I recorded"), Capability.RECEIVE_REPORTS,
           _("The reports you recorded and where they went."), short=_("My reports")),
]
