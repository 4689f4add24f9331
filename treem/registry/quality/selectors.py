"""Every read of the data-quality module, filtered by the reader's scope (treem.access).

Findings, pairs and corrections are scoped by their child's *current* commune and province, so a record that moved
away leaves the old commune's lists at once. A duplicate pair is visible only to a reader who may see both children
(a cross-commune pair is the province's to decide).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, NullIf

from treem.access import ByUnit, Capability, restrict, scope_for
from treem.core.collation import unit_order
from treem.core.formats import format_percent
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import selectors as registry
from treem.registry.models import Child

from .findings import CATEGORIES, CATEGORY_LABELS, KINDS
from .linkage import display
from .models import (
    CleaningRound,
    CommuneSummary,
    Correction,
    CorrectionStatus,
    DuplicatePair,
    Finding,
    LinkageRun,
    Outcome,
    PairStatus,
    Recheck,
    RecheckItem,
)

VIEW = Capability.VIEW_CHILDREN
EDIT = Capability.EDIT_CHILDREN


def _child_q(scope, cap: str, prefix: str) -> Q:
    """Records reached through their child's commune or province (the child's rule, at the end of `prefix`)."""
    return ByUnit(f"{prefix}commune", f"{prefix}province").q(scope, cap)


def communes_for(user, capability: str = VIEW):
    return registry.communes_for(user, capability)


def commune_for(user, code: str, capability: str = VIEW) -> Unit | None:
    """A current commune the user may read (or edit), by code; None when outside her scope."""
    return communes_for(user, capability).select_related("province").filter(code=code).first() if code else None


def provinces_for(user, capability: str = VIEW):
    """Provinces whose communes the user may read as a whole: province or national grants (not a commune worker)."""
    scope = scope_for(user)
    qs = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
    if not scope.has(capability):
        return qs.none()
    if scope.is_national(capability):
        return qs.order_by(*unit_order())
    return qs.filter(pk__in=scope.province_ids(capability)).order_by(*unit_order())


def province_for(user, code: str, capability: str = VIEW) -> Unit | None:
    return provinces_for(user, capability).filter(code=code).first() if code else None


# ---------------------------------------------------------------- findings


def findings_visible_to(user, capability: str = VIEW):
    scope = scope_for(user)
    if not scope.has(capability):
        return Finding.objects.none()
    return Finding.objects.filter(_child_q(scope, capability, "child__"))


def commune_findings(user, commune: Unit, *, code: str = "", category: str = "", open_only: bool = True):
    qs = findings_visible_to(user).filter(commune=commune)
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    if code in KINDS:
        qs = qs.filter(code=code)
    elif category in CATEGORIES:
        qs = qs.filter(code__in=[k.code for k in KINDS.values() if k.category == category])
    return qs.select_related("child").order_by("child__village", "child__name_folded", "child_id", "code")


def commune_counts(user, commune: Unit) -> list[dict]:
    """Open findings by kind, grouped by category, for the commune page (one grouped query)."""
    counts = dict(findings_visible_to(user).filter(commune=commune, resolved_at__isnull=True)
                  .values("code").annotate(n=Count("id")).values_list("code", "n"))
    groups = []
    for category in CATEGORIES:
        kinds = [{"code": k.code, "label": k.label, "severity": k.severity, "count": counts.get(k.code, 0)}
                 for k in KINDS.values() if k.category == category]
        groups.append({"category": category, "label": CATEGORY_LABELS[category], "kinds": kinds,
                       "count": sum(k["count"] for k in kinds)})
    return groups


def summary_of(commune: Unit) -> CommuneSummary | None:
    return CommuneSummary.objects.filter(commune=commune).first()


SORTS = {
    "name": ("name_folded",),
    "children": ("quality_summary__children",),
    "findings": ("quality_summary__open_findings",),
    "share": ("share",),
    "missing_id": ("quality_summary__missing_id",),
    "malformed_id": ("quality_summary__malformed_id",),
    "id_contradiction": ("quality_summary__id_contradiction",),
    "basic_facts": ("quality_summary__basic_facts",),
    "stale": ("quality_summary__stale",),
    "over_16": ("quality_summary__over_16",),
    "duplicates": ("quality_summary__duplicate_pairs",),
    "checked": ("quality_summary__checked_at",),
}


def province_rows(user, province: Unit, sort: str = "-findings"):
    """One row per current commune of the province with its precomputed counts (one query, whatever the number of
    communes; lazy loads raise). Communes never checked come last."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "findings", True
    share = Cast(F("quality_summary__children_with_findings"), FloatField()) / NullIf(
        F("quality_summary__children"), 0)
    qs = (Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, province=province)
          .filter(registry_communes_q(user))
          .select_related("quality_summary").annotate(share=share))
    order = [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in SORTS[key]]
    return qs.order_by(*order, "name_folded").fetch_mode(models.FETCH_RAISE), ("-" if descending else "") + key


def registry_communes_q(user) -> Q:
    scope = scope_for(user)
    if scope.is_national(VIEW):
        return Q()
    return Q(pk__in=scope.commune_ids(VIEW)) | Q(province_id__in=scope.province_ids(VIEW))


def province_totals(province: Unit) -> dict:
    fields = ["children", "children_with_findings", "open_findings", *CATEGORIES, "duplicate_pairs"]
    totals = CommuneSummary.objects.filter(province=province).aggregate(
        checked=Count("id"), **{f: Sum(f) for f in fields})
    return {k: v or 0 for k, v in totals.items()}


def provinces_overview(user) -> list[dict]:
    """For national readers: one row per province, summed from the commune summaries (one grouped query)."""
    provinces = list(provinces_for(user))
    fields = ["children", "children_with_findings", "open_findings", *CATEGORIES, "duplicate_pairs"]
    sums = {row["province"]: row for row in CommuneSummary.objects.filter(province__in=provinces)
            .values("province").annotate(checked=Count("id"), **{f: Sum(f) for f in fields})}
    return [{"province": p, **{f: (sums.get(p.pk) or {}).get(f) or 0 for f in [*fields, "checked"]}}
            for p in provinces]


# ---------------------------------------------------------------- duplicates


def pairs_visible_to(user, capability: str = VIEW):
    """Pairs whose two children the reader may both see."""
    scope = scope_for(user)
    if not scope.has(capability):
        return DuplicatePair.objects.none()
    return DuplicatePair.objects.filter(_child_q(scope, capability, "child_a__"), _child_q(scope, capability,
                                                                                            "child_b__"))


def pair_list(user, *, status: str = PairStatus.OPEN, unit: Unit | None = None):
    qs = pairs_visible_to(user)
    if status in PairStatus.values:
        qs = qs.filter(status=status)
    if unit is not None:
        if unit.level == UnitLevel.PROVINCE:
            qs = qs.filter(Q(child_a__province=unit) | Q(child_b__province=unit))
        else:
            qs = qs.filter(Q(child_a__commune=unit) | Q(child_b__commune=unit))
    return qs.select_related("child_a", "child_b", "child_a__commune", "child_b__commune", "decided_by").order_by(
        "-probability", "-match_weight", "pk")


def pair_for(user, pk, capability: str = VIEW) -> DuplicatePair:
    """One pair, or DuplicatePair.DoesNotExist outside the reader's scope (404)."""
    return pairs_visible_to(user, capability).select_related(
        "child_a", "child_b", "child_a__commune", "child_b__commune", "child_a__household", "child_b__household",
        "survivor").get(pk=pk)


def merged_records(child: Child) -> list[Child]:
    """The records merged into this one, directly or through earlier merges."""
    found, frontier = [], [child.pk]
    while frontier:
        batch = list(Child.objects.filter(merged_into__in=frontier).exclude(pk=child.pk).select_related("commune"))
        batch = [c for c in batch if c.pk not in {f.pk for f in found}]
        found += batch
        frontier = [c.pk for c in batch]
    return found


def merged_history(user, child: Child) -> list:
    """The child's history with the history of every record merged into it, newest first; each event has `record`
    (the record it was written on) besides registry.selectors.child_history's `label` and `lines`."""
    events = []
    for rec in [child, *merged_records(child)]:
        for event in registry.child_history(user, rec):
            event.record = rec
            _describe_merge(event)
            events.append(event)
    return sorted(events, key=lambda e: (e.at, e.pk), reverse=True)


def _shown(value) -> str:
    if value in (None, ""):
        return "—"
    text = str(value)
    return display("birth_date", text) if len(text) == 10 and text[4] == "-" and text[7] == "-" else text


def _describe_merge(event) -> None:
    """Readable lines for the events this module writes on children (the registry's history shows raw keys)."""
    from django.utils.translation import gettext as _

    summary = event.summary or {}
    verb = event.action.rsplit(".", 1)[-1]
    if verb == "merge":
        event.label = _("Merged with a duplicate record")
        names = {f.name: str(f.verbose_name) for f in Child._meta.get_fields() if hasattr(f, "verbose_name")}
        event.lines = [(_("Record merged into this one"), summary.get("merged_name", "")),
                       (_("Match probability"), format_percent(100 * float(summary.get("probability") or 0), 1))]
        for key, value in (summary.get("changed") or {}).items():
            if key in names and isinstance(value, list) and len(value) == 2:
                event.lines.append((names[key], f"{_shown(value[0])} → {_shown(value[1])}"))
    elif verb == "merged_into":
        event.label = _("Merged into another record")
        event.lines = [(_("Record kept"), summary.get("survivor_name", ""))]
    elif verb == "carer_update":
        event.label = _("Carer's name corrected")
        old, new = (summary.get("full_name") or ["", ""])[:2]
        event.lines = [(_("Parent or carer"), f"{_shown(old)} → {_shown(new)}")]


# ---------------------------------------------------------------- linkage


def runs_visible_to(user, capability: str = VIEW):
    scope = scope_for(user)
    if not scope.has(capability):
        return LinkageRun.objects.none()
    return restrict(LinkageRun.objects.defer("content"), scope, capability)


def corrections_visible_to(user, capability: str = VIEW):
    scope = scope_for(user)
    if not scope.has(capability):
        return Correction.objects.none()
    return Correction.objects.filter(_child_q(scope, capability, "child__"))


def run_corrections(user, run: LinkageRun, status: str = CorrectionStatus.PROPOSED):
    qs = corrections_visible_to(user).filter(run=run)
    if status in CorrectionStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("child", "decided_by").order_by("child__name_folded", "child_id", "field")


# ---------------------------------------------------------------- cleaning and re-check


def rounds_visible_to(user, capability: str = VIEW):
    scope = scope_for(user)
    if not scope.has(capability):
        return CleaningRound.objects.none()
    return restrict(CleaningRound, scope, capability)


def rechecks_visible_to(user, capability: str = VIEW):
    scope = scope_for(user)
    if not scope.has(capability):
        return Recheck.objects.none()
    return restrict(Recheck, scope, capability)


def recheck_items(recheck: Recheck):
    return recheck.items.select_related("child", "recorded_by").order_by("position")


def error_rates(user) -> list[dict]:
    """Per commune: records re-checked, wrong ones, error rate (one grouped query)."""
    rows = (RecheckItem.objects.filter(recheck__in=rechecks_visible_to(user))
            .values("recheck__commune", "recheck__commune__name")
            .annotate(rechecks=Count("recheck", distinct=True), sampled=Count("id"),
                      checked=Count("id", filter=~Q(outcome=Outcome.PENDING)),
                      wrong=Count("id", filter=Q(outcome=Outcome.WRONG)))
            .order_by("recheck__commune__name"))
    return [{"commune": r["recheck__commune__name"], "commune_id": r["recheck__commune"], "rechecks": r["rechecks"],
             "sampled": r["sampled"], "checked": r["checked"], "wrong": r["wrong"],
             "rate": r["wrong"] / r["checked"] if r["checked"] else None} for r in rows]


def recheck_counts(recheck: Recheck) -> dict:
    c = recheck.items.aggregate(sampled=Count("id"), checked=Count("id", filter=~Q(outcome=Outcome.PENDING)),
                                wrong=Count("id", filter=Q(outcome=Outcome.WRONG)))
    c["rate"] = c["wrong"] / c["checked"] if c["checked"] else None
    return c
