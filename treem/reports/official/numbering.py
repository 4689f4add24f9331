"""Vietnamese numbers and dates as official documents write them (decimal comma, "ngày 05 tháng 01 năm 2026"), and
the yearly document numbering of an issuing body ("05/BC-UBND")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from treem.core.formats import format_number, format_percent

# -- Vietnamese numbers and dates ---------------------------------------------------------------------------------


# One formatter and one parser of Vietnamese numbers, in treem.core.formats; the names documents have always used
# are the same objects.
format_decimal_vi = format_number
format_percent_vi = format_percent


def format_date_vi_long(d: date) -> str:
    """Long Vietnamese date: "ngày 05 tháng 01 năm 2026".

    Decree 30, Appendix I: a day below 10 and the months 1 and 2 take a leading zero (so that "1" cannot be turned into
    "11" or "12" by hand); March to September do not: "ngày 15 tháng 3 năm 2026".
    """
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


# -- numbering ----------------------------------------------------------------------------------------------------

_SERIAL = re.compile(r"^\s*(?:Số\s*:?\s*)?(\d+)\s*/")


def format_document_number(serial: int, kind_code: str = "BC", body_code: str = "UBND") -> str:
    """5 -> "05/BC-UBND": two digits at least (Decree 30 writes numbers below 10 with a leading zero)."""
    return f"{serial:02d}/{kind_code}-{body_code}"


def next_document_number(
    existing_numbers_this_year: Iterable[str], kind_code: str = "BC", body_code: str = "UBND"
) -> str:
    """The next number of the issuing body's register for the current year: highest serial + 1, "01" when none.

    Pass the numbers of one register sequence for one year, which is what makes the count restart at 01 each
    year. Decree 30 numbers administrative documents in one yearly sequence per issuing body (the office register),
    so the serials are taken from every number given, whatever its kind code; an office that keeps a separate
    sequence per kind passes only that kind's numbers. Entries that do not start with "<digits>/" are ignored.
    """
    serials = [int(m.group(1)) for text in existing_numbers_this_year if (m := _SERIAL.match(text))]
    return format_document_number(max(serials, default=0) + 1, kind_code, body_code)


def next_document_number_on(
    issued: Iterable[tuple[date, str]], on: date, kind_code: str = "BC", body_code: str = "UBND"
) -> str:
    """next_document_number for a document dated `on`, given (date, number) pairs of every year."""
    return next_document_number([number for day, number in issued if day.year == on.year], kind_code, body_code)


