"""Vietnam's 54 ethnic groups and the spellings communes use for them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
# "Dân tộc Kinh", "DT Mông", "người Dao": the prefix is not part of the name.
_PREFIX = re.compile(r"^(dan toc|dt|nguoi)\s+")


@dataclass(frozen=True)
class EthnicGroup:
    code: str
    name: str
    aliases: tuple[str, ...]


def ethnicity_key(value: object) -> str:
    """Matching key: folded, with prefixes, spaces, hyphens and apostrophes removed ("H'Mông" -> "hmong")."""
    return _NOT_ALNUM.sub("", _PREFIX.sub("", fold(value)))


@cache
def ethnic_groups() -> tuple[EthnicGroup, ...]:
    raw = json.loads(resources.files(__package__).joinpath("ethnic_groups.json").read_text(encoding="utf-8"))
    return tuple(EthnicGroup(g["code"], g["name"], tuple(g["aliases"])) for g in raw["groups"])


@cache
def _index() -> dict[str, EthnicGroup]:
    index: dict[str, EthnicGroup] = {}
    for group in ethnic_groups():
        # Official names first so an alias can never shadow another group's name.
        index[ethnicity_key(group.name)] = group
    for group in ethnic_groups():
        for alias in group.aliases:
            index.setdefault(ethnicity_key(alias), group)
    return index


def find_ethnic_group(value: object) -> EthnicGroup | None:
    """The group a spelling names, or None when unknown or empty."""
    key = ethnicity_key(value)
    return _index().get(key) if key else None
