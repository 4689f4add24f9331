"""Filters for the data-quality pages: shares as Vietnamese percentages, match weights with a sign."""

from django import template

from treem.core.formats import format_number, format_percent

register = template.Library()


@register.filter
def share_percent(value, digits=1):
    """0.123 -> "12,3%"; None -> "—"."""
    if value is None or value == "":
        return "—"
    return format_percent(float(value) * 100, int(digits))


@register.filter
def weight(value):
    """A match weight with its sign and a decimal comma: +11,9 / -5,6."""
    if value is None:
        return ""
    text = format_number(abs(float(value)), 1)
    return ("+" if float(value) >= 0 else "−") + text


@register.filter
def at(mapping, key):
    """mapping[key] in a template ({{ row|at:'a' }})."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""
