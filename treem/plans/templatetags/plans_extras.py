"""Display helpers for plans: Vietnamese numbers (97,2%), target values with their direction, state badges."""

from decimal import Decimal

from django import template
from django.utils.translation import pgettext

from treem.access import Capability, scope_for
from treem.core.formats import format_number, format_percent
from treem.plans.models import SubmissionStatus

register = template.Library()

STATE_CLASSES = {
    "overdue": "text-bg-danger",
    "approaching": "text-bg-warning",
    "ok": "text-bg-light border",
    "finished": "text-bg-success",
    "no_deadline": "text-bg-light border",
}
STATUS_CLASSES = {
    "missing": "text-bg-danger",
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "accepted": "text-bg-success",
}


@register.filter
def vi_decimal(value) -> str:
    """Decimal('97.2000') -> '97,2'; 1234 -> '1.234'."""
    if value is None or value == "":
        return ""
    return format_number(Decimal(str(value)), 4, trim=True)


@register.filter
def with_unit(value, unit) -> str:
    text = vi_decimal(value)
    if not text:
        return ""
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


@register.simple_tag
def target_value(value, unit) -> str:
    """'đạt 97,2%', 'dưới 12%'."""
    if value is None:
        return ""
    return f"{value.get_direction_display()} {with_unit(value.value, unit)}"


@register.filter
def state_class(state) -> str:
    return STATE_CLASSES.get(state, "text-bg-light")


@register.filter
def state_label(state) -> str:
    return {
        "overdue": pgettext("plans", "Overdue"),
        "approaching": pgettext("plans", "Due soon"),
        "ok": pgettext("plans", "On schedule"),
        "finished": pgettext("plans", "Finished"),
        "no_deadline": pgettext("plans", "No deadline"),
    }.get(state, state)


@register.filter
def status_class(status) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def status_label(status) -> str:
    if status == "missing":
        return pgettext("plans", "Not submitted")
    return SubmissionStatus(status).label if status in SubmissionStatus.values else status


@register.simple_tag
def schedule_label(task) -> str:
    """'before 10/11 every year', 'by 15/12/2024', 'within 11/2024'."""
    kind = task.schedule_kind
    if kind == "date" and task.due_date:
        return pgettext("plans", "by %(d)s") % {"d": task.due_date.strftime("%d/%m/%Y")}
    if kind == "yearly" and task.due_month:
        when = (
            f"{task.due_day:02d}/{task.due_month:02d}"
            if task.due_day
            else pgettext("plans", "the end of %(m)s") % {"m": f"{task.due_month:02d}"}
        )
        return pgettext("plans", "every year before %(d)s") % {"d": when}
    if kind == "month" and task.due_month:
        return pgettext("plans", "within %(m)s") % {"m": f"{task.due_month:02d}/{task.due_year}"}
    return pgettext("plans", "no deadline")


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return format_percent(value, 1)


@register.inclusion_tag("plans/_subnav.html", takes_context=True)
def plans_nav(context, active=""):
    scope = scope_for(context["request"].user)
    return {
        "active": active,
        "can_edit": scope.has(Capability.EDIT_PLANS),
        "is_reporter": scope.has(Capability.REPORT_FOR_AGENCY),
    }
