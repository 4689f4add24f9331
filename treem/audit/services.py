"""Recording audit events. Call `record` inside the service's transaction so the event commits or rolls back with it."""

from django.db import models

from treem.access import scope_for
from treem.core import bulk
from treem.core.actors import SystemActor
from treem.core.client_ip import client_ip
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .models import AuditEvent
from .registry import require

SENSITIVE_FIELDS = {"password"}


def _actor_fields(actor) -> dict:
    if actor is None or isinstance(actor, SystemActor) or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": str(actor or "anonymous")}
    return {"actor": actor, "actor_label": actor.get_username()}


def _client_ip(request) -> str | None:
    return client_ip(request)  # the client behind our proxies, not the proxy


def record(actor, action: str, obj: models.Model | None = None, *, summary: dict | None = None, unit=None,
           request=None, using: str | None = None) -> AuditEvent:
    """Write one audit event. `action` is a code registered in an app's audit_actions.py (else ValueError);
    `summary` holds the change (see `changes`) or what was viewed; never a password. `using`: another database alias
    (a restore into a database other than the default)."""
    require(action)
    summary = {k: v for k, v in (summary or {}).items() if k not in SENSITIVE_FIELDS}
    return AuditEvent.objects.db_manager(using).create(
        **_actor_fields(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        unit=unit,
        summary=summary,
        ip=_client_ip(request),
    )


def record_many(actor, action: str, objects_with_summaries, *, unit=None, at=None) -> int:
    """Write one event per (object, summary), in bulk (COPY on PostgreSQL): the events of an import's thousands of
    children. Same rules as `record`; returns how many were written."""

    require(action)
    fields = _actor_fields(actor)
    rows = [{"actor_id": fields["actor"].pk if fields["actor"] else None, "actor_label": fields["actor_label"],
             "action": action, "object_type": obj._meta.label_lower, "object_id": str(obj.pk),
             "object_repr": str(obj)[:200], "unit_id": unit.pk if unit is not None else None,
             "summary": {k: v for k, v in (summary or {}).items() if k not in SENSITIVE_FIELDS},
             **({"at": at} if at is not None else {})}
            for obj, summary in objects_with_summaries]
    bulk.insert_dicts(AuditEvent, rows)
    return len(rows)


def record_view(actor, obj: models.Model, *, unit=None, request=None, what: str = "") -> AuditEvent:
    """Log that a person looked at a sensitive record (action "<app_label>.<model>.view", registered like any)."""
    return record(actor, f"{obj._meta.label_lower}.view", obj, summary={"what": what} if what else None,
                  unit=unit, request=request)


def list_unit(user, capability: str, commune_code: str = "") -> Unit | None:
    """The unit a read of a list is filed under, so that the auditors of that unit see it: the commune chosen in the
    filters when the reader may read it with `capability`, else her only commune or province; None for several units
    or the whole country (then national auditors see it)."""
    scope = scope_for(user)
    if commune_code:
        chosen = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=commune_code).first()
        if chosen is not None and scope.may(capability, chosen):
            return chosen
    communes, provinces = scope.commune_ids(capability), scope.province_ids(capability)
    if len(communes) == 1 and not provinces:
        return Unit.objects.filter(pk__in=communes).first()
    if len(provinces) == 1 and not communes:
        return Unit.objects.filter(pk__in=provinces).first()
    return None


def record_list(actor, action: str, *, shown: int, filters: dict | None = None, page: int | str = 1, unit=None,
                request=None) -> AuditEvent:
    """Log that a person was shown a page of a list of sensitive records (children, carers, cases, findings...), like
    `record_view` for one record. action: "<app>.<model>.list"; filters: the non-empty filters and search words of
    the request; shown: how many records the page showed."""
    via = "api" if request is not None and request.path.startswith("/api/") else "web"
    return record(actor, action, None, unit=unit, request=request,
                  summary={"filters": filters or {}, "shown": shown, "page": page, "via": via})


def _plain(value):
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs; sensitive fields are reported as changed, not shown."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = ["***", "***"] if key in SENSITIVE_FIELDS else [old, new]
    return out
