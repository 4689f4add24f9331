from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .checks import cache_is_shared


class AccountsConfig(AppConfig):
    name = "treem.accounts"
    label = "accounts"
    verbose_name = _("Users and agencies")

    def ready(self):
        from . import auth_audit  # noqa: F401  (signal receivers; it imports models: only once the apps are loaded)

        checks.register(cache_is_shared, deploy=True)
