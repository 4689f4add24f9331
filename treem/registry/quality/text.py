"""Vietnamese text helpers: search folding, name and phone normalisation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from treem.core.text import clean, fold  # the one folding and cleaning; fold re-exported for the quality helpers

__all__ = ["clean_text", "fold", "normalize_name", "normalize_phone", "split_name"]


def clean_text(value: object) -> str:
    """NFC, trimmed, inner whitespace collapsed, invisible characters removed (treem.core.text.clean). None gives ""."""
    return clean(value)


def _single(c: str, converted: str) -> str:
    # Some characters change length when cased (ß -> SS); keeping them unchanged keeps
    # normalize_name idempotent.
    return converted if len(converted) == 1 else c


@lru_cache(maxsize=65536)  # names are a few thousand words, repeated across a whole import
def _title_word(word: str) -> str:
    out = []
    start_of_part = True
    for c in word:
        out.append(_single(c, c.upper()) if start_of_part else _single(c, c.lower()))
        # A capital follows a hyphen or an apostrophe: "H'Hen", "Khơ-Me" style names.
        start_of_part = c in "-'’"
    return "".join(out)


def normalize_name(s: object) -> str:
    """Person name in Vietnamese title case: "nguyễn  văn ĐỨC" -> "Nguyễn Văn Đức"."""
    words = clean_text(s).split(" ")
    titled = " ".join(_title_word(w) for w in words if w)
    return unicodedata.normalize("NFC", titled)


def split_name(full_name: object) -> tuple[str, str, str]:
    """(surname, middle names, given name) of a Vietnamese name in its usual order.

    "Nguyễn Văn Đức" -> ("Nguyễn", "Văn", "Đức"); one word is a given name only.
    """
    words = clean_text(full_name).split(" ")
    words = [w for w in words if w]
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


# Mobile numbers since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x, ten digits.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
# Fixed lines since 2017: 02 + area code, eleven digits in all.
_LANDLINE = re.compile(r"^02\d{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")


def _phone_digits(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    return _PHONE_SEPARATORS.sub("", text)


def normalize_phone(value: object) -> tuple[str | None, str | None]:
    """A Vietnamese phone number as "0xxxxxxxxx".

    Returns (value, error): (None, None) for an empty cell, (normalised, None) when valid,
    (the input as text, Vietnamese message) when not.
    """
    original = clean_text(value)
    digits = _phone_digits(value)
    if not digits:
        return None, None
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif (len(digits) == 9 and digits[0] in "35789") or (len(digits) == 10 and digits[0] == "2"):
        # A spreadsheet that stored the number as a number dropped the leading zero.
        digits = "0" + digits
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits, None
    return original, (
        f"số điện thoại '{original}' không hợp lệ: số di động cần 10 chữ số, "
        "bắt đầu bằng 03, 05, 07, 08 hoặc 09 (có thể viết +84)"
    )
