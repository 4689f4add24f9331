from django.db.models import Q

from treem.access import Capability, scope_for
from treem.core.exceptions import NotAllowed

from .models import AuditEvent


def audit_events_visible_to(user):
    """Auditors and administrators read the events of their scope (a national grant reads all)."""
    scope = scope_for(user)
    cap = Capability.VIEW_AUDIT
    if not scope.has(cap):
        raise NotAllowed
    qs = AuditEvent.objects.select_related("unit", "actor")
    if scope.is_national(cap):
        return qs
    provinces = scope.province_ids(cap)
    communes = scope.commune_ids(cap)
    return qs.filter(Q(unit__in=communes) | Q(unit__in=provinces) | Q(unit__province__in=provinces))


def filter_events(qs, *, actor: str = "", action: str = "", object_type: str = "", date_from=None, date_to=None,
                  object_id: str = ""):
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs
