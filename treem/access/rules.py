"""Per-model access rules: one definition gives both forms of a rule.

- `restrict(queryset, actor, capability)` is the SQL form: every list and every detail fetch is scoped in the query
  (`fetch` = a scoped get, 404 outside the scope: never fetch, then check);
- `allows(actor, capability, obj)` is the Python form, for an object already in hand.

Each app registers its models in its `access_rules.py` (autodiscovered like `audit_actions.py`).
tests/foundation/test_access_rules.py draws scopes and records and proves the two forms agree for every registered rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .scope import Scope, scope_for

NOTHING = Q(pk__in=[])


class Rule(Protocol):
    def q(self, scope: Scope, capability: str) -> Q: ...

    def allows(self, scope: Scope, capability: str, obj: Model) -> bool: ...


def value_at(obj: Model, path: str):
    """The id at the end of a lookup path ("commune__province" -> obj.commune.province_id); None past an empty link."""
    *links, last = path.split("__")
    for link in links:
        obj = getattr(obj, link)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


@dataclass(frozen=True)
class ByUnit:
    """Records keyed to a commune and its province (either may be empty), and optionally to an agency.

    A grant on the commune, on the province, or on the agency reaches the record; a national grant reaches all.
    """

    commune: str | None = "commune"
    province: str | None = None  # default: "<commune>__province"
    agency: str | None = None

    @property
    def province_path(self) -> str | None:
        return self.province or (f"{self.commune}__province" if self.commune else None)

    def q(self, scope: Scope, capability: str) -> Q:
        if not scope.has(capability):
            return NOTHING
        if scope.is_national(capability):
            return Q()
        q = NOTHING
        if self.commune and (communes := scope.commune_ids(capability)):
            q |= Q(**{f"{self.commune}__in": communes})
        if self.province_path and (provinces := scope.province_ids(capability)):
            q |= Q(**{f"{self.province_path}__in": provinces})
        if self.agency and (agencies := scope.agency_ids(capability)):
            q |= Q(**{f"{self.agency}__in": agencies})
        return q

    def allows(self, scope: Scope, capability: str, obj: Model) -> bool:
        if not scope.has(capability):
            return False
        if scope.is_national(capability):
            return True
        if self.commune and value_at(obj, self.commune) in scope.commune_ids(capability):
            return True
        if self.province_path and value_at(obj, self.province_path) in scope.province_ids(capability):
            return True
        return bool(self.agency) and value_at(obj, self.agency) in scope.agency_ids(capability)


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], rule: Rule) -> None:
    if model in _RULES and _RULES[model] != rule:
        raise ValueError(f"{model.__name__} already has an access rule")
    _RULES[model] = rule


def registered() -> dict[type[Model], Rule]:
    return dict(_RULES)


def rule_for(model: type[Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"No access rule for {model._meta.label}: add it to access_rules.py") from None


def as_scope(actor) -> Scope:
    return actor if isinstance(actor, Scope) else scope_for(actor)


def restrict(records: QuerySet | type[Model], actor, capability: str) -> QuerySet:
    """The records the actor may reach with `capability`, filtered in SQL."""
    qs = records if isinstance(records, QuerySet) else records._default_manager.all()
    return qs.filter(rule_for(qs.model).q(as_scope(actor), capability))


def allows(actor, capability: str, obj: Model) -> bool:
    return rule_for(type(obj)).allows(as_scope(actor), capability, obj)


def fetch(records: QuerySet | type[Model], actor, capability: str, **lookup) -> Model:
    """One record, fetched within the actor's scope: 404 when it does not exist or lies outside it (no disclosure)."""
    scoped = restrict(records, actor, capability)
    try:
        return scoped.get(**lookup)
    except (scoped.model.DoesNotExist, ValidationError, ValueError):  # a malformed key is not found either
        raise Http404 from None
