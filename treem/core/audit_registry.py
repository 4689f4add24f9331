"""The audit actions. Every code written to the audit log is registered once, by its app's `audit_actions.py`
(loaded when the audit app is ready), with the sentence that tells a person what happened. `record()` and its
siblings refuse a code that is not registered, so the log holds nothing that cannot be read back in Vietnamese.
The registry is a vocabulary with no dependency, kept in core so that core's own machinery (jobs, prepared files,
backups) declares its actions without importing the audit app above it; the apps import it as treem.audit.registry.

A sentence is an English gettext_lazy template translated in the app's locale; its named parameters are those of
`PARAMETERS`: {actor} (the person's full name), {object} (the record), {fields} (the facts changed), {count} (how
many records a list showed or a run handled), {unit} (the commune or province)."""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PARAMETERS = ("actor", "object", "fields", "count", "unit")


@dataclass(frozen=True)
class AuditAction:
    code: str  # "<app>.<model>.<verb>"
    sentence: str  # gettext_lazy template with the named parameters above
    name: str  # short, in lists: the audit page's filter, the child's history
    object_kind: str = ""  # label_lower of the recorded object when the summary describes another model's fields
    # summary key -> "app_label.model.field" whose verbose_name and choices label it, or a lazy label for a plain value
    fields: dict = field(default_factory=dict)
    hidden: frozenset = frozenset()  # summary keys never shown (ids with a readable twin, hashes, row numbers)
    reads_as: str = ""  # to a reader who may not see the case behind it, the event reads as this action
    read: bool = False  # a read of data (a record opened, a list shown, a file downloaded), not a change

    @property
    def app(self) -> str:
        """The module that writes it ("cases": its details are for those who may see the case)."""
        return self.code.partition(".")[0]


_ACTIONS: dict[str, AuditAction] = {}


def register(*actions: AuditAction) -> None:
    for action in actions:
        known = _ACTIONS.get(action.code)
        if known is not None and known != action:
            raise ImproperlyConfigured(f"audit action {action.code!r} is registered twice, differently")
        _ACTIONS[action.code] = action


def get(code: str) -> AuditAction | None:
    return _ACTIONS.get(code)


def require(code: str) -> AuditAction:
    """The registered action, or ValueError: a code nobody registered would be a line nobody can read."""
    action = _ACTIONS.get(code)
    if action is None:
        raise ValueError(f"unregistered audit action {code!r}: register it in its app's audit_actions.py")
    return action


def all_actions() -> list[AuditAction]:
    return sorted(_ACTIONS.values(), key=lambda a: a.code)


def action(code: str, sentence, name, **options) -> AuditAction:
    """Shorthand for the registrations."""
    return AuditAction(code, sentence, name, **options)


def viewed(code: str, name, sentence=None, **options) -> AuditAction:
    """A read: a record opened (record_view), a list shown (record_list), a file downloaded."""
    return AuditAction(code, sentence or _("{actor} opened {object}"), name, read=True, **options)
