"""The one Vietnamese number formatter and parser (treem.core.formats), and that every caller uses them."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.core.formats import format_number, format_percent, parse_decimal_vi

SETTINGS = settings(max_examples=200, deadline=None, database=None)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("71,3", Decimal("71.3")),  # comma: decimal separator
        ("1.200", Decimal("1200")),  # dot + exactly three digits: thousands, never 1.2
        ("1.200,5", Decimal("1200.5")),
        ("12.345.678", Decimal("12345678")),
        ("71.3", Decimal("71.3")),  # any other single dot: a decimal point typed on an English keyboard
        ("0.050", Decimal("0.050")),  # a head of 0 is not a thousands group
        ("1.2345", Decimal("1.2345")),
        (" 71,3% ", Decimal("71.3")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("-3", Decimal("-3")),
        ("+0,5", Decimal("0.5")),
    ],
)
def test_parse_decimal_vi_rules(text, value):
    assert parse_decimal_vi(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1..2", ",5", "1.234.5", "1,234.5", "1.23.456", "٣", "1e5"])
def test_parse_decimal_vi_refuses(text):
    with pytest.raises(ValueError, match="not a Vietnamese number"):
        parse_decimal_vi(text)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(71.25, 1, "71,3"), (2.5, 0, "3"), (1234567.5, 1, "1.234.567,5"), (-0.04, 1, "0,0"), (None, 1, "")],
)
def test_format_number_rounds_half_up(value, digits, expected):
    assert format_number(value, digits) == expected


def test_format_number_trim_and_percent():
    assert format_number(Decimal("97.2000"), 4, trim=True) == "97,2"
    assert format_number(Decimal("12.00"), 2, trim=True) == "12"
    assert format_number(1234.5, 1, grouping=False) == "1234,5"
    assert format_percent(100 * 77 / 108) == "71,3%"
    assert format_percent(None) == ""


@SETTINGS
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False), st.integers(0, 4),
       st.booleans())
def test_format_then_parse_gives_the_value_back(value, digits, grouping):
    text = format_number(value, digits, grouping=grouping)
    assert parse_decimal_vi(text) == value.quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")


@SETTINGS
@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False))
def test_trimmed_text_round_trips(value):
    """What a form shows back (trailing zeros dropped) reads as the same value, with or without grouping."""
    for grouping in (True, False):
        assert parse_decimal_vi(format_number(value, 3, grouping=grouping, trim=True)) == value


@SETTINGS
@given(st.integers(min_value=1000, max_value=10**12))
def test_a_grouped_integer_is_thousands_never_a_decimal(value):
    assert parse_decimal_vi(format_number(value, 0)) == value


def test_callers_use_the_one_formatter_and_parser():
    """The old second implementations are gone: the names other modules use are the same objects."""
    from treem.plans import forms as plans_forms
    from treem.plans.parser import targets, text
    from treem.registry import services as registry_services
    from treem.registry.quality import views as quality_views
    from treem.reports import official

    assert official.format_decimal_vi is format_number
    assert official.format_percent_vi is format_percent
    assert official.parse_decimal_vi is parse_decimal_vi
    assert plans_forms.parse_decimal_vi is parse_decimal_vi
    assert targets.parse_decimal_vi is parse_decimal_vi
    assert registry_services.parse_decimal_vi is parse_decimal_vi
    assert quality_views.parse_decimal_vi is parse_decimal_vi
    assert not hasattr(text, "parse_vn_number") and not hasattr(text, "format_vn_number")


def test_registry_measurement_reads_vietnamese_thousands():
    """Was Decimal("1.200".replace(",", ".")) = 1.2: a Vietnamese "1.200" is twelve hundred."""
    from django.core.exceptions import ValidationError

    from treem.registry.services import _decimal

    assert _decimal("85,5", "height_cm", Decimal(20), Decimal(250)) == Decimal("85.50")
    assert _decimal(85.5, "height_cm", Decimal(20), Decimal(250)) == Decimal("85.50")  # a JSON number as it is
    assert _decimal("1.200", "weight_g", Decimal(0), Decimal(5000)) == Decimal("1200.00")
    with pytest.raises(ValidationError):
        _decimal("1.234.5", "height_cm", Decimal(20), Decimal(250))
