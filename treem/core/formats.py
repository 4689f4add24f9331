"""Vietnamese display formats: dd/mm/yyyy dates and the decimal comma (71,3%)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def format_number(value: float | int | Decimal | None, digits: int = 1) -> str:
    """1234.5 -> '1.234,5' (Vietnamese grouping with dots, decimal comma)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}" if digits else f"{value:,.0f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_percent(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{format_number(value, digits)}%"
