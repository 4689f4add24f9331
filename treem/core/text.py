"""Text folding for diacritics-insensitive search and matching: 'Nguyễn  Văn Đức' -> 'nguyen van duc'.

The one folding used for stored search columns (name_folded) and for matching; the plan parser keeps a table-driven
variant of its own that preserves character offsets (treem.plans.parser.text.fold_aligned).
"""

import unicodedata
from functools import lru_cache

# Đ/đ is a letter of its own, not D plus a combining mark, so NFD leaves it alone.
# Ð/ð (Icelandic eth) and Ɖ/ɖ are look-alikes that old keyboards and fonts produce instead of it.
_D_LOOKALIKES = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ɖ": "d", "Ɖ": "d"})


# Invisible characters that must not be stored in a name or a search: format characters (Cf: zero-width space and
# joiners, word joiner, BOM, soft hyphen, bidi controls), control characters (Cc) and lone surrogates (Cs).
_INVISIBLE = frozenset({"Cf", "Cc", "Cs"})


def clean(value: object) -> str:
    """Text as it should be stored and searched: invisible characters removed, any kind of space (NBSP, tab, line
    break, ideographic space, ...) made one plain space, NFC, trimmed. None gives ""."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not text.isprintable():  # the common case skips the character loop: printable text has none of these
        text = "".join(" " if c.isspace() or unicodedata.category(c)[0] == "Z" else c
                       for c in text if c.isspace() or unicodedata.category(c) not in _INVISIBLE)
        text = unicodedata.normalize("NFC", text)  # a removed character may have separated a letter and its mark
    return " ".join(text.split())


def _fold_once(s: str) -> str:
    s = s.lower().translate(_D_LOOKALIKES)
    decomposed = unicodedata.normalize("NFKD", s)
    # Control characters that are whitespace (tab, \x1c-\x1f) separate words, as they do in str.split().
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c)
                            and (c.isspace() or unicodedata.category(c) not in _INVISIBLE))
    return " ".join(without_marks.split())


def _fold_text(text: str) -> str:
    folded = _fold_once(text)
    # Lower-casing can itself produce marks (İ -> i + dot above) or new compatibility forms: repeat until stable.
    for _ in range(3):
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


# Names are a few thousand words repeated millions of times (an import folds every name and carer): fold each word
# once. Folding works letter by letter within a word, so a word's folding does not depend on its neighbours.
_fold_word = lru_cache(maxsize=65536)(_fold_text)


def fold(text: object) -> str:
    """Lower case, no diacritics, đ -> d, whitespace collapsed. None gives ""."""
    if text is None:
        return ""
    words = str(text).split()
    if len(words) == 1:
        return _fold_word(words[0])
    # A word may fold to nothing or to several words (a lone combining mark, a compatibility form): join, then split.
    return " ".join(" ".join(_fold_word(word) for word in words).split())
