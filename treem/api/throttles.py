"""The API's rate limits, keyed to the address behind our trusted proxies (treem.core.client_ip).

DRF's own throttles read X-Forwarded-For as the client sends it, so a client could pick a new address per request and
never be limited; these take the same address as the login lock-out and the audit log.
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from treem.core.client_ip import client_ip


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request) or "unknown"


class AnonThrottle(ClientAddressMixin, AnonRateThrottle):
    pass


class UserThrottle(ClientAddressMixin, UserRateThrottle):
    """Per user when logged in (DRF keys it by user id); the address only for anonymous requests."""


class LoginThrottle(ClientAddressMixin, AnonRateThrottle):
    scope = "login"  # REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"]
