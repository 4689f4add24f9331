from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("privacy:access_requests", _("Data subject requests"), Capability.HANDLE_SUBJECT_ACCESS,
           _("A parent or guardian asks for everything recorded on their child: record the request, give them a "
             "password-protected copy."), short=_("Data requests")),
    Module("privacy:processing", _("Record of personal data processing"), Capability.VIEW_PROCESSING_RECORD,
           _("Purposes, legal bases, data, recipients and safeguards (Law on Personal Data Protection)."),
           short=_("Processing record")),
    Module("privacy:retention", _("Retention rules"), Capability.VIEW_PROCESSING_RECORD,
           _("How long records are kept and what happens after; what the rules would affect today."),
           short=_("Retention")),
]
