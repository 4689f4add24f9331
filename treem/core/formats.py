"""Vietnamese display formats: dd/mm/yyyy dates and the decimal comma (71,3%).

The one place where numbers are written and read the Vietnamese way: `format_number` / `format_percent` write them,
`parse_decimal_vi` reads them back (templates: `vi_number`, `vi_percent`; documents: `treem.reports.official`
re-exports the same functions).
"""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils import timezone


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def format_number(value: float | int | Decimal | None, digits: int = 1, grouping: bool = True,
                  trim: bool = False) -> str:
    """1234.5 -> '1.234,5': dots between thousands, decimal comma; None -> ''.

    Rounds half up (as taught and used in Vietnamese statistics), on the decimal value as written: a float is read
    through its shortest repr, so 71.25 gives "71,3", not the "71,2" binary rounding would give. `trim` drops the
    trailing zeros of the fraction ("97,2000" -> "97,2", "12,00" -> "12"), for values shown as they were entered.
    """
    if value is None:
        return ""
    with localcontext() as context:
        context.prec = 100  # the default 28 digits would make quantize fail on very large values
        rounded = _to_decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    if trim:
        fraction = fraction.rstrip("0")
    if grouping:
        integer = _group_thousands(integer)
    sign = "-" if rounded < 0 else ""
    return sign + integer + ("," + fraction if fraction else "")


def format_percent(value: float | int | Decimal | None, digits: int = 1) -> str:
    """Value in percent: 71.3 -> "71,3%" (no space before the sign, as Vietnamese documents write it).
    For a ratio such as 77/108, pass 100 * 77 / 108."""
    return "" if value is None else f"{format_number(value, digits)}%"


# A number as people type it: an optional sign, then either Vietnamese thousands groups (a head of 1-3 digits not
# starting with 0, then ".ddd" groups) with an optional ",fraction", or plain digits with an optional ",fraction" or
# ".fraction". ASCII digits only: Python's \d would also take Arabic-Indic and full-width digits.
_GROUPED = r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?"
_PLAIN = r"[0-9]+(?:[.,][0-9]+)?"
_DECIMAL_VI = re.compile(rf"([+-]?)({_GROUPED}|{_PLAIN})")
_SPACES = str.maketrans("", "", " \u00a0\u2009\u202f")


def parse_decimal_vi(text: str) -> Decimal:
    """Read a number written the Vietnamese way: the inverse of `format_number` (a trailing % is ignored).

    The rules, for the ambiguous cases:
    - a comma is the decimal separator: "71,3" -> 71.3;
    - a dot followed by groups of exactly three digits, after a head of 1-3 digits not starting with 0, separates
      thousands: "1.200" -> 1200, "12.345.678" -> 12345678, "1.200,5" -> 1200.5 (Vietnamese wins over English: "1.200"
      is never 1.2);
    - any other single dot is a decimal point typed on an English keyboard: "71.3" -> 71.3, "0.050" -> 0.05,
      "1.2345" -> 1.2345;
    - everything else is refused with ValueError: "1,2,3", "1.234.5", "1,234.5" (English grouping), ",5", "1..2", "".
    Spaces (also non-breaking and thin) are ignored.
    """
    cleaned = str(text).strip().removesuffix("%").translate(_SPACES)
    match = _DECIMAL_VI.fullmatch(cleaned)
    if not match:
        raise ValueError(f"not a Vietnamese number: {text!r}")
    sign, number = match.groups()
    if "," in number or re.fullmatch(_GROUPED, number):
        number = number.replace(".", "").replace(",", ".")
    return Decimal(sign + number)


def _to_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif not isinstance(value, Decimal):
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"cannot format {value}")
    return value


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)
