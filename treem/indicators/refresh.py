"""Refresh: recompute the computed indicators, then the derived ones, then the roll-ups, then the targets' status.

Full (`full=True`): every commune of the province is recomputed from the records (one GROUP BY pass per source
table, treem.indicators.computations). Incremental: only the communes whose records changed since the watermark of
the province's last refresh, then the province's and the country's roll-ups (roll-ups read Value rows, never raw
records). A commune is taken as changed when, since the watermark:
- a child of it was written (updated_at), or one of its children's circumstances; a case of it was written, a child
  linked to a case, a case transferred from it; a statutory step of its cases was met, or fell due;
- or its count of children on the register no longer matches the stored child_population (a child corrected to
  another commune, or one that left, is caught in the commune it left by this check: one index-only count).
Ages are counted on the day (`as_of`): an incremental run on another day than the province's last run counts every
child's age anew, so it runs in full (and says so).

Values are replaced per (indicator, commune, year) in one transaction: the computed rows of the communes recomputed
are deleted and written again in bulk (COPY on PostgreSQL), so a reader sees the old or the new figures, never half.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from importlib import import_module

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from treem.audit.services import record
from treem.cases.models import Case, CaseChild, Deadline, Transfer
from treem.core import bulk
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import Child, ChildCircumstance

from . import expressions, rollups
from .computations import _children, compute
from .models import Indicator, Method, Refresh, Source, Value


def refresh_finished(province_ids: list[int]) -> None:
    """Tell the targets' status (treem.indicators.status, when it is there) that these provinces' figures changed."""
    try:  # a hook found by name, as bootstrap finds each app's reference module: status may not be there yet
        status = import_module("treem.indicators.status")
    except ModuleNotFoundError as exc:
        if exc.name != "treem.indicators.status":
            raise
        return
    hook = getattr(status, "refresh_finished", None) or getattr(status, "refresh_status", None)
    if hook is not None:
        hook(province_ids)


def provinces_with_records() -> list[int]:
    ids = set(Child.objects.values_list("province_id", flat=True).distinct())
    ids |= set(Case.objects.values_list("province_id", flat=True).distinct())
    return sorted(ids)


def changed_communes(province: Unit, since, as_of: date) -> set[int]:
    """The communes of a province whose records changed since `since` (see the module's rule)."""
    pid, now = province.pk, timezone.now()
    found = set(Child.objects.filter(province_id=pid, updated_at__gt=since).values_list("commune_id", flat=True))
    found |= set(ChildCircumstance.objects.filter(child__province_id=pid, updated_at__gt=since)
                 .values_list("child__commune_id", flat=True))
    found |= set(Case.objects.filter(province_id=pid, updated_at__gt=since).values_list("commune_id", flat=True))
    found |= set(CaseChild.objects.filter(case__province_id=pid, added_at__gt=since)
                 .values_list("case__commune_id", flat=True))
    found |= set(Transfer.objects.filter(case__province_id=pid, created_at__gt=since)
                 .values_list("from_commune_id", flat=True))
    found |= set(Deadline.objects.filter(case__province_id=pid).filter(
        Q(met_at__gt=since) | Q(due_at__gt=since, due_at__lte=now)).values_list("case__commune_id", flat=True))
    counts = dict(_children(pid, as_of, None).values("commune_id").annotate(n=Count("id"))
                  .values_list("commune_id", "n"))
    stored = dict(Value.objects.filter(indicator__code="child_population", unit__province_id=pid, year=as_of.year,
                                       sub_period=0, disaggregation="", source=Source.COMPUTED)
                  .values_list("unit_id", "numerator"))
    found |= {c for c in set(counts) | set(stored) if Decimal(counts.get(c, 0)) != Decimal(stored.get(c) or 0)}
    return found


def write_values(province: Unit, as_of: date, communes: set[int] | None) -> int:
    """Compute and replace the computed values of the communes (all of the province's when None), then the derived
    values of those communes. Returns how many rows were written."""
    computed = {i.code: i for i in Indicator.objects.filter(method=Method.COMPUTED)}
    result = compute(province.pk, as_of, communes)
    now = timezone.now()
    year = as_of.year
    old = Value.objects.filter(indicator__in=computed.values(), year=year, source=Source.COMPUTED)
    old = old.filter(unit_id__in=communes) if communes is not None else old.filter(
        unit__province=province, unit__level=UnitLevel.COMMUNE)
    old.delete()
    rows = []
    for (code, commune, disaggregation), figure in result.figures.items():
        indicator = computed.get(code)
        if indicator is None:  # the computation exists, but the catalogue has no (or ended) indicator for it
            continue
        denominator = figure.denominator if indicator.measure != "count" else None
        rows.append({"indicator_id": indicator.pk, "unit_id": commune, "year": year, "sub_period": 0,
                     "disaggregation": disaggregation, "numerator": figure.numerator, "denominator": denominator,
                     "value": rollups.value_of(indicator.measure, figure.numerator, denominator),
                     "source": Source.COMPUTED, "status": "accepted", "computed_at": now,
                     "provenance": {"as_of": as_of.isoformat(), "records": figure.records}, "comment": "",
                     "created_at": now, "updated_at": now})
    bulk.insert_dicts(Value, rows)
    touched = communes if communes is not None else {r["unit_id"] for r in rows} | set(
        Value.objects.filter(unit__province=province, unit__level=UnitLevel.COMMUNE, year=year,
                             source=Source.DERIVED).values_list("unit_id", flat=True))
    return len(rows) + write_derived(touched, year, now)


def write_derived(unit_ids: set[int], year: int, now) -> int:
    """Derived values of these units: each expression evaluated on its inputs' totals (sub-period 0)."""
    derived = {i.code: i for i in Indicator.objects.filter(method=Method.DERIVED) if i.expression}
    if not derived or not unit_ids:
        return 0
    Value.objects.filter(indicator__in=derived.values(), unit_id__in=unit_ids, year=year,
                         source=Source.DERIVED).delete()
    written = 0
    for code in expressions.evaluation_order({c: i.expression for c, i in derived.items()}):
        indicator = derived[code]
        inputs = defaultdict(dict)
        for unit_id, input_code, value in Value.objects.filter(
                indicator__code__in=expressions.references(indicator.expression), unit_id__in=unit_ids, year=year,
                sub_period=0, disaggregation="").values_list("unit_id", "indicator__code", "value"):
            inputs[unit_id][input_code] = value
        made = []
        for unit_id, values in inputs.items():
            result = expressions.evaluate(indicator.expression, values)
            if result is not None:
                made.append(Value(indicator=indicator, unit_id=unit_id, year=year, value=result.quantize(
                    Decimal("0.0001")), source=Source.DERIVED, computed_at=now,
                    provenance={"expression": indicator.expression}))
        Value.objects.bulk_create(made, batch_size=1000)
        written += len(made)
    return written


def refresh_province(province: Unit, *, as_of: date, full: bool, rollups_too: bool = True) -> Refresh:
    """One province: full or incremental (see the module), recorded as a Refresh row."""
    started = timezone.now()
    last = (Refresh.objects.filter(province=province, finished_at__isnull=False).order_by("-started_at").first())
    incremental = not full and last is not None and last.as_of == as_of
    with transaction.atomic():
        communes = changed_communes(province, last.watermark, as_of) if incremental else None
        written = 0
        if communes is None or communes:
            written = write_values(province, as_of, communes)
        if rollups_too and (communes is None or communes):
            rollups.refresh_rollups([province.pk], as_of.year, as_of)
        if communes is None:
            communes_count = Unit.objects.filter(province=province, level=UnitLevel.COMMUNE).valid_on(as_of).count()
        else:
            communes_count = len(communes)
        return Refresh.objects.create(province=province, full=not incremental, started_at=started,
                                      finished_at=timezone.now(), watermark=started, as_of=as_of,
                                      communes=communes_count, values_written=written)


def refresh(*, actor=SYSTEM, province_codes: list[str] | None = None, full: bool = False, as_of: date | None = None,
            progress=None) -> dict:
    """Refresh these provinces (current codes; default: every province with records). Returns a summary."""
    as_of = as_of or timezone.localdate()
    provinces = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
    provinces = list(provinces.filter(code__in=province_codes) if province_codes else provinces.filter(
        pk__in=provinces_with_records()))
    summary = {"provinces": [], "communes": 0, "values": 0, "full": 0, "incremental": 0, "as_of": as_of.isoformat()}
    for done, province in enumerate(provinces):
        if progress is not None:
            progress(done, len(provinces), province.name)
        run = refresh_province(province, as_of=as_of, full=full)
        summary["provinces"].append(province.name)
        summary["communes"] += run.communes
        summary["values"] += run.values_written
        summary["full" if run.full else "incremental"] += 1
    record(actor, "indicators.refresh.run", summary={"count": summary["values"], "provinces": summary["provinces"],
                                                     "communes": summary["communes"], "as_of": summary["as_of"]})
    refresh_finished([p.pk for p in provinces])
    return summary
