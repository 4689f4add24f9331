"""The one exception the parser raises on purpose."""

from __future__ import annotations


class PlanParseError(Exception):
    """A file that cannot be read as a plan document.

    ``message_vi`` is shown to users; ``message_en`` is for logs and English-speaking maintainers.
    ``str(error)`` is the Vietnamese message.
    """

    def __init__(self, message_vi: str, message_en: str = "") -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi

    def __str__(self) -> str:
        return self.message_vi
