"""Birth dates as they come out of commune spreadsheets.

Vietnam writes dates day first. A value is read as day/month/year or as ISO year-month-day,
never as month/day: 05/13/2015 is an error, not 13 May.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from treem.core.ages import age_on  # noqa: F401 (the one age_on; the quality checks import it from here)

from .text import clean_text, fold

# Excel's 1900 date system counts from 1899-12-31 as day 1 and wrongly includes 29/02/1900 (day 60),
# so from day 61 on the epoch is effectively 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 31/12/9999

_DAY_FIRST = re.compile(r"^(\d{1,2})([/\-.])(\d{1,2})\2(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORDS = re.compile(r"^ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2}$")
# A cell formatted as text (or a CSV) keeps an Excel date as its serial number: "42500" or "42500.0".
_SERIAL_TEXT = re.compile(r"^([0-9]{5})(?:\.0+)?$")
_YEAR_TEXT = re.compile(r"^([0-9]{4})(?:\.0+)?$")

EXAMPLE = "ví dụ 25/12/2015"
_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def format_date(d: date) -> str:
    """dd/mm/yyyy, the form Vietnamese users read."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _build(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        # 12/25/2015 was probably typed month first; say so rather than guess.
        hint = " (ngày phải đứng trước tháng)" if 1 <= day <= 12 and 13 <= month <= 31 else ""
        raise ValueError(f"ngày '{shown}' không tồn tại{hint}") from None


def from_excel_serial(serial: float) -> date:
    """Date of an Excel serial number in the 1900 date system (time of day dropped)."""
    if not math.isfinite(serial):
        raise ValueError(f"số {serial!r} không phải là một ngày hợp lệ trong Excel")
    whole = int(serial)
    if whole < 1 or whole > _EXCEL_MAX_SERIAL:
        raise ValueError(f"số {serial!r} không phải là một ngày hợp lệ trong Excel")
    if whole < 61:
        return date(1899, 12, 31) + timedelta(days=whole)
    return _EXCEL_EPOCH + timedelta(days=whole)


def year_only_message(year: int) -> str:
    return f"chỉ có năm sinh {year}; cần ngày sinh đầy đủ (ngày/tháng/năm)"


def bare_year(value: object) -> int | None:
    """The year when a cell holds only a year (2015, 2015.0, "2015"), else None.

    A bare year would otherwise be read as an Excel day number in 1905."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, float):
        year = int(value) if value.is_integer() else None
    else:
        match = _YEAR_TEXT.match(clean_text(value)) if isinstance(value, str) else None
        year = int(match.group(1)) if match else None
    return year if year is not None and 1900 <= year <= 2100 else None


def excel_serial_text(value: object) -> date | None:
    """The date of text holding an Excel serial number ("42500", "42500.0"), else None.

    Only five digits whose date is plausible for a person's record (up to a year from today) are read so."""
    match = _SERIAL_TEXT.match(clean_text(value)) if isinstance(value, str) else None
    if not match:
        return None
    day = from_excel_serial(int(match.group(1)))
    return day if day <= datetime.now(_VIETNAM).date() + timedelta(days=366) else None


def _parse_text(text: str) -> date:
    if match := _DAY_FIRST.match(text):
        day, _, month, year = match.groups()
        return _build(int(year), int(month), int(day), text)
    if match := _ISO.match(text):
        year, month, day = match.groups()
        return _build(int(year), int(month), int(day), text)
    if match := _WORDS.match(fold(text)):
        day, month, year = match.groups()
        return _build(int(year), int(month), int(day), text)
    if (serial := excel_serial_text(text)) is not None:
        return serial
    if (year := bare_year(text)) is not None:
        raise ValueError(f"{year_only_message(year)}, {EXAMPLE}")
    if _TWO_DIGIT_YEAR.match(text):
        raise ValueError(f"ngày '{text}' có năm 2 chữ số: hãy ghi đủ 4 chữ số năm, {EXAMPLE}")
    raise ValueError(f"không đọc được ngày '{text}': hãy ghi theo dạng ngày/tháng/năm, {EXAMPLE}")


def parse_date(value: object) -> date:
    """A date from a cell: text, date/datetime object, or Excel serial number (also written as text, see
    excel_serial_text).

    Raises ValueError with a Vietnamese message.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError("thiếu ngày")
    if isinstance(value, int | float):
        return from_excel_serial(value)
    text = clean_text(value)
    if not text:
        raise ValueError("thiếu ngày")
    return _parse_text(text)


