"""How core's machinery (jobs, prepared files, backups) writes its audit events without importing the audit app, which
sits above core: the audit app installs its writer here when Django starts (treem.audit.apps.AuditConfig.ready).

Calling `record` before the audit app is ready is a programming error, not an event lost in silence."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_writer: Callable | None = None


def install(writer: Callable) -> None:
    """`writer` has treem.audit.services.record's signature: (actor, action, obj=None, *, summary, unit, request,
    using)."""
    global _writer
    _writer = writer


def record(actor, action: str, obj=None, **options):
    if _writer is None:
        raise ImproperlyConfigured("the audit app is not installed or not ready: core cannot write its audit events")
    return _writer(actor, action, obj, **options)
