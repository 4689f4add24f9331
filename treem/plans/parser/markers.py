"""List and heading markers at the start of a paragraph: "I.", "II-", "1.", "2.1.", "a)", "(1)", "-", "•", "+"."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: the more specific patterns first ("2.1." before "2.").
_MARKER_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # Roman headings are followed by a capital letter: "I. MỤC ĐÍCH", "II- Mục tiêu"; never "V/v".
    ("roman", re.compile(r"^(?P<label>[IVXL]{1,6})\s*[.\-:)]\s*(?=[^\W\d_])")),
    ("arabic_multi", re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)")),
    ("arabic", re.compile(r"^(?P<label>\d{1,3}(?=\s*\.)|\d{1,2}(?=\s*\)))\s*[.)]\s*(?=[^\W\d_]|[(\"“])")),
    ("paren", re.compile(r"^\((?P<label>\d{1,2}|[a-zđ]|[ivx]{1,4})\)\s*(?=\S)")),
    ("letter", re.compile(r"^(?P<label>[a-zđ])[.)]\s+(?=\S)")),
    ("bullet", re.compile(r"^(?P<label>[-+*•●▪◦∙·►❖✓])\s*(?=\S)")),
]

# Roman numerals the regex accepts but that are really words ("LL", "VV" never occur; "XL" is a size).
_VALID_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")


@dataclass(frozen=True)
class Marker:
    kind: str  # roman | arabic | arabic_multi | paren | letter | bullet-<char>
    label: str
    length: int  # characters taken by the marker and the spaces after it

    @property
    def is_bullet(self) -> bool:
        return self.kind.startswith("bullet")


def find_marker(text: str) -> Marker | None:
    """The marker that opens ``text``, if any."""
    for kind, pattern in _MARKER_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        label = match.group("label")
        if kind == "roman" and not (_VALID_ROMAN.match(label) and text[match.end()].isupper()):
            continue
        if kind == "bullet":
            kind = "bullet-" + ("-" if label in "-" else label)
        return Marker(kind=kind, label=label, length=match.end())
    return None
