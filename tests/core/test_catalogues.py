"""The Vietnamese catalogues: scripts/compile_messages.py compiles them with polib, which (unlike GNU msgfmt) accepts
a message defined twice and then silently keeps one of the translations. These checks stand in for `msgfmt --check`."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / "locale/vi/LC_MESSAGES/django.po",
              *sorted(p for p in (ROOT / "treem").glob("**/locale/vi/LC_MESSAGES/django.po"))]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def placeholders(text: str) -> Counter:
    return Counter(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_every_app_with_strings_has_a_catalogue():
    assert {p.relative_to(ROOT).parts[1] for p in CATALOGUES} >= {"registry", "cases", "plans"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_consistent(path):
    entries = [e for e in polib.pofile(str(path)) if not e.obsolete]
    twice = [key for key, n in Counter((e.msgctxt, e.msgid) for e in entries).items() if n > 1]
    assert not twice, f"defined more than once: {twice}"
    untranslated = [e.msgid for e in entries if not (e.msgstr or e.msgstr_plural) or "fuzzy" in e.flags]
    assert not untranslated, f"no Vietnamese (or fuzzy): {untranslated}"
    mismatched = [e.msgid for e in entries if e.msgstr and placeholders(e.msgid) != placeholders(e.msgstr)]
    assert not mismatched, f"placeholders differ between English and Vietnamese: {mismatched}"


def test_one_message_one_translation_across_catalogues():
    """Django merges every catalogue: a message translated two ways in two apps shows one of them everywhere (a count
    header's "Số trẻ" above a case's list of children). Different meanings take a context (pgettext)."""
    seen: dict = {}
    for path in CATALOGUES:
        for e in polib.pofile(str(path)):
            if not e.obsolete and e.msgstr:
                seen.setdefault((e.msgctxt, e.msgid), {})[str(path.relative_to(ROOT))] = e.msgstr
    conflicts = {key: where for key, where in seen.items() if len(set(where.values())) > 1}
    assert not conflicts, conflicts
