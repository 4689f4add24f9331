"""Login outcomes become audit events and feed the throttle counters (accounts.lockout).

Django reports them only through these signals, so this is the one place treem listens to signals.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from treem.accounts.tokens import revoke_tokens
from treem.audit.services import record

from . import lockout
from .lockout import LOGIN_FAILED, LOGIN_OK


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    record(user, LOGIN_OK, user, summary={"username": user.get_username().lower()}, request=request)
    if request is not None:
        lockout.note_success(request, user.get_username())


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    username = lockout.normalise(credentials.get("username"))
    record(None, LOGIN_FAILED, summary={"username": username}, request=request)
    lockout.note_failure(request, username)


@receiver(user_logged_out)
def _end_api_tokens(sender, request, user, **kwargs):
    """Logging out ends the user's API tokens too (a token taken with the session's password must not outlive it)."""
    if user is not None and revoke_tokens(user):
        record(user, "api.token.revoke", user, summary={"reason": "logout"}, request=request)
