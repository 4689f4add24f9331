"""Login throttling and lock-out, counted from the audit log so every web process and machine agrees."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from treem.audit.models import AuditEvent

LOGIN_FAILED = "auth.login_failed"
LOGIN_OK = "auth.login"


def _recent_failures(**match) -> int:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    last_success = (
        AuditEvent.objects.filter(action=LOGIN_OK, at__gte=since, **match).order_by("-at").values_list("at", flat=True)
        .first()
    )
    failures = AuditEvent.objects.filter(action=LOGIN_FAILED, at__gte=last_success or since, **match)
    return failures.count()


def is_locked(username: str, ip: str | None) -> bool:
    """Locked when the account name, or the client address, failed too often within the window."""
    limit = settings.LOGIN_FAILURE_LIMIT
    if username and _recent_failures(summary__username=username.strip().lower()) >= limit:
        return True
    # An address gets more room: several officers may share one office NAT.
    return bool(ip) and _recent_failures(ip=ip) >= limit * 4
