"""Audit events told in sentences: who (her full name) did what to which record, and the facts changed with their
labels and values as people read them (choices' labels, dd/mm/yyyy, names of units, households and carers instead
of ids, Có/Không). Field labels and value labels come from the models' fields (verbose_name, choices), so no field
is described by hand here; what cannot be labelled (an unknown key, an id that names nothing) is left out."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treem.core.formats import format_date, format_number

from . import registry

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
NUMBER = re.compile(r"^-?\d+\.\d+$")  # a decimal as text ("105.5"); digits alone may be an ID or a phone

# Keys many actions write that are no field of the recorded model.
COMMON = {
    "reason": gettext_lazy("reason"), "note": gettext_lazy("note"), "file": gettext_lazy("file"),
    "to": gettext_lazy("to"), "from": gettext_lazy("from"), "rows": gettext_lazy("rows"),
    "username": gettext_lazy("username"), "message": gettext_lazy("change"),
}
# Never shown: ids that have a readable twin, hashes, technical details.
HIDDEN = {"sha256", "batch", "row", "via", "page", "shown", "version", "what", "pair", "before"}
EMPTY = "—"


class Lookup:
    """A summary value that is a record's code rather than its id (a circumstance group "a", a risk flag): spec
    "app_label.model:field" in an action's `fields`."""

    def __init__(self, spec: str):
        app_model, _colon, self.attr = spec.partition(":")
        self.model = apps.get_model(app_model)
        self.verbose_name = self.model._meta.verbose_name


def present(events, *, reader=None, case_visible: bool = True) -> list:
    """Give each event `title` (the action's name), `sentence`, `details` ([(label, text)]) and `actor_name`.
    With case_visible=False, events of the cases module show no details and read as the action they stand for
    (`reads_as`): the reader may not learn that a case exists."""
    events = list(events)
    names = _Names()
    for event in events:
        for _key, value, field in _fields(event):
            names.want(field, value)
    names.fetch()
    for event in events:
        action = registry.get(event.action)
        hide = action is not None and action.app == "cases" and not case_visible
        if hide and action.reads_as:
            action = registry.get(action.reads_as)
        event.details, changed = ([], []) if hide else _details(event, names)
        event.actor_name = actor_name(event)
        params = {
            "actor": event.actor_name, "object": event.object_repr or _("a record"),
            "fields": ", ".join(changed) or _("some facts"), "unit": event.unit.name if event.unit_id else "",
            "count": _count(event.summary or {}),
        }
        if action is None:  # written before the registry, or by a code since removed
            event.title, event.sentence = _("Other action"), _("%(actor)s did something to %(object)s") % params
        else:
            event.title, event.sentence = str(action.name), str(action.sentence).format(**params)
    return events


def render_event(event, reader=None) -> str:
    """One event as a Vietnamese sentence (in the active language)."""
    return present([event], reader=reader)[0].sentence


def actor_name(event) -> str:
    if event.actor_id is not None:
        return event.actor.full_name or event.actor.get_username()
    if event.actor_label == "system":
        return _("The system")
    if event.actor_label in ("", "anonymous"):
        return _("A visitor not signed in")
    if event.actor_label == "public":
        return _("The public report form")
    return event.actor_label


def _count(summary: dict) -> str:
    for key in ("shown", "rows", "count", "created"):
        if isinstance(summary.get(key), int):
            return format_number(summary[key], 0)
    return "0"


def _model(event):
    if not event.object_type:
        return None
    try:
        return apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None


def _fields(event):
    """(key, value, field or label) for each summary key that can be labelled, in the summary's order."""
    action = registry.get(event.action)
    if action is None:
        return
    model = apps.get_model(action.object_kind) if action.object_kind else _model(event)
    for key, value in (event.summary or {}).items():
        if key in HIDDEN or key in action.hidden:
            continue
        spec = action.fields.get(key)
        if isinstance(spec, str) and ":" in spec:
            yield key, value, Lookup(spec)
        elif isinstance(spec, str):
            app_model, _dot, name = spec.rpartition(".")
            yield key, value, apps.get_model(app_model)._meta.get_field(name)
        elif isinstance(spec, Promise):
            yield key, value, spec
        elif model is not None and _has_field(model, key):
            yield key, value, model._meta.get_field(key)
        elif key in COMMON:
            yield key, value, COMMON[key]


def _has_field(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.concrete and not field.primary_key


def _details(event, names: "_Names") -> tuple[list, list]:
    fields = list(_fields(event))
    pairs = [v for _k, v, _f in fields if _is_pair(v)]
    created = bool(pairs) and all(v[0] in (None, "") for v in pairs)  # a new record: its values, not "— → x"
    lines, changed = [], []
    for _key, value, field in fields:
        label = _label(field)
        if _is_pair(value):
            old, new = (names.show(field, v) for v in value)
            if old == new or (not new and (created or not old)):
                continue
            text = new if created else f"{old or EMPTY} → {new or EMPTY}"
            changed.append(str(field.verbose_name if isinstance(field, (models.Field, Lookup)) else field))
        else:
            text = names.show(field, value)
            if not text:
                continue
        lines.append((label, text))
    return lines, changed


def _is_pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2


def _label(field) -> str:
    text = str(field.verbose_name if isinstance(field, (models.Field, Lookup)) else field)
    return text[:1].upper() + text[1:]


class _Names:
    """The names of the records summaries point to (units, households, carers...), fetched once per model."""

    def __init__(self):
        self.wanted: dict = {}
        self.found: dict = {}

    @staticmethod
    def _key(field):
        if isinstance(field, models.ForeignKey):
            return field.related_model, field.related_model._meta.pk.name
        if isinstance(field, Lookup):
            return field.model, field.attr
        return None

    def want(self, field, value) -> None:
        if (key := self._key(field)) is not None:
            for v in (value if isinstance(value, list) else [value]):
                if v not in (None, "") and not isinstance(v, (dict, list)):
                    self.wanted.setdefault(key, set()).add(str(v))

    def fetch(self) -> None:
        for (model, attr), values in self.wanted.items():
            field = model._meta.get_field(attr)
            valid = set()
            for v in values:
                try:
                    valid.add(field.to_python(v))
                except Exception:  # noqa: S112 - a value that is no id of this model names nothing
                    continue
            for obj in model._default_manager.filter(**{f"{attr}__in": valid}):
                self.found[(model, attr, str(getattr(obj, attr)))] = getattr(obj, "name", None) or str(obj)

    def show(self, field, value) -> str:
        if isinstance(value, list):
            return ", ".join(t for t in (self.show(field, v) for v in value) if t)
        if value in (None, "") or isinstance(value, dict):
            return ""
        if (key := self._key(field)) is not None:
            return self.found.get((*key, str(value)), "")
        if isinstance(field, models.Field) and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool) or isinstance(field, models.BooleanField):
            return _("Yes") if value in (True, "true", "True") else _("No")
        if isinstance(value, int):
            return format_number(value, 0)
        if isinstance(value, (float, Decimal)):
            return format_number(value)
        return _plain_text(str(value))


def _plain_text(text: str) -> str:
    if UUID.match(text):
        return ""  # an id nobody can read
    if ISO_DATE.match(text):
        return format_date(date.fromisoformat(text))
    if ISO_DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    if NUMBER.match(text):
        try:
            return format_number(Decimal(text), len(text.partition(".")[2].rstrip("0")))  # 17.20 kg: 17,2
        except (InvalidOperation, TypeError):
            return text
    return text
