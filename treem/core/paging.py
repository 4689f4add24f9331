"""A page of a list for a template: every app's list pages use it (it lived in treem.web, which sits above the apps)."""

from django.core.paginator import Paginator
from django.utils.http import urlencode


def paginate(request, qs, per_page=50):
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return page, (urlencode(params) + "&") if params else ""
