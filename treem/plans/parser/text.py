"""Low-level text helpers shared by the parser: folding, cleaning and finding Vietnamese numbers.

Two kinds of folding exist on purpose:

* ``fold`` is for comparing names (agencies, indicators): lowercase, no diacritics, đ -> d, spaces collapsed.
  Its output can be shorter than its input.
* ``fold_aligned`` keeps exactly one output character per input character, so that a regular expression written
  in plain ASCII ("giam con duoi") can be run on the folded text and the match offsets used to slice the original
  text. That is how every extracted value keeps its original wording and its line numbers.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that behave as spaces in documents converted from Word or PDF.
_SPACE_LIKE = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v\f"
# Characters that carry no text at all.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

_CLEAN_TABLE = str.maketrans(
    {
        **dict.fromkeys(_SPACE_LIKE, " "),
        **dict.fromkeys(_INVISIBLE),
        **dict.fromkeys(_DASHES, "-"),
        "\u2028": " ",
        "\u2029": " ",
    }
)

_NEEDS_CLEANING = re.compile("[" + _SPACE_LIKE + _INVISIBLE + _DASHES + "\u2028\u2029]")


def clean_spaces(text: str) -> str:
    """NFC, unify space-like characters and dashes, drop invisible ones, collapse runs of spaces."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _NEEDS_CLEANING.search(text):  # most lines have nothing to replace; translate() is slow on non-ASCII text
        text = text.translate(_CLEAN_TABLE)
    return " ".join(text.split(" ")).strip() if "  " in text else text.strip()


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_slowly(text: str) -> str:
    text = _strip_marks(text).replace("đ", "d").replace("Đ", "d").replace("ð", "d").replace("Ð", "d")
    # casefold can re-introduce combining marks (e.g. "İ"), hence the second pass.
    return _strip_marks(text.casefold())


# Folding works character by character, so each character's result is computed once and kept in a table that
# str.translate applies at C speed.
_FOLD_TABLE: dict[int, str] = {}
_ALIGNED_TABLE: dict[int, str] = {}
_KNOWN_CHARACTERS: set[str] = set()


def _extend_tables(text: str) -> None:
    for char in set(text) - _KNOWN_CHARACTERS:
        folded = _fold_slowly(char)
        _FOLD_TABLE[ord(char)] = folded
        if len(folded) == 1:
            _ALIGNED_TABLE[ord(char)] = folded
        else:  # ligatures and lone marks keep their place, whitespace stays a space: the length must not change
            _ALIGNED_TABLE[ord(char)] = " " if char.isspace() else char
        _KNOWN_CHARACTERS.add(char)


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ -> d), collapse whitespace. Idempotent.

    >>> fold("  Sở Lao động - Thương binh  và Xã hội ")
    'so lao dong - thuong binh va xa hoi'
    """
    _extend_tables(text)
    return " ".join(text.translate(_FOLD_TABLE).split())


def fold_aligned(text: str) -> str:
    """Fold character by character: ``len(fold_aligned(s)) == len(s)`` always."""
    _extend_tables(text)
    return text.translate(_ALIGNED_TABLE)


# --- Vietnamese numbers --------------------------------------------------------------------------------------------
# Vietnamese writes 97,2 for 97.2 and 1.234 for 1234. A dot followed by exactly three digits is a thousands
# separator; any other dot is read as a decimal point (documents typed on English keyboards: "97.2%").
# ASCII digits only: Python's \d would also take Arabic-Indic and full-width digits. This pattern finds numbers in
# running text; reading one is treem.core.formats.parse_decimal_vi (the same rules).
NUMBER_PATTERN = r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?(?![.,]?[0-9])|[0-9]+(?:[.,][0-9]+)?"


