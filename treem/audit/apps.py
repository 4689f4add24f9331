from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "treem.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from treem.core import auditing

        from . import admin_log  # noqa: F401
        from .services import record

        auditing.install(record)  # core's jobs, files and backups write through it (core does not import audit)

        # Each app registers the audit actions it writes in its audit_actions.py (treem.audit.registry).
        autodiscover_modules("audit_actions")
