"""Messages are stored as a code and its parameters and rendered in the reader's language when shown.

Old rows stored the sentence itself; `template_params` reads such a sentence back into its parameters (the data
migrations use it), so that the row can be rendered again in any language.
"""

import re
from datetime import date

from django.utils import translation

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def template_params(template: str, text: str) -> dict | None:
    """The parameters that make `template` ("%(agency)s: %(n)s tasks", or "{agency}: ...") read `text`; None when
    the text is not that sentence."""
    pattern, pos, seen = "", 0, set()
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1) or match.group(2)
        pattern += re.escape(template[pos:match.start()])
        pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
        seen.add(name)
        pos = match.end()
    pattern += re.escape(template[pos:])
    found = re.fullmatch(pattern, text.strip(), flags=re.DOTALL)
    return found.groupdict() if found else None


def params_in_any_language(text: str, render, languages=("en", "vi")) -> dict | None:
    """Try the template in each language: `render()` gives the template in the active one (a gettext call)."""
    for language in languages:
        with translation.override(language):
            params = template_params(str(render()), text)
        if params is not None:
            return params
    return None


def iso_day(text: str) -> str:
    """'31/12/2025' -> '2025-12-31' (the form dates take in stored parameters); other text is kept."""
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day).isoformat()
    except (ValueError, TypeError):
        return text
