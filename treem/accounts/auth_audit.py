"""Login outcomes become audit events: they feed the lock-out counter (accounts.lockout) and the auditors' log.

Django reports them only through these signals, so this is the one place treem listens to signals.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from treem.audit.services import record

from .lockout import LOGIN_FAILED, LOGIN_OK


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    record(user, LOGIN_OK, user, summary={"username": user.get_username().lower()}, request=request)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials.get("username") or "").strip().lower()
    record(None, LOGIN_FAILED, summary={"username": username}, request=request)


@receiver(user_logged_out)
def _end_api_tokens(sender, request, user, **kwargs):
    """Logging out ends the user's API tokens too (a token taken with the session's password must not outlive it)."""
    if user is not None:
        from treem.api.tokens import revoke_tokens

        if revoke_tokens(user):
            record(user, "api.token.revoke", user, summary={"reason": "logout"}, request=request)
