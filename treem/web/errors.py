"""treem's own error pages (403, 404, 500): in the reader's language, with a way back, and for 403 what would be
needed. Django's bare English pages are never shown."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token

from treem.access import roles_with
from treem.accounts.models import Role


def _my_roles(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = user.assignments.valid_on(timezone.localdate()).values_list("role", flat=True).distinct()
    return sorted({Role(r).label for r in roles if r in Role.values})


@requires_csrf_token
def permission_denied(request, exception=None):
    needs = getattr(exception, "needs", None)
    return render(request, "403.html", {
        "needed_roles": [Role(r).label for r in roles_with(needs)] if needs else [],
        "my_roles": _my_roles(request.user),
    }, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # Rendered without the request: no database, no user, no context processors, since the failure may be theirs.
    return HttpResponseServerError(loader.get_template("500.html").render())
