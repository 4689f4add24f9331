from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treem.registry.quality.dates import age_on, format_date, from_excel_serial, parse_date

dates = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31))

FORMATS = [
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"  {d.day:02d}/{d.month:02d}/{d.year} ",
    lambda d: datetime(d.year, d.month, d.day, 13, 45),
    lambda d: d,
    lambda d: (d - date(1899, 12, 30)).days,  # Excel serial number
    lambda d: (d - date(1899, 12, 30)).days + 0.5,  # serial with a time of day
]


@given(dates, st.sampled_from(range(len(FORMATS))))
def test_round_trip_in_every_accepted_format(day, which):
    assert parse_date(FORMATS[which](day)) == day


@given(dates)
def test_day_first_is_never_read_month_first(day):
    # 05/03/2015 is 5 March; if the string is month-first instead, it is either the same date
    # (day == month) or rejected/another valid day-first date, never silently swapped when invalid.
    text = f"{day.month:02d}/{day.day:02d}/{day.year}"
    if day.day > 12:
        with pytest.raises(ValueError):
            parse_date(text)
    else:
        assert parse_date(text) == date(day.year, day.day, day.month)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25/12/2015", date(2015, 12, 25)),
        ("5/3/2015", date(2015, 3, 5)),
        ("2015-03-05", date(2015, 3, 5)),
        ("2015-03-05 00:00:00", date(2015, 3, 5)),
        ("ngày 5 tháng 3 năm 2015", date(2015, 3, 5)),
        (45000, date(2023, 3, 15)),
        (42005.0, date(2015, 1, 1)),
    ],
)
def test_examples(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("12/25/2015", "không tồn tại"),
        ("31/02/2015", "không tồn tại"),
        ("25/12/15", "4 chữ số"),
        ("hôm qua", "không đọc được"),
        ("25/12-2015", "không đọc được"),  # mixed separators
        ("", "thiếu ngày"),
        (None, "thiếu ngày"),
        (True, "thiếu ngày"),
        (-5, "không phải là một ngày"),
        (float("nan"), "không phải là một ngày"),
    ],
)
def test_errors_are_in_vietnamese(value, words):
    with pytest.raises(ValueError, match=words):
        parse_date(value)


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none()))
def test_only_value_errors(value):
    try:
        result = parse_date(value)
    except ValueError:
        return
    assert isinstance(result, date)


def test_excel_serial_around_the_1900_leap_year_bug():
    assert from_excel_serial(1) == date(1900, 1, 1)
    assert from_excel_serial(59) == date(1900, 2, 28)
    assert from_excel_serial(61) == date(1900, 3, 1)


def test_age_and_format():
    assert age_on(date(2009, 6, 2), date(2025, 6, 1)) == 15
    assert age_on(date(2009, 6, 1), date(2025, 6, 1)) == 16
    assert format_date(date(2015, 3, 5)) == "05/03/2015"
