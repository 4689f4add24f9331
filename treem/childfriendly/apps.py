from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildFriendlyConfig(AppConfig):
    name = "treem.childfriendly"
    label = "childfriendly"
    verbose_name = _("Child-friendly communes")
