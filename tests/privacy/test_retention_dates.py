"""The rule date arithmetic: the database's cut-off (latest trigger day) agrees with adding years to each record's
own day, 29 February included."""

from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from treem.privacy.models import RetentionRule, Subject, Trigger
from treem.privacy.retention import add_years, cutoff, due_on, latest_trigger

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
years = st.integers(min_value=0, max_value=40)


def test_turning_16_on_29_february():
    assert add_years(date(2012, 2, 29), 16) == date(2028, 2, 29)  # a leap year: the day itself
    assert add_years(date(2008, 2, 29), 16) == date(2024, 2, 29)
    assert add_years(date(2012, 2, 29), 15) == date(2027, 3, 1)  # a common year: the day after 28 February
    rule = RetentionRule(subject=Subject.CHILD, trigger=Trigger.TURNED_16, years=1)
    assert due_on(rule, date(2012, 2, 29)) == date(2029, 3, 1)


@given(start=days, today=days, n=years)
@example(start=date(2008, 2, 29), today=date(2026, 2, 28), n=18)
@example(start=date(2008, 2, 29), today=date(2026, 3, 1), n=18)
@example(start=date(2010, 2, 28), today=date(2028, 2, 29), n=18)
@example(start=date(2010, 3, 1), today=date(2028, 2, 29), n=18)
def test_the_cutoff_selects_exactly_the_records_that_are_due(start, today, n):
    assert (start <= latest_trigger(today, n)) == (add_years(start, n) <= today)


@given(birth=days, today=days, n=years)
@example(birth=date(2012, 2, 29), today=date(2038, 3, 1), n=10)
@example(birth=date(2012, 2, 29), today=date(2038, 2, 28), n=10)
@example(birth=date(2011, 3, 1), today=date(2036, 2, 29), n=9)
def test_a_child_rule_reaches_a_child_exactly_from_its_due_day(birth, today, n):
    rule = RetentionRule(subject=Subject.CHILD, trigger=Trigger.TURNED_16, years=n)
    assert (birth <= cutoff(rule, today)) == (due_on(rule, birth) <= today)


@given(start=days, n=years)
def test_adding_years_is_never_early_and_keeps_the_day(start, n):
    due = add_years(start, n)
    assert due.year == start.year + n and due >= start
    if (start.month, start.day) != (2, 29):
        assert (due.month, due.day) == (start.month, start.day)
    else:
        assert due in (date(due.year, 2, 29), date(due.year, 3, 1))
    assert add_years(start + timedelta(days=1), n) >= due  # monotone: a later day is never due earlier
