from django import template

from treem.core.formats import format_date, format_number, format_percent

register = template.Library()


@register.filter
def vi_date(value):
    """dd/mm/yyyy (with hh:mm for a datetime, in Asia/Ho_Chi_Minh)."""
    return format_date(value)


@register.filter
def vi_number(value, digits=0):
    return format_number(value, int(digits))


@register.filter
def vi_percent(value, digits=1):
    return format_percent(value, int(digits))
