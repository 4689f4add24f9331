"""An entry of the menu: each treem app declares its own in `<app>/nav.py` as `MODULES = [Module(...)]` and
treem.web.navigation lists them (the apps sit below treem.web and never import it)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    url_name: str
    label: str
    capability: str
    description: str = ""
    short: str = ""  # the menu's label, a word or two so that the desktop menu stays on one line
    staff_only: bool = False  # Django's admin lets in staff accounts only: no entry that would turn the user away
