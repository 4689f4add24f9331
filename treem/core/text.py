"""Text folding for diacritics-insensitive search and matching: 'Nguyễn  Văn Đức' -> 'nguyen van duc'.

The one folding used for stored search columns (name_folded) and for matching; the plan parser keeps a table-driven
variant of its own that preserves character offsets (treem.plans.parser.text.fold_aligned).
"""

import unicodedata

# Đ/đ is a letter of its own, not D plus a combining mark, so NFD leaves it alone.
# Ð/ð (Icelandic eth) and Ɖ/ɖ are look-alikes that old keyboards and fonts produce instead of it.
_D_LOOKALIKES = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ɖ": "d", "Ɖ": "d"})


def _fold_once(s: str) -> str:
    s = s.lower().translate(_D_LOOKALIKES)
    decomposed = unicodedata.normalize("NFKD", s)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_marks.split())


def fold(text: object) -> str:
    """Lower case, no diacritics, đ -> d, whitespace collapsed. None gives ""."""
    if text is None:
        return ""
    folded = _fold_once(str(text))
    # Lower-casing can itself produce marks (İ -> i + dot above) or new compatibility forms: repeat until stable.
    for _ in range(3):
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded
