"""Input the database cannot take answers 400 or 404 before it reaches a query, instead of a 500.

* `RejectNulMiddleware` (the whole site): a NUL character in the path, the query string or a form/JSON body is a 400.
  PostgreSQL refuses NUL in text, so `?q=%00` on any search was a server error there (SQLite let it through).
* `ObjectJSONParser` (the API): a JSON body must be an object; `[]` or `"x"` is a 400 (views read it as a dict).
* `CheckedLookupMixin` (every API viewset): an id in the path that cannot be one (`/cases/null/`, `/case-referrals/x/`)
  is a 404, like an id that does not exist.
* `query_uuid` / `query_int`: a filter value that cannot be an id (`?document=D`) is a 400 that names the parameter.
"""

import json
import logging
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser

logger = logging.getLogger("treem.security")

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(value) -> bool:
    """A NUL anywhere in a decoded JSON value (keys included) or a string."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _body_has_nul(request) -> bool:
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        # Form fields only: an uploaded file (a spreadsheet, a scan) may hold NUL bytes and is not stored as text.
        try:
            fields = request.POST
        except MultiPartParserError:
            return False  # a broken multipart body: the view's parser answers 400
        return any(_has_nul(k) or any(_has_nul(v) for v in values) for k, values in fields.lists())
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return _has_nul(json.loads(request.body or b"null"))
        except ValueError:
            return False  # not JSON at all: the view's parser says so
    return False


class RejectNulMiddleware:
    """400 for a NUL character anywhere a view could pass it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_query = any(_has_nul(k) or any(_has_nul(v) for v in values) for k, values in request.GET.lists())
        if NUL in request.path or in_query or (request.method != "GET" and _body_has_nul(request)):
            logger.warning("request with a NUL character refused: %s %r", request.method, request.path)
            message = _("The request contains a character that is not allowed (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ObjectJSONParser(JSONParser):
    """JSON whose top level is an object: every write of the API takes named fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("The request body must be a JSON object ({...})."))
        return data


class CheckedLookupMixin:
    """An id in the path that the model's field cannot hold is a 404 (as for an id that does not exist), checked
    after authentication and permissions so a caller learns nothing more than before."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        name = self.lookup_url_kwarg or self.lookup_field
        if name in self.kwargs:
            model = self.get_queryset().model
            field = model._meta.pk if self.lookup_field == "pk" else model._meta.get_field(self.lookup_field)
            try:
                field.to_python(self.kwargs[name])
            except (DjangoValidationError, ValueError, TypeError):
                raise NotFound from None


def query_uuid(request, name: str) -> uuid.UUID | None:
    """The query parameter `name` as an id (None when absent or blank); otherwise a 400 that names it."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiValidationError({name: [_("Not a valid id.")]}) from None


def query_int(request, name: str) -> int | None:
    """The query parameter `name` as a whole number (None when absent or blank); otherwise a 400 that names it."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ApiValidationError({name: [_("Not a valid number.")]})
    return int(value)


def exception_handler(exc, context):
    """DRF's handler, with Django's Http404 answered in the caller's language: get_object_or_404 words it in English
    ("No Child matches the given query.") and names the model."""
    from django.http import Http404
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, Http404):
        exc = NotFound()
    return drf_handler(exc, context)
