"""Timeline events and alerts: small helpers the services and the deadline engine share."""

import contextlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Assignment, Role, User
from treem.core.actors import SystemActor
from treem.core.formats import format_date

from .models import (
    Alert,
    AlertKind,
    CaseAssignment,
    CaseEvent,
    Channel,
    EventKind,
    ItemStatus,
    ReferralStatus,
    ReviewOutcome,
    RiskLevel,
    ServiceKind,
)


def add_event(case, kind: str, actor=None, at=None, **params) -> CaseEvent:
    real = actor if getattr(actor, "pk", None) and not isinstance(actor, SystemActor) else None
    label = real.get_username() if real else str(actor or "public")
    return CaseEvent.objects.create(case=case, kind=kind, actor=real, actor_label=label,
                                    at=at or timezone.now(), params=params)


# How each event reads on the timeline; parameters are filled in from CaseEvent.params.
EVENT_TEXT = {
    EventKind.RECEIVED: _("Report received by {channel}"),
    EventKind.FORWARDED: _("Forwarded to {commune}"),
    EventKind.UPDATED: _("Report details updated: {fields}"),
    EventKind.ASSIGNED: _("{worker} assigned to the case"),
    EventKind.UNASSIGNED: _("{worker} no longer assigned"),
    EventKind.CHILD_LINKED: _("A child was linked to the case"),
    EventKind.ASSESSED: _("Initial assessment (Form 02): risk {risk}"),
    EventKind.EMERGENCY: _("Emergency protection given"),
    EventKind.SEPARATION_STARTED: _("Temporary separation (Form 07) until {until}"),
    EventKind.SEPARATION_EXTENDED: _("Separation extended until {until} by {authority}"),
    EventKind.SEPARATION_ENDED: _("Temporary separation ended"),
    EventKind.DETAILED_ASSESSMENT: _("Detailed assessment and meeting (Form 03)"),
    EventKind.PLAN_DRAFTED: _("Support plan no. {number} drafted"),
    EventKind.PLAN_SUBMITTED: _("Support plan no. {number} submitted for approval (Form 04)"),
    EventKind.PLAN_APPROVED: _("Support plan no. {number} approved by the chair (Form 05)"),
    EventKind.PLAN_RETURNED: _("Support plan no. {number} returned for changes"),
    EventKind.SERVICE_DELIVERED: _("Service delivered: {service}"),
    EventKind.REFERRED: _("Referred to {agency}"),
    EventKind.REFERRAL_ANSWERED: _("{agency}: {status}"),
    EventKind.TRANSFERRED: _("Transferred from {from_commune} to {to_commune}"),
    EventKind.REVIEWED: _("Review (Form 06): {outcome}"),
    EventKind.CLOSED: _("Case closed"),
    EventKind.REOPENED: _("Case reopened: {reason}"),
    EventKind.IN_ERROR: _("Marked recorded in error: {reason}"),
    EventKind.DOCUMENT: _("Document attached: {title}"),
    EventKind.DEADLINE_MISSED: _("Deadline missed: {rule}"),
}


class _Default(dict):
    def __missing__(self, key):
        return "?"


def event_text(event: CaseEvent) -> str:
    template = EVENT_TEXT.get(event.kind)
    if template is None:
        return event.get_kind_display()
    return str(template).format_map(_Default({k: _display(k, v) for k, v in (event.params or {}).items()}))


def _display(key, value):
    choices = {"channel": Channel, "risk": RiskLevel, "outcome": ReviewOutcome, "service": ServiceKind,
               "status": ReferralStatus, "item_status": ItemStatus}
    if key in choices:
        try:
            return choices[key](value).label
        except ValueError:
            return value
    if key == "until" and value:
        from datetime import date

        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if key == "fields" and isinstance(value, list):
        return ", ".join(value)
    return value


ALERT_TEXT = {
    AlertKind.NEW_REPORT: _("New report {reference} for {commune}"),
    AlertKind.PLAN_SUBMITTED: _("Plan of case {reference} awaits your approval"),
    AlertKind.PLAN_DECIDED: _("Plan of case {reference}: {decision}"),
    AlertKind.DEADLINE_APPROACHING: _("Case {reference}: {rule} due {due}"),
    AlertKind.DEADLINE_MISSED: _("Case {reference}: {rule} overdue since {due}"),
    AlertKind.REFERRAL: _("New referral from {commune}: {service}"),
    AlertKind.REFERRAL_ANSWERED: _("Case {reference}: {agency} {status}"),
    AlertKind.TRANSFER_IN: _("Case {reference} transferred to {commune}"),
    AlertKind.ASSIGNED: _("You were assigned to case {reference}"),
}


def alert_text(alert: Alert) -> str:
    params = dict(alert.params or {})
    if "status" in params:
        params["status"] = _display("status", params["status"])
    if "service" in params:
        params["service"] = _display("service", params["service"])
    if "due" in params:
        from datetime import datetime

        with contextlib.suppress(ValueError):
            params["due"] = format_date(datetime.fromisoformat(params["due"]))
    kind = alert.kind
    if params.get("decision") in {"approved", "returned"}:
        params["decision"] = str(_("approved") if params["decision"] == "approved" else _("returned for changes"))
        # a "waiting for approval" alert whose plan was decided reads as what happened, not as still waiting
        kind = AlertKind.PLAN_DECIDED if kind == AlertKind.PLAN_SUBMITTED else kind
    return str(ALERT_TEXT.get(kind, alert.get_kind_display())).format_map(_Default(params))


def resolve_plan_alerts(plan, decision: str) -> int:
    """The plan was decided: its "awaiting your approval" alerts are done (read) and say the decision."""
    now, count = timezone.now(), 0
    waiting = Alert.objects.filter(case_id=plan.case_id, kind=AlertKind.PLAN_SUBMITTED,
                                   key__startswith=f"plan:{plan.pk}:submitted:")
    for alert in waiting.exclude(params__has_key="decision"):
        alert.params = {**(alert.params or {}), "decision": decision}
        alert.read_at = alert.read_at or now
        alert.save(update_fields=["params", "read_at"])
        count += 1
    return count


def notify(users, kind: str, *, key: str, case=None, referral=None, **params) -> int:
    """One alert per recipient and key (a repeated call does not repeat the alert)."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Alert(recipient=user, kind=kind, key=key[:120], case=case, referral=referral, params=params))
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def users_with_role(role: str, *, unit=None, agency=None, province=None):
    assignments = Assignment.objects.valid_on(timezone.localdate()).filter(role=role, user__is_active=True)
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    if agency is not None:
        assignments = assignments.filter(agency=agency)
    if province is not None:
        assignments = assignments.filter(unit=province)
    return list(User.objects.filter(pk__in=assignments.values("user_id")))


def commune_workers(commune):
    return users_with_role(Role.COMMUNE_WORKER, unit=commune)


def commune_chairs(commune):
    return users_with_role(Role.COMMUNE_CHAIR, unit=commune)


def province_supervisors(province):
    return users_with_role(Role.FOCAL_OFFICER, province=province) + users_with_role(Role.CASE_WORKER,
                                                                                    province=province)


def assigned_workers(case):
    return list(User.objects.filter(pk__in=CaseAssignment.objects.filter(case=case, ended_at__isnull=True)
                                    .values("user_id")))
