"""A user whose password was given by an administrator chooses her own before she opens anything else."""

from django.shortcuts import redirect

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
