"""Disaggregations: the dimensions an indicator can be broken down by, and the canonical key of a breakdown.

A key is "" for the total, else "dim=value;dim=value" with the dimensions sorted by name ("age=3-5;sex=F"). Values
are codes (sex M/F, age bands of treem.core.ages, an ethnic group as written on the register, a special-circumstance
group letter, a ConcernType), never labels: labels are rendered when shown.
"""

from django.utils.translation import gettext_lazy as _

from treem.core.ages import AGE_BAND_LABELS

DIMENSIONS = {
    "sex": _("sex"),
    "age": _("age group"),
    "ethnicity": _("ethnic group"),
    "group": _("special-circumstance group"),
    "abuse": _("type of abuse"),
}
AGE_VALUES = AGE_BAND_LABELS
SEPARATOR = ";"


class BadDisaggregation(ValueError):
    """A key that is not canonical (unknown dimension, repeated dimension, a value with '=' or ';')."""


def key(**parts: str) -> str:
    """The canonical key of a breakdown: key(sex="F", age="3-5") == "age=3-5;sex=F"; key() == "" (the total)."""
    items = []
    for dim in sorted(parts):
        value = parts[dim]
        if value is None or value == "":
            continue
        if dim not in DIMENSIONS:
            raise BadDisaggregation(f"unknown dimension {dim!r}")
        value = str(value)
        if "=" in value or SEPARATOR in value:
            raise BadDisaggregation(f"bad value {value!r} for {dim}")
        items.append(f"{dim}={value}")
    return SEPARATOR.join(items)


def parse(text: str) -> dict[str, str]:
    """The parts of a key; refuses a key that is not canonical (so a stored key always round-trips)."""
    if text == "":
        return {}
    parts = {}
    for item in text.split(SEPARATOR):
        dim, sep, value = item.partition("=")
        if not sep or not value or dim in parts:
            raise BadDisaggregation(f"bad disaggregation {text!r}")
        parts[dim] = value
    if key(**parts) != text:
        raise BadDisaggregation(f"bad disaggregation {text!r}")
    return parts
