from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "treem.accounts"
    label = "accounts"
    verbose_name = _("Users and agencies")

    def ready(self):
        from django.core import checks

        from . import auth_audit  # noqa: F401
        from .checks import cache_is_shared

        checks.register(cache_is_shared, deploy=True)
