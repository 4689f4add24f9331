"""The modules a user may open, by capability.

Each treem app may declare its own entries in `<app>/nav.py` as `MODULES = [Module(...)]`; they are listed after the
foundation's, in app order.
"""

from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from treem.access import Capability
from treem.core.menu import Module

MODULES: list[Module] = [
    Module("web:units", _("Administrative units"), Capability.VIEW_UNITS,
           _("Provinces and communes in your scope, with their legacy history."), short=_("Units")),
    Module("web:agencies", _("Agencies"), Capability.VIEW_UNITS,
           _("Departments, mass organisations, press and People's Committees."), short=_("Agencies")),
    Module("audit:events", _("Audit log"), Capability.VIEW_AUDIT, _("Who did what, when, on which record."),
           short=_("Audit log")),
    Module("admin:index", _("System administration"), Capability.MANAGE_REFERENCE,
           _("Users, assignments and reference data."), short=_("Administration"), staff_only=True),
]


@cache
def all_modules() -> list[Module]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("treem.") and config.name != "treem.web":
            try:
                found += import_module(f"{config.name}.nav").MODULES
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.nav":
                    raise
    return found + MODULES


def modules_for(scope, *, staff: bool = False) -> list[dict]:
    entries = []
    for module in all_modules():
        if not scope.has(module.capability) or (module.staff_only and not staff):
            continue
        try:
            url = reverse(module.url_name)
        except NoReverseMatch:
            continue
        entries.append({"url": url, "label": module.label, "description": module.description,
                        "short": module.short or module.label, "url_name": module.url_name})
    return entries


@cache
def _home_modules() -> list:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("treem.") and config.name != "treem.web":
            try:
                found.append(import_module(f"{config.name}.home"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.home":
                    raise
    return found


def home_panels(user) -> list[dict]:
    """The home page's panels: each app may declare `<app>/home.py` with `panels(user) -> list[dict]` (the role's
    work, see treem.indicators.home), in app order."""
    return [panel for module in _home_modules() for panel in module.panels(user)]
