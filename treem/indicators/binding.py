"""Which indicator a plan target measures: its text matched to the catalogue's names by meaning-bearing words.

Both sides are folded (no diacritics, lower case) and cut into words; words every target says ("tỷ lệ", "trẻ em",
"đạt", "giảm còn") weigh nothing, rare words weigh more (inverse frequency over the catalogue), and consecutive word
pairs ("suy dinh dưỡng", "cân nặng") count again, so "thể cân nặng" and "thể chiều cao" are told apart. The measure
counts too: a target in % goes with a percentage indicator. A target whose `indicator_code` names an indicator gets
that one first with the full score.
"""

import math
import re
from dataclasses import dataclass, field
from itertools import pairwise

from treem.core.text import fold

from .models import Indicator, Measure

STOP = frozenset({
    "ty", "le", "so", "tre", "em", "cua", "va", "cac", "duoc", "dat", "giam", "con", "duoi", "tren", "it", "nhat",
    "phan", "dau", "den", "nam", "tang", "len", "toi", "thieu", "the", "trong", "khong", "co", "la", "o", "voi",
    "tu", "cho", "nguoi", "bao", "dam", "muc", "hon", "tai", "toan", "tinh",
})
WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    indicator: Indicator
    score: float  # 0..1
    shared: tuple[str, ...] = field(default=())  # the words both say


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(fold(text)) if w not in STOP and not w.isdigit()]


def _terms(text: str) -> set[str]:
    ws = words(text)
    return set(ws) | {f"{a} {b}" for a, b in pairwise(ws)}


def _measure_of(target_unit: str) -> str | None:
    unit = fold(target_unit)
    if "%" in unit or "phan tram" in unit:
        return Measure.PERCENT
    if "‰" in target_unit or "phan nghin" in unit:
        return Measure.PER_MILLE
    if unit:
        return Measure.COUNT
    return None


def propose(text: str, target_unit: str = "", indicator_code: str = "", indicators=None,
            limit: int = 5) -> list[Candidate]:
    """Candidates for a target's text, best first (score > 0 only)."""
    catalogue = list(indicators if indicators is not None else Indicator.objects.all())
    if not catalogue:
        return []
    names = {ind.pk: _terms(f"{ind.name_vi} {ind.numerator_vi}") for ind in catalogue}
    frequency: dict[str, int] = {}
    for terms in names.values():
        for term in terms:
            frequency[term] = frequency.get(term, 0) + 1

    def weight(term: str) -> float:
        return math.log(1 + len(catalogue) / frequency.get(term, 1)) * (1.5 if " " in term else 1.0)

    wanted = _terms(text)
    measure = _measure_of(target_unit)
    scored = []
    for ind in catalogue:
        if indicator_code and ind.code == indicator_code:
            scored.append(Candidate(ind, 1.0, ("code",)))
            continue
        terms = names[ind.pk]
        shared = terms & wanted
        if not shared:
            continue
        # Dice over weights: what both say, against what each says.
        score = 2 * sum(weight(t) for t in shared) / (sum(weight(t) for t in terms)
                                                      + sum(weight(t) for t in wanted & set(frequency)) or 1)
        if measure is not None:
            score *= 1.0 if _compatible(measure, ind.measure) else 0.6
        scored.append(Candidate(ind, round(min(score, 0.99), 3), tuple(sorted(t for t in shared if " " not in t))))
    scored.sort(key=lambda c: (-c.score, c.indicator.order, c.indicator.code))
    return scored[:limit]


def _compatible(target_measure: str, indicator_measure: str) -> bool:
    rates = {Measure.PERCENT, Measure.PER_MILLE, Measure.RATIO}
    if target_measure == Measure.COUNT:
        return indicator_measure == Measure.COUNT
    return indicator_measure in rates
