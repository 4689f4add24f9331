"""Sex as recorded in the register: two codes, many spellings in spreadsheets."""

from __future__ import annotations

from .text import fold

MALE = "M"
FEMALE = "F"

LABELS = {MALE: "Nam", FEMALE: "Nữ"}

# Folded spellings seen in commune spreadsheets. Numeric codes: 1 is male in every
# convention in use; 0 (1/0 convention) and 2 (1/2 convention) are female.
_SPELLINGS = {
    MALE: {"nam", "m", "male", "trai", "be trai", "con trai", "1", "1.0"},
    FEMALE: {"nu", "f", "female", "gai", "be gai", "con gai", "0", "0.0", "2", "2.0"},
}
_LOOKUP = {spelling: code for code, spellings in _SPELLINGS.items() for spelling in spellings}


def parse_sex(value: object) -> str | None:
    """MALE, FEMALE, or None when the value is empty or not recognised."""
    if value is None or isinstance(value, bool):
        return None
    return _LOOKUP.get(fold(value))
