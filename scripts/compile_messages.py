"""Compile every django.po under the project into django.mo with polib (no GNU gettext needed)."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent
for po_path in root.glob("**/locale/*/LC_MESSAGES/django.po"):
    if ".venv" in po_path.parts:
        continue
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
