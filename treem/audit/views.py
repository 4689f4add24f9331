from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import DateField
from django.shortcuts import render

from treem.access import Capability
from treem.core.collation import vi_key
from treem.core.paging import paginate

from . import registry
from .rendering import present
from .selectors import audit_events_visible_to, filter_events
from .services import list_unit, record_list


def _date(value):
    try:
        return DateField(input_formats=["%d/%m/%Y", "%Y-%m-%d"]).clean(value) if value else None
    except ValidationError:
        return None


@login_required
def events(request):
    qs = audit_events_visible_to(request.user)  # raises NotAllowed (403) for anyone but auditors and administrators
    filters = {
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
        "date_from": _date(request.GET.get("from", "")),
        "date_to": _date(request.GET.get("to", "")),
    }
    page, querystring_base = paginate(request, filter_events(qs, **filters), per_page=100)
    # The events name the children looked at: reading them is logged too (who audited whom).
    record_list(request.user, "audit.auditevent.list", shown=len(page), page=page.number, request=request,
                unit=list_unit(request.user, Capability.VIEW_AUDIT),
                filters={k: v.strip()[:120] for k, v in request.GET.items() if v.strip() and k != "page"})
    present(page.object_list, reader=request.user)  # a sentence per event, with the actor's full name
    actions = sorted(((a.code, str(a.name)) for a in registry.all_actions()), key=lambda pair: vi_key(pair[1]))
    return render(request, "audit/events.html", {
        "page": page, "querystring_base": querystring_base, "filters": request.GET, "actions": actions,
    })
