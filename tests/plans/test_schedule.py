"""Deadlines as data: a date, every year before a day/month, within a month of a year."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from treem.plans import schedule
from treem.plans.schedule import Schedule

YEARLY_10_11 = Schedule(kind="yearly", day=10, month=11)


def test_yearly_deadline_is_this_years_until_the_year_is_reported():
    today = date(2026, 11, 22)
    assert YEARLY_10_11.next_due(today) == date(2026, 11, 10)
    assert YEARLY_10_11.next_due(today, {2026}) == date(2027, 11, 10)
    assert schedule.state(YEARLY_10_11, today=today, finished=False) == (schedule.OVERDUE, date(2026, 11, 10))
    assert schedule.state(YEARLY_10_11, today=today, finished=False, done_years={2026}) == (
        schedule.OK, date(2027, 11, 10))


def test_within_a_month_means_by_its_last_day():
    november_2024 = Schedule(kind="month", month=11, year=2024)
    assert november_2024.due_in(2026) == date(2024, 11, 30)
    assert schedule.state(november_2024, today=date(2024, 11, 20), finished=False) == (
        schedule.APPROACHING, date(2024, 11, 30))
    assert schedule.state(november_2024, today=date(2026, 11, 22), finished=False)[0] == schedule.OVERDUE
    assert schedule.state(november_2024, today=date(2026, 11, 22), finished=True)[0] == schedule.FINISHED


def test_yearly_without_a_day_is_the_end_of_the_month_and_february_is_clamped():
    assert Schedule(kind="yearly", month=2).due_in(2024) == date(2024, 2, 29)
    assert Schedule(kind="yearly", month=2, day=30).due_in(2026) == date(2026, 2, 28)


def test_no_deadline():
    assert schedule.state(Schedule(), today=date(2026, 1, 1), finished=False) == (schedule.NO_DEADLINE, None)


@given(due=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       offset=st.integers(min_value=-400, max_value=400))
def test_a_dated_task_is_overdue_exactly_when_its_date_has_passed(due, offset):
    today = due + timedelta(days=offset)
    state, when = schedule.state(Schedule(kind="date", due_date=due), today=today, finished=False)
    assert when == due
    assert (state == schedule.OVERDUE) == (offset > 0)
    assert (state == schedule.APPROACHING) == (-schedule.APPROACHING_DAYS <= offset <= 0)


@given(month=st.integers(1, 12), day=st.integers(1, 31), year=st.integers(2000, 2099))
def test_a_yearly_deadline_always_falls_in_its_month(month, day, year):
    due = Schedule(kind="yearly", month=month, day=day).due_in(year)
    assert (due.year, due.month) == (year, month) and due.day <= day
