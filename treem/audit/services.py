"""Recording audit events. Call `record` inside the service's transaction so the event commits or rolls back with it."""

from django.db import models

from treem.core.actors import SystemActor

from .models import AuditEvent

SENSITIVE_FIELDS = {"password"}


def _actor_fields(actor) -> dict:
    if actor is None or isinstance(actor, SystemActor) or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": str(actor or "anonymous")}
    return {"actor": actor, "actor_label": actor.get_username()}


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(actor, action: str, obj: models.Model | None = None, *, summary: dict | None = None, unit=None,
           request=None) -> AuditEvent:
    """Write one audit event. `summary` holds the change (see `changes`) or what was viewed; never a password."""
    summary = {k: v for k, v in (summary or {}).items() if k not in SENSITIVE_FIELDS}
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        unit=unit,
        summary=summary,
        ip=_client_ip(request),
    )


def record_view(actor, obj: models.Model, *, unit=None, request=None, what: str = "") -> AuditEvent:
    """Log that a person looked at a sensitive record."""
    return record(actor, f"{obj._meta.label_lower}.view", obj, summary={"what": what} if what else None,
                  unit=unit, request=request)


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
