from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("childfriendly:index", _("Child-friendly communes"), Capability.VIEW_INDICATORS,
           _("The yearly self-assessment against Decision 06/2019, its appraisal and the recognition."),
           short=_("Child-friendly")),
]
