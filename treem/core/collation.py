"""Vietnamese collation: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, tones after letters (ngang,
huyền, hỏi, ngã, sắc, nặng), case last. `vi_key` is the Python sort key; `ViOrder(field)` orders a query the same way:
PostgreSQL's ICU collation `vi-x-icu`, and on SQLite a collation `vi` that treem registers on every connection with
`vi_key`. Units sort by their proper name, without the kind in front (`unit_key`): Tỉnh An Giang before Thành phố
Cần Thơ before Tỉnh Lai Châu."""

import unicodedata
from functools import lru_cache

from django.db.models.functions import Collate

ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()  # noqa: SIM905
_LETTER_RANK = {letter: 100 + i for i, letter in enumerate(ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư): part of the letter


@lru_cache(maxsize=65536)
def vi_key(text: str) -> tuple:
    """Sort key: letters in Vietnamese order, then tones, then case. Spaces sort first, so "An" < "Anh"."""
    letters, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", " ".join(str(text or "").split())):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS)).lower()
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        if letter in _LETTER_RANK:
            rank = _LETTER_RANK[letter]
        elif letter.isspace():
            rank = 0
        elif letter.isdigit():
            rank = 10 + int(letter) if letter.isascii() else 20
        else:
            rank = 30 + min(ord(letter), 69) if not letter.isalpha() else 200 + ord(letter)
        letters.append(rank)
        tones.append(tone)
        cases.append(0 if char == char.lower() else 1)
    return tuple(letters), tuple(tones), tuple(cases)


# Kinds of unit written before a unit's name, longest first ("Thành phố" is also the start of "Thành phố Cần Thơ",
# whose kind is "thành phố trung ương").
UNIT_KINDS = sorted(["tỉnh", "thành phố", "xã", "phường", "đặc khu", "thị trấn", "thị xã", "huyện", "quận"],
                    key=len, reverse=True)


def proper_name(name: str, kind: str = "") -> str:
    """"Thành phố Cần Thơ" -> "Cần Thơ": what a unit sorts by (Unit.sort_name)."""
    name = name or ""
    lowered = name.lower()
    for prefix in [(kind or "").strip().lower(), *UNIT_KINDS]:
        if prefix and lowered.startswith(prefix + " "):
            return name[len(prefix) + 1:]
    return name


def unit_key(unit) -> tuple:
    """Order units by their proper name: "Thành phố Cần Thơ" sorts under C, "Phường Đại Thành" under Đ."""
    return vi_key(proper_name(unit.name, unit.kind)), vi_key(unit.name or "")


def sort_units(units) -> list:
    return sorted(units, key=unit_key)


def sqlite_compare(a: str, b: str) -> int:
    ka, kb = vi_key(a), vi_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite learns the `vi` collation that `ViOrder` names."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation("vi", sqlite_compare)


def unit_order(path: str = "") -> list:
    """order_by(*unit_order()) for units (or `unit_order("commune__")` through a relation): the same as `unit_key`."""
    return [ViOrder(f"{path}sort_name"), ViOrder(f"{path}name"), f"{path}code"]


class ViOrder(Collate):
    """`order_by(ViOrder("name"))`: Vietnamese order on PostgreSQL (ICU) and on SQLite (treem's `vi`)."""

    def __init__(self, expression):
        super().__init__(expression, "vi")

    def as_postgresql(self, compiler, connection, **extra_context):
        extra_context["collation"] = connection.ops.quote_name("vi-x-icu")
        return self.as_sql(compiler, connection, **extra_context)
