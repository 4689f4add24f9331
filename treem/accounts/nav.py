from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module("accounts:users", _("User accounts"), Capability.MANAGE_USERS,
           _("The accounts of your province: create, assign roles and units, lock, reset passwords."),
           short=_("Accounts")),
]
