from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from treem.core import auditing


class AuditConfig(AppConfig):
    name = "treem.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from . import admin_log  # noqa: F401  (signal receivers; it imports models: only once the apps are loaded)
        from .services import record  # imports the models: only once the apps are loaded

        auditing.install(record)  # core's jobs, files and backups write through it (core does not import audit)

        # Each app registers the audit actions it writes in its audit_actions.py (treem.audit.registry).
        autodiscover_modules("audit_actions")
