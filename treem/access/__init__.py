"""The access layer: who may do what, where. One place for every check and every scoped read.

- `scope_for(user)` -> `Scope`; `Scope.may(capability, unit)` is the check "this capability on this unit";
- `require(actor, capability, unit)` raises the 403 page (naming the roles that would be needed);
- `restrict(queryset, actor, capability)` / `fetch(...)` / `allows(...)`: per-model rules (`rules.py`), SQL and Python
  forms of the same definition, registered by each app in its `access_rules.py`.
"""

from importlib import import_module

# Django imports this package to find its AppConfig before models are ready, so the names load on first use.
_NAMES = {
    "rules": ["ByUnit", "allows", "fetch", "register", "registered", "restrict", "rule_for"],
    "scope": ["READ_ONLY", "ROLE_CAPABILITIES", "Capability", "Grant", "Scope", "forbid_unless", "require",
              "require_agency", "require_area", "roles_with", "scope_for", "visible_units_q"],
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'treem.access' has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
