"""Who is a child, and the age bands every list and statistic uses: one definition, cited by all.

Law on Children 102/2016/QH13, art. 1: a child is a person under 16. The register, the quality checks, the daily
"turned 16" check and the retention rules all read CHILD_AGE_LIMIT from here.
"""

from datetime import date, timedelta

CHILD_AGE_LIMIT = 16  # Law on Children 2016, art. 1: a child is a person under 16

# The one age-band scheme (completed years), for the register's filter and the case statistics alike. Its bands
# nest in the 0-5 / 6-10 / 11-15 grouping of the child statistics (0-2 and 3-5 add up to 0-5).
AGE_BANDS = (("0-2", 0, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11-15", 11, CHILD_AGE_LIMIT - 1))
AGE_BAND_LABELS = tuple(label for label, _, _ in AGE_BANDS)
OVER_LIMIT_BAND = f"{CHILD_AGE_LIMIT}+"  # a person no longer a child on the day (a statistic still counts them)


def age_on(birth: date, day: date) -> int:
    """Completed years of age on a given day."""
    before_birthday = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - int(before_birthday)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band(birth: date, on: date) -> str:
    """The band of a person born on `birth`, on the day `on`: "3-5", or "16+" past the limit, "?" before birth."""
    age = age_on(birth, on)
    if age >= CHILD_AGE_LIMIT:
        return OVER_LIMIT_BAND
    return next((label for label, low, high in AGE_BANDS if low <= age <= high), "?")


def age_band_bounds(band: str, today: date) -> tuple[date, date] | None:
    """(earliest, latest) birth dates of the children in the band today; None for a label not in the scheme."""
    bounds = next(((low, high) for label, low, high in AGE_BANDS if label == band), None)
    if bounds is None:
        return None
    low, high = bounds
    return years_before(today, high + 1) + timedelta(days=1), years_before(today, low)
