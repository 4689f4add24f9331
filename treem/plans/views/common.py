"""What the plans pages share: the scoped lookups' 404, the provinces a user edits plans of, errors, files."""


from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404

from treem.access import Capability, scope_for
from treem.geo.models import Unit, UnitLevel, UnitSystem

C = Capability


def _get(qs, **lookup):
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def editable_provinces(user):
    scope = scope_for(user)
    qs = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
    if scope.is_national(C.EDIT_PLANS):
        return qs.order_by("code")
    return qs.filter(pk__in=scope.province_ids(C.EDIT_PLANS)).order_by("code")


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _file_response(field, name, content_type=None):
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name)
    if content_type:
        response["Content-Type"] = content_type
    return response
