"""What a signed-in user must do before anything else: choose her own password (when an administrator gave it),
and give her second factor or enrol one (treem.accounts.two_factor)."""

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import two_factor
from .two_factor import State

# What a user who still owes the second factor may reach: the two steps, logging out, the language and static files.
_OPEN = ("accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout", "accounts:login")
_OPEN_PREFIXES = ("/i18n/", "/jsi18n/")

ALLOWED = {"accounts:password_change", "accounts:logout", "set_language", "javascript-catalog"}


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        if request.resolver_match and request.resolver_match.view_name in ALLOWED:
            return None
        return redirect("accounts:password_change")


@cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in _OPEN)


class TwoFactorMiddleware:
    """A session is complete only after the second factor (or enrolment, for a role that requires it).

    Until then every other page sends the user to the step she owes, and the API (session auth) answers 403. API tokens
    are issued only with a code (treem.api.auth), so token requests are not held here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not self._open(request.path):
            owed = two_factor.state(request)
            if owed in (State.VERIFY, State.ENROL):
                return self._send_to(request, owed)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return (path in _open_paths() or path.startswith(_OPEN_PREFIXES)
                or path.startswith(settings.STATIC_URL))

    @staticmethod
    def _send_to(request, owed: State):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Complete two-factor authentication first.")}, status=403)
        name = "accounts:two_factor_verify" if owed == State.VERIFY else "accounts:two_factor_setup"
        return HttpResponseRedirect(reverse(name) + "?" + urlencode({"next": request.get_full_path()}))
