"""The indicator catalogue as data: a versioned fixture (data/catalogue.json) loaded into Indicator rows.

Loading rule (`load`, run by `treem load-indicators` and `treem bootstrap`):
- a code not in the table is created;
- a row whose `catalogue_version` is older than the fixture's version is updated from the fixture;
- a row an administrator edited carries catalogue_version "local" (`LOCAL`, set by `indicator_edit`) and is kept as
  she left it: a newer fixture does not overwrite it (the load's report lists it);
- a code no longer in the fixture is ended (valid_to = the day of the load), never deleted (values refer to it).
Running it twice changes nothing the second time. Every expression is checked, and a catalogue where a derived
indicator refers to itself, directly or through others, is refused as a whole (nothing is saved).
"""

import json
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import require
from treem.access.scope import Capability
from treem.audit.services import changes, record
from treem.core.actors import SYSTEM

from . import expressions
from .computations import COMPUTATIONS
from .dimensions import DIMENSIONS
from .models import Better, Group, Indicator, Measure, Method, PeriodType

DATA = Path(__file__).parent / "data"
CATALOGUE_FILE = DATA / "catalogue.json"
LOCAL = "local"
FIELDS = ["name_vi", "name_en", "definition_vi", "definition_en", "numerator_vi", "denominator_vi", "group", "measure",
          "better", "period_type", "disaggregations", "method", "computation", "expression", "lead_agency_vi",
          "legal_reference", "order", "valid_from", "valid_to"]


class CatalogueError(ValueError):
    """A catalogue (or an edit) that cannot be used; the message says what to fix, in the reader's language."""


def version_key(version: str) -> tuple:
    """"2026.10" > "2026.9"; "local" and "" sort below any number (but see the loading rule for "local")."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def read_fixture(path: Path = CATALOGUE_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _check_entry(entry: dict) -> None:
    code = entry.get("code", "")
    if not code or len(code) > 40:
        raise CatalogueError(_("An indicator has no code, or a code longer than 40 characters."))
    choices = {"group": Group.values, "measure": Measure.values, "better": Better.values,
               "period_type": PeriodType.values, "method": Method.values}
    for field, allowed in choices.items():
        if field in entry and entry[field] not in allowed:
            raise CatalogueError(_("Indicator %(code)s: %(field)s %(value)s is not one of %(allowed)s.")
                                 % {"code": code, "field": field, "value": entry[field], "allowed": ", ".join(allowed)})
    unknown = set(entry.get("disaggregations", [])) - set(DIMENSIONS)
    if unknown:
        raise CatalogueError(_("Indicator %(code)s: unknown disaggregation %(dims)s.")
                             % {"code": code, "dims": ", ".join(sorted(unknown))})
    if entry.get("method") == Method.DERIVED and not entry.get("expression"):
        raise CatalogueError(_("Derived indicator %(code)s has no expression.") % {"code": code})
    if entry.get("method") == Method.COMPUTED and entry.get("computation") not in COMPUTATIONS:
        raise CatalogueError(_("Computed indicator %(code)s names no known computation.") % {"code": code})


def check_expressions(trees: dict[str, object], known: set[str]) -> None:
    """Refuse a malformed expression, an unknown code, or a cycle (CatalogueError, in Vietnamese)."""
    for code, tree in trees.items():
        try:
            expressions.validate(tree, known=known)
        except expressions.ExpressionError as exc:
            raise CatalogueError(_("Indicator %(code)s: %(problem)s") % {"code": code, "problem": exc}) from None
    cycle = expressions.find_cycle(trees)
    if cycle:
        raise CatalogueError(_("The expression of %(code)s refers back to itself (%(chain)s): an indicator cannot be "
                               "computed from itself. Change one of these expressions.")
                             % {"code": cycle[0], "chain": " → ".join(cycle)})


def _as_fields(entry: dict, version: str) -> dict:
    fields = {name: entry.get(name) for name in FIELDS if name in entry}
    for name in ("valid_from", "valid_to"):
        if fields.get(name):
            fields[name] = date.fromisoformat(fields[name])
    for name in ("computation", "name_en", "definition_vi", "definition_en", "numerator_vi", "denominator_vi",
                 "lead_agency_vi", "legal_reference"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    fields["catalogue_version"] = version
    return fields


@transaction.atomic
def load(stdout=None, *, path: Path = CATALOGUE_FILE, today: date | None = None) -> dict:
    """Load the fixture (see the module's rule). Returns {"created", "updated", "kept", "ended"} (lists of codes)."""
    today = today or timezone.localdate()
    data = read_fixture(path)
    version = str(data["version"])
    entries = data["indicators"]
    for entry in entries:
        _check_entry(entry)
    codes = [e["code"] for e in entries]
    if len(set(codes)) != len(codes):
        raise CatalogueError(_("The catalogue lists an indicator code twice."))
    existing = {i.code: i for i in Indicator.objects.all()}
    # Expressions as they will be after the load: the fixture's, except rows an administrator keeps.
    trees = {code: i.expression for code, i in existing.items() if i.method == Method.DERIVED and i.expression}
    for entry in entries:
        kept = existing.get(entry["code"])
        if kept is not None and kept.catalogue_version == LOCAL:
            continue
        trees.pop(entry["code"], None)
        if entry.get("method") == Method.DERIVED:
            trees[entry["code"]] = entry["expression"]
    check_expressions(trees, set(codes) | set(existing))

    report = {"created": [], "updated": [], "kept": [], "ended": []}
    for entry in entries:
        row = existing.get(entry["code"])
        fields = _as_fields(entry, version)
        if row is None:
            Indicator.objects.create(code=entry["code"], **fields)
            report["created"].append(entry["code"])
        elif row.catalogue_version == LOCAL:
            report["kept"].append(row.code)
        elif version_key(row.catalogue_version) < version_key(version):
            for name, value in fields.items():
                setattr(row, name, value)
            row.save()
            report["updated"].append(row.code)
    gone = [c for c, row in existing.items() if c not in set(codes) and row.catalogue_version != LOCAL
            and (row.valid_to is None or row.valid_to > today)]
    if gone:
        Indicator.objects.filter(code__in=gone).update(valid_to=today, updated_at=timezone.now())
        report["ended"] = gone
    if report["created"] or report["updated"] or report["ended"]:
        record(SYSTEM, "indicators.catalogue.load", summary={"version": version, **{
            k: v for k, v in report.items() if v}})
    if stdout is not None:
        stdout.write(_("indicator catalogue %(version)s: %(created)d added, %(updated)d updated, %(kept)d kept as "
                       "edited by an administrator, %(ended)d ended")
                     % {"version": version, **{k: len(v) for k, v in report.items()}} + "\n")
    return report


EDITABLE = ["name_vi", "name_en", "definition_vi", "definition_en", "numerator_vi", "denominator_vi", "better",
            "disaggregations", "expression", "lead_agency_vi", "legal_reference", "valid_from", "valid_to"]


@transaction.atomic
def indicator_edit(*, actor, indicator: Indicator, data: dict) -> Indicator:
    """An administrator's change to an indicator: marks it "local" (a newer fixture will not overwrite it); a
    derived indicator's expression is checked against the whole catalogue (no cycle, known codes only)."""
    require(actor, Capability.MANAGE_REFERENCE)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise CatalogueError(_("These fields cannot be changed here: %(fields)s.")
                             % {"fields": ", ".join(sorted(unknown))})
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if "expression" in data:
        if indicator.method != Method.DERIVED:
            raise CatalogueError(_("Only a derived indicator has an expression."))
        trees = {i.code: i.expression for i in Indicator.objects.filter(method=Method.DERIVED).exclude(
            pk=indicator.pk) if i.expression}
        trees[indicator.code] = data["expression"]
        check_expressions(trees, set(Indicator.objects.values_list("code", flat=True)))
    if "disaggregations" in data and set(data["disaggregations"]) - set(DIMENSIONS):
        raise CatalogueError(_("Unknown disaggregation."))
    before = {name: getattr(indicator, name) for name in data}
    for name, value in data.items():
        setattr(indicator, name, value)
    indicator.catalogue_version = LOCAL
    indicator.save()
    record(actor, "indicators.indicator.edit", indicator, summary=changes(before, data))
    return indicator
