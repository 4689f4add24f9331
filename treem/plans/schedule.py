"""When a task is due: deadlines are data (a date, every year before a day/month, or within a month of a year).

Pure functions over plain values, so that the rules can be read and tested without a database.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

NONE, DATE, YEARLY, MONTH = "none", "date", "yearly", "month"
APPROACHING_DAYS = 14  # a task due within two weeks is "approaching"


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _on(year: int, month: int, day: int | None) -> date:
    return date(year, month, min(day or _last_day(year, month), _last_day(year, month)))


@dataclass(frozen=True)
class Schedule:
    kind: str = NONE
    due_date: date | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None

    @classmethod
    def of(cls, task) -> "Schedule":
        return cls(task.schedule_kind, task.due_date, task.due_day, task.due_month, task.due_year)

    def due_in(self, year: int) -> date | None:
        """The deadline of the cycle of `year` (yearly), or the one deadline (date, month)."""
        if self.kind == DATE:
            return self.due_date
        if self.kind == MONTH and self.month:
            return _on(self.year or year, self.month, None)
        if self.kind == YEARLY and self.month:
            return _on(year, self.month, self.day)
        return None

    def next_due(self, today: date, done_years: frozenset[int] | set[int] = frozenset()) -> date | None:
        """The deadline that matters today: for a yearly task, this year's unless this year's work is reported,
        then next year's."""
        if self.kind != YEARLY:
            return self.due_in(today.year)
        due = self.due_in(today.year)
        if due is not None and today.year in done_years:
            return self.due_in(today.year + 1)
        return due

    def describe(self) -> str:
        """dd/mm/yyyy-style description used in lists (translated labels are added by the templates)."""
        if self.kind == DATE and self.due_date:
            return f"{self.due_date:%d/%m/%Y}"
        if self.kind == YEARLY and self.month:
            return f"{self.day:02d}/{self.month:02d}" if self.day else f"{self.month:02d}"
        if self.kind == MONTH and self.month:
            return f"{self.month:02d}/{self.year}" if self.year else f"{self.month:02d}"
        return ""


OK, APPROACHING, OVERDUE, FINISHED, NO_DEADLINE = "ok", "approaching", "overdue", "finished", "no_deadline"


def state(
    schedule: Schedule, *, today: date, finished: bool, done_years=frozenset(), window: int = APPROACHING_DAYS
) -> tuple[str, date | None]:
    """(state, the deadline that matters) for a task: finished, overdue, approaching, ok or no deadline."""
    if finished and schedule.kind != YEARLY:
        return FINISHED, schedule.next_due(today, done_years)
    due = schedule.next_due(today, done_years)
    if due is None:
        return (FINISHED if finished else NO_DEADLINE), None
    if finished:
        return FINISHED, due
    if due < today:
        return OVERDUE, due
    if due <= today + timedelta(days=window):
        return APPROACHING, due
    return OK, due
