"""The working-day calendar as configured in the database (CalendarDay), for treem.core.workdays."""

from django.db import transaction

from .models import CalendarDay, DayKind
from .workdays import Calendar, vietnam_holidays, vietnam_make_up_working_days


def current_calendar() -> Calendar:
    days = CalendarDay.objects.values_list("day", "kind", "name")
    return Calendar(
        holidays={d: name for d, kind, name in days if kind == DayKind.HOLIDAY},
        extra_working_days={d for d, kind, _ in days if kind == DayKind.WORKING},
    )


@transaction.atomic
def seed_calendar(years) -> int:
    """Add the holidays the `holidays` package knows for these years; days already in the table are left as edited."""
    existing = set(CalendarDay.objects.values_list("day", flat=True))
    rows = [CalendarDay(day=d, kind=DayKind.HOLIDAY, name=name, source="holidays package")
            for d, name in vietnam_holidays(years).items() if d not in existing]
    rows += [CalendarDay(day=d, kind=DayKind.WORKING, name="Ngày làm bù", source="holidays package")
             for d in vietnam_make_up_working_days(years) if d not in existing]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)
