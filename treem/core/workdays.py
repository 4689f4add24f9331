"""Working-day calendar for statutory case clocks (pure Python, no Django).

Decree 56/2017 counts some case deadlines in hours (emergency protection within 12 hours) and others in working days
(support plan within 5 working days, approval within 2). A working day is Monday to Friday, unless it is a public
holiday or a day off granted by the government, plus any Saturday/Sunday the government declares a make-up working day
(ngày làm bù).

Counting rule (follows the Civil Code 2015, arts. 147-148, for periods counted in days):

* the day on which the information is received does not count, whatever the hour;
* a period of n working days ends at the end of the n-th working day after that day, i.e. 23:59:59 local time
  (Asia/Ho_Chi_Minh);
* a period of n calendar days likewise ends at 23:59:59 of the n-th day after the day of receipt; it is *not* pushed
  past a weekend or holiday, because the calendar-day periods in the case rules (e.g. at most 15 days of temporary
  separation) are limits on a measure, not time allowed for an action;
* a period in hours is plain elapsed time from the moment of receipt: nights, weekends and holidays count.

All datetimes must be timezone-aware; the day of receipt is the local (Vietnam) date of the instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59)

Unit = Literal["hours", "working_days", "calendar_days"]

# Longest run of consecutive non-working days we accept before deciding the calendar data is broken (Tết with the
# surrounding weekends is 9-10 days; a year of holidays would mean a data error, not a real closure).
_MAX_NON_WORKING_RUN = 366


class Calendar:
    """Which days are working days.

    `holidays` maps a date to its name (weekend dates may appear; they are non-working anyway).
    `extra_working_days` are weekend dates declared make-up working days. If a date is in both, the holiday wins:
    that is a data conflict, and treating the day as a day off can only lengthen a deadline, never make one pass
    on a day nobody is at work.
    """

    def __init__(self, holidays: Mapping[date, str] | None = None, extra_working_days: Iterable[date] = ()):
        self.holidays: dict[date, str] = dict(holidays or {})
        self.extra_working_days: frozenset[date] = frozenset(extra_working_days)

    def __repr__(self) -> str:
        return f"Calendar({len(self.holidays)} holidays, {len(self.extra_working_days)} make-up working days)"

    # -- days -----------------------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        d = _local_date(d)
        if d in self.holidays:
            return False
        if d in self.extra_working_days:
            return True
        return d.weekday() < 5  # Monday=0 .. Friday=4

    def holiday_name(self, d: date) -> str | None:
        return self.holidays.get(_local_date(d))

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d = _local_date(d)
        for _ in range(_MAX_NON_WORKING_RUN):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_NON_WORKING_RUN} days after {d}: check the holiday data")

    def add_working_days(self, start: date | datetime, n: int) -> date | datetime:
        """End of the n-th working day after the day of `start` (the start day itself never counts).

        A date gives a date (the deadline day). An aware datetime gives 23:59:59 Vietnam time of that day, as an
        aware datetime in Asia/Ho_Chi_Minh. n == 0 gives the end of the start day itself.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        day = _local_date(start)
        for _ in range(n):
            day = self.next_working_day(day)
        return _end_of_day(day) if isinstance(start, datetime) else day

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days in the half-open span (day of a, day of b]: the inverse of add_working_days.

        So working_days_between(d, add_working_days(d, n)) == n. Negative when b is before a.
        """
        start, end = _local_date(a), _local_date(b)
        if end < start:
            return -self.working_days_between(b, a)
        return sum(1 for k in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=k)))

    # -- instants -------------------------------------------------------------------------------------------

    @staticmethod
    def add_hours(start: datetime, hours: float) -> datetime:
        """Elapsed (calendar) hours. Computed in UTC so that it stays right in zones with daylight saving, and
        returned in the tzinfo of `start`."""
        _require_aware(start)
        return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)

    @staticmethod
    def add_calendar_days(start: date | datetime, n: int) -> date | datetime:
        """End of the n-th calendar day after the day of `start`; a date gives a date. No weekend/holiday shift."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = _local_date(start) + timedelta(days=n)
        return _end_of_day(day) if isinstance(start, datetime) else day


def due_at(start: datetime, amount: int, unit: Unit, calendar: Calendar) -> datetime:
    """Deadline of a statutory clock that starts at the aware instant `start`, as an aware UTC datetime.

    unit: "hours" (elapsed time), "working_days" or "calendar_days" (end of the last day, Vietnam time).
    """
    _require_aware(start)
    if unit == "hours":
        deadline = calendar.add_hours(start, amount)
    elif unit == "working_days":
        deadline = calendar.add_working_days(start, amount)
    elif unit == "calendar_days":
        deadline = calendar.add_calendar_days(start, amount)
    else:
        raise ValueError(f"unknown unit {unit!r}; expected 'hours', 'working_days' or 'calendar_days'")
    return deadline.astimezone(UTC)


# -- Vietnamese public holidays from the `holidays` package ---------------------------------------------------------


def vietnam_holidays(years: int | Iterable[int]) -> dict[date, str]:
    """Public holidays and official days off in Vietnam for `years`, with Vietnamese names.

    Source: the `holidays` package (Labour Code 2019 art. 112 rules, including the 5 days of Tết moved off
    weekends, the adjacent National Day, observed days, and the day swaps it has recorded from government
    decisions). This is seed data: the Django side copies it into an editable Holiday table, where officials add
    decisions the package does not know yet. Weekend dates may be included (e.g. a Tết day falling on Saturday).
    """
    return dict(sorted(_vn_holidays(years).items()))


def vietnam_make_up_working_days(years: int | Iterable[int]) -> set[date]:
    """Weekend days that the government made working days in exchange for a day off (ngày làm bù), as far as the
    `holidays` package records them. A swap decided in one year may place the make-up day in the next year."""
    return set(_vn_holidays(years).weekend_workdays)


def vietnam_calendar(years: int | Iterable[int]) -> Calendar:
    """Calendar built from the package data alone (tests, and before the Holiday table is filled)."""
    years = _years(years)
    return Calendar(vietnam_holidays(years), vietnam_make_up_working_days(years))


def _vn_holidays(years: int | Iterable[int]):
    import holidays  # imported here: only this data source needs the package

    return holidays.country_holidays("VN", years=_years(years), language="vi")


def _years(years: int | Iterable[int]) -> list[int]:
    return [years] if isinstance(years, int) else sorted(set(years))


# -- helpers ---------------------------------------------------------------------------------------------------------


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")


def _local_date(value: date | datetime) -> date:
    """The Vietnam calendar day of an instant (a date stays as it is)."""
    if isinstance(value, datetime):
        _require_aware(value)
        return value.astimezone(VN_TZ).date()
    return value


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=VN_TZ)
