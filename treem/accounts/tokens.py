"""API tokens that expire, and die with a password change or a log-out.

A token lives TREEM_API_TOKEN_HOURS (12 by default) from when it was issued. Service accounts (no usable password:
the hotline system's user made by `treem hotline-token`) cannot log in to get a new one, so theirs live
TREEM_SERVICE_TOKEN_HOURS (90 days by default); `treem hotline-token --rotate` replaces it sooner.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def lifetime(user) -> timedelta:
    if user.has_usable_password():
        return timedelta(hours=settings.TREEM_API_TOKEN_HOURS)
    return timedelta(hours=settings.TREEM_SERVICE_TOKEN_HOURS)


def expired(token: Token, now=None) -> bool:
    return token.created + lifetime(token.user) <= (now or timezone.now())


def issue_token(user) -> Token:
    """The user's token; a new one when the old one has expired."""
    token, _created = Token.objects.get_or_create(user=user)
    if expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def revoke_tokens(user) -> int:
    """Delete the user's tokens (password changed, logged out). Returns how many there were."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token …`, refusing (401) a token past its lifetime and deleting it."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expired(token):
            token.delete()
            raise AuthenticationFailed(_("Your API token has expired. Ask for a new one with your username and "
                                         "password."))
        return user, token
