"""One age limit (Law on Children art. 1) and one age-band scheme, used by the register, the quality checks, the case
statistics and the retention rules."""

import re
from datetime import date
from pathlib import Path

import pytest

import treem
from treem.core import ages
from treem.core.ages import AGE_BAND_LABELS, CHILD_AGE_LIMIT, age_band, age_band_bounds, age_on


def test_callers_share_the_one_limit_and_scheme():
    from treem.cases import selectors as case_selectors
    from treem.privacy import retention
    from treem.registry import selectors as registry_selectors
    from treem.registry import services as registry_services
    from treem.registry.quality import dates, findings, rows

    assert CHILD_AGE_LIMIT == 16
    for module in (rows, findings, registry_services, retention):
        assert module.CHILD_AGE_LIMIT is ages.CHILD_AGE_LIMIT, module.__name__
    assert dates.age_on is age_on
    assert registry_selectors.AGE_BANDS is AGE_BAND_LABELS
    assert registry_selectors.age_band_bounds is age_band_bounds
    assert case_selectors.age_band is age_band
    assert not hasattr(case_selectors, "AGE_GROUPS") and not hasattr(retention, "AGE_OF_CHILD")


_SECOND_LIMIT = re.compile(r"^\s*[A-Z_]*AGE[A-Z_]*\s*=\s*16\b|\b16\s*\*\s*365\b", re.MULTILINE)
_SECOND_BANDS = re.compile(r"\(\s*0\s*,\s*5\s*,\s*\"0-5\"|\"0-2\"\s*,\s*\"3-5\"")


def test_no_second_definition_in_the_code():
    """A new `SOMETHING_AGE = 16` or a band list written again elsewhere fails here: import treem.core.ages."""
    root = Path(treem.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if path.name == "ages.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if _SECOND_LIMIT.search(text) or _SECOND_BANDS.search(text):
            found.append(str(path.relative_to(root)))
    assert found == []


@pytest.mark.parametrize(
    ("birth", "on", "band"),
    [
        (date(2023, 3, 5), date(2026, 3, 4), "0-2"),  # the day before the third birthday
        (date(2023, 3, 5), date(2026, 3, 5), "3-5"),
        (date(2020, 1, 1), date(2026, 6, 1), "6-10"),
        (date(2011, 1, 1), date(2026, 6, 1), "11-15"),
        (date(2010, 6, 1), date(2026, 6, 1), "16+"),  # the sixteenth birthday: no longer a child
        (date(2026, 7, 1), date(2026, 6, 1), "?"),
    ],
)
def test_age_band(birth, on, band):
    assert age_band(birth, on) == band


def test_bands_cover_every_child_age_once_and_bounds_match():
    today = date(2026, 2, 28)
    for age in range(CHILD_AGE_LIMIT):
        labels = [label for label, low, high in ages.AGE_BANDS if low <= age <= high]
        assert len(labels) == 1, age
        earliest, latest = age_band_bounds(labels[0], today)
        for birth in (earliest, latest):
            assert age_band(birth, today) == labels[0]
    assert age_band_bounds("1-99", today) is None
