"""Statutory case clocks: working days, calendar days and hours (treem.core.workdays)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.core.workdays import (
    VN_TZ,
    Calendar,
    due_at,
    vietnam_calendar,
    vietnam_holidays,
    vietnam_make_up_working_days,
)

VN_CAL = vietnam_calendar(range(2023, 2029))


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=VN_TZ)


# -- the data from the holidays package -------------------------------------------------------------------------------


def test_tet_2026_in_package_data():
    h = vietnam_holidays(2026)
    # Tết Nguyên đán 2026: 17 Feb is day 1 (mùng 1); civil servants are off Mon 16 - Fri 20 Feb.
    assert h[date(2026, 2, 17)] == "Tết Nguyên Đán"
    assert h[date(2026, 2, 16)] == "Giao thừa Tết Nguyên Đán"
    for day in range(16, 21):
        assert not VN_CAL.is_working_day(date(2026, 2, day))
    assert VN_CAL.is_working_day(date(2026, 2, 13))
    assert VN_CAL.is_working_day(date(2026, 2, 23))


def test_fixed_holidays_have_vietnamese_names():
    h = vietnam_holidays([2026])
    assert h[date(2026, 1, 1)] == "Tết Dương lịch"
    assert h[date(2026, 4, 30)] == "Ngày Chiến thắng"
    assert h[date(2026, 5, 1)] == "Ngày Quốc tế Lao động"
    assert h[date(2026, 9, 2)] == "Quốc khánh"
    assert list(h) == sorted(h)


def test_make_up_working_days_from_package():
    # 2025: 2 May off in exchange for working Saturday 26 April.
    assert date(2025, 4, 26) in vietnam_make_up_working_days(2025)
    assert VN_CAL.is_working_day(date(2025, 4, 26))
    assert not VN_CAL.is_working_day(date(2025, 5, 2))


# -- working days ----------------------------------------------------------------------------------------------------


def test_five_working_days_from_just_before_tet_2026_end_after_the_holiday():
    received = vn(2026, 2, 13, 16, 30)  # Friday afternoon, the last working day before Tết
    deadline = VN_CAL.add_working_days(received, 5)
    # 14-22 Feb is weekend + Tết + weekend; working days after: 23, 24, 25, 26, 27 Feb.
    assert deadline == end_of(date(2026, 2, 27))
    assert due_at(received, 5, "working_days", VN_CAL) == datetime(2026, 2, 27, 16, 59, 59, tzinfo=UTC)


def test_two_working_days_across_30_april_and_1_may():
    received = vn(2026, 4, 29, 9, 0)  # Wednesday; Thu 30/4 and Fri 1/5 are holidays
    assert VN_CAL.add_working_days(received, 2) == end_of(date(2026, 5, 5))
    assert VN_CAL.add_working_days(date(2026, 4, 29), 2) == date(2026, 5, 5)


def test_two_working_days_across_national_day():
    # 2026: Mon 31/8 (swapped for Sat 22/8), Tue 1/9 and Wed 2/9 are days off.
    received = vn(2026, 8, 28, 10, 0)  # Friday
    assert VN_CAL.add_working_days(received, 2) == end_of(date(2026, 9, 4))


def test_received_on_saturday_counts_from_monday():
    received = vn(2026, 3, 7, 10, 0)  # Saturday
    assert VN_CAL.add_working_days(received, 1) == end_of(date(2026, 3, 9))
    assert VN_CAL.add_working_days(received, 2) == end_of(date(2026, 3, 10))


def test_receipt_hour_does_not_matter_only_the_local_day():
    early = vn(2026, 3, 10, 0, 1)
    late = vn(2026, 3, 10, 23, 58)
    assert VN_CAL.add_working_days(early, 1) == VN_CAL.add_working_days(late, 1) == end_of(date(2026, 3, 11))
    # 18:00 UTC on 9 March is 01:00 on 10 March in Vietnam: the local day is what counts.
    assert VN_CAL.add_working_days(datetime(2026, 3, 9, 18, 0, tzinfo=UTC), 1) == end_of(date(2026, 3, 11))


def test_make_up_saturday_counts_as_working_day():
    saturday = date(2026, 3, 14)
    cal = Calendar({date(2026, 3, 16): "Ngày nghỉ (thay cho ngày 14/03/2026)"}, {saturday})
    assert cal.is_working_day(saturday)
    assert not cal.is_working_day(date(2026, 3, 16))
    # Received Friday 13/3: day 1 is the make-up Saturday, Monday is off, day 2 is Tuesday.
    assert cal.add_working_days(vn(2026, 3, 13, 15, 0), 1) == end_of(saturday)
    assert cal.add_working_days(date(2026, 3, 13), 2) == date(2026, 3, 17)


def test_make_up_saturday_from_package_data_counts():
    assert VN_CAL.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)  # Saturday, worked for Mon 31/8


def test_holiday_wins_over_make_up_day_on_conflict():
    d = date(2026, 3, 14)
    assert not Calendar({d: "x"}, {d}).is_working_day(d)


def test_zero_working_days_is_end_of_receipt_day_and_negative_is_refused():
    assert VN_CAL.add_working_days(vn(2026, 3, 7, 10, 0), 0) == end_of(date(2026, 3, 7))
    with pytest.raises(ValueError):
        VN_CAL.add_working_days(date(2026, 3, 7), -1)


def test_working_days_between():
    assert VN_CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert VN_CAL.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == -5
    assert VN_CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0


# -- hours and calendar days -----------------------------------------------------------------------------------------


def test_twelve_hours_across_midnight():
    received = vn(2026, 3, 10, 20, 0)
    assert VN_CAL.add_hours(received, 12) == vn(2026, 3, 11, 8, 0)
    deadline = due_at(received, 12, "hours", VN_CAL)
    assert deadline == datetime(2026, 3, 11, 1, 0, tzinfo=UTC)
    assert deadline.tzinfo is UTC


def test_hours_ignore_holidays():
    received = vn(2026, 2, 16, 22, 0)  # Tết eve
    assert due_at(received, 12, "hours", VN_CAL) == vn(2026, 2, 17, 10, 0)


def test_calendar_days_end_of_nth_day_without_shift():
    received = vn(2026, 2, 5, 11, 0)
    # 15 days of temporary separation: ends 20 Feb 23:59:59 even though that is a Tết day.
    assert due_at(received, 15, "calendar_days", VN_CAL) == end_of(date(2026, 2, 20)).astimezone(UTC)
    assert Calendar.add_calendar_days(date(2026, 2, 5), 15) == date(2026, 2, 20)


def test_naive_datetimes_and_unknown_units_are_refused():
    with pytest.raises(ValueError):
        due_at(datetime(2026, 3, 10, 8, 0), 12, "hours", VN_CAL)
    with pytest.raises(ValueError):
        VN_CAL.add_working_days(datetime(2026, 3, 10, 8, 0), 1)
    with pytest.raises(ValueError):
        due_at(vn(2026, 3, 10, 8, 0), 1, "weeks", VN_CAL)


# -- properties ------------------------------------------------------------------------------------------------------

days_2024_2027 = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 10, 31))


@st.composite
def random_calendars(draw):
    """Calendars with arbitrary holiday clusters (up to 3 weeks long) and make-up days."""
    base = date(2026, 1, 1)
    holidays = {}
    for start in draw(st.lists(st.integers(0, 400), max_size=15)):
        for k in range(draw(st.integers(1, 21))):
            holidays[base + timedelta(days=start + k)] = "nghỉ"
    extra = {base + timedelta(days=k) for k in draw(st.lists(st.integers(0, 400), max_size=10))}
    return Calendar(holidays, extra)


calendars = st.one_of(st.just(VN_CAL), random_calendars())
starts = st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 3, 1))


@settings(max_examples=200, deadline=None)
@given(calendars, starts, st.integers(1, 40))
def test_add_working_days_lands_on_a_working_day(cal, start, n):
    assert cal.is_working_day(cal.add_working_days(start, n))


@settings(max_examples=200, deadline=None)
@given(calendars, starts, st.integers(0, 40))
def test_add_working_days_is_strictly_monotonic(cal, start, n):
    assert cal.add_working_days(start, n) < cal.add_working_days(start, n + 1)


@settings(max_examples=200, deadline=None)
@given(calendars, starts, st.integers(0, 40))
def test_working_days_between_inverts_add_working_days(cal, start, n):
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@settings(max_examples=100, deadline=None)
@given(days_2024_2027, st.integers(0, 23), st.integers(1, 20))
def test_datetime_deadline_is_end_of_the_date_deadline(day, hour, n):
    received = vn(day.year, day.month, day.day, hour, 0)
    assert VN_CAL.add_working_days(received, n) == end_of(VN_CAL.add_working_days(day, n))
