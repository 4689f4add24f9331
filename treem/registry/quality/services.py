"""Every write of the data-quality module: one transaction, a scope check, an audit event.

Data-quality actions need children.edit in the commune (commune worker, focal officer); leaders and auditors only
read. Changes to a child's facts go through registry.services (child_update, child_create, carer_link), which write
their own audit events in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, require
from treem.audit.services import changes, record
from treem.core import pipeline
from treem.core.faults import checkpoint
from treem.core.jobs import job_start
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import services as registry
from treem.registry.importing import background_above_bytes
from treem.registry.models import (
    Carer,
    CarerRelation,
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildRisk,
    ChildStatus,
    Measurement,
)

from . import cleaning, findings, linkage
from .duplicates import canonical, primary_carer_name
from .extract_import import PopulationExtract
from .models import (
    CleaningRound,
    Correction,
    CorrectionStatus,
    DuplicatePair,
    LinkageRun,
    Outcome,
    PairStatus,
    Recheck,
    RecheckItem,
    RoundStatus,
)
from .tabular import TableError

EDIT = Capability.EDIT_CHILDREN
VIEW = Capability.VIEW_CHILDREN
RUNNERS = "treem.registry.quality.tasks"
# The facts a merge lets a person choose, field by field (registry.services.EDITABLE_FIELDS).
MERGE_FIELDS = registry.EDITABLE_FIELDS


class QualityProblem(Exception):
    """A data-quality action that cannot be done as asked; the message is for the user."""


def _commune(unit: Unit) -> Unit:
    if unit.level != UnitLevel.COMMUNE or unit.system != UnitSystem.CURRENT:
        raise ValidationError(_("Choose a commune of the current structure."))
    return unit


# ---------------------------------------------------------------- findings and duplicate runs


def check_start(*, actor, communes: list[Unit], months: int | None = None, unit: Unit | None = None):
    """Queue the data-quality check of these communes (a background job with progress)."""
    for commune in communes:
        _commune(commune)
    require(actor, EDIT, *communes)
    return job_start(actor=actor, kind="quality.check", runner=f"{RUNNERS}.run_check",
                     params={"commune_ids": [c.pk for c in communes], "months": months},
                     unit=unit or (communes[0] if len(communes) == 1 else None), total=len(communes))


def duplicates_start(*, actor, communes: list[Unit], unit: Unit | None = None):
    """Queue a duplicates run over these communes' registers (within and across them)."""
    for commune in communes:
        _commune(commune)
    require(actor, EDIT, *communes)
    return job_start(actor=actor, kind="quality.duplicates", runner=f"{RUNNERS}.run_duplicates",
                     params={"commune_ids": [c.pk for c in communes], "unit_id": unit.pk if unit else None},
                     unit=unit or (communes[0] if len(communes) == 1 else None), total=3)


def _locked_pair(pair: DuplicatePair) -> DuplicatePair:
    return DuplicatePair.objects.select_for_update().get(pk=pair.pk)


@transaction.atomic
def pair_not_same(*, actor, pair: DuplicatePair, note: str = "", request=None) -> DuplicatePair:
    """A person decided the two records are different children: the pair is never proposed again."""
    pair = _locked_pair(pair)
    a, b = Child.objects.select_related("commune").get(pk=pair.child_a_id), \
        Child.objects.select_related("commune").get(pk=pair.child_b_id)
    require(actor, EDIT, a.commune, b.commune)
    if pair.status != PairStatus.OPEN:
        raise QualityProblem(_("This pair was already decided."))
    pair.status, pair.decided_by, pair.decided_at = PairStatus.NOT_SAME, _user(actor), timezone.now()
    pair.decision_note = (note or "").strip()[:250]
    pair.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    record(actor, "quality.duplicatepair.not_same", pair, unit=a.commune, request=request,
           summary={"child_a": str(a.pk), "child_b": str(b.pk), "probability": round(pair.probability, 4),
                    "note": pair.decision_note})
    findings.refresh_pair_counts({a.commune_id, b.commune_id})
    return pair


def _user(actor):
    return actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None


# ---------------------------------------------------------------- merging two records of one child


def merge_snapshot(child: Child) -> dict:
    """Everything a merge changes, for the audit event (before and after)."""
    facts = {name: getattr(child, name) for name in MERGE_FIELDS}
    facts = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items()}
    return {
        **facts,
        "status": child.status,
        "commune": child.commune_id,
        "household": str(child.household_id) if child.household_id else None,
        "merged_into": str(child.merged_into_id) if child.merged_into_id else None,
        "version": child.version,
        "carers": [[str(link.carer_id), link.carer.full_name, link.relation, link.primary]
                   for link in ChildCarer.objects.filter(child=child).select_related("carer").order_by("pk")],
        "circumstances": [[c.pk, c.group.code, c.started_on.isoformat() if c.started_on else None,
                           c.ended_on.isoformat() if c.ended_on else None]
                          for c in ChildCircumstance.objects.filter(child=child).select_related("group")
                          .order_by("pk")],
        "risks": list(ChildRisk.objects.filter(child=child).order_by("pk").values_list("pk", flat=True)),
        "measurements": list(Measurement.objects.filter(child=child).order_by("pk").values_list("pk", flat=True)),
    }


def _move_open_items(model, merged: Child, survivor: Child, key: str, today: date, reason: str) -> dict:
    """Move circumstances or risks; an item open on both records stays open once (the earlier start)."""
    moved = ended = 0
    open_on_survivor = {getattr(i, key): i for i in model.objects.filter(child=survivor, ended_on__isnull=True)}
    for item in model.objects.filter(child=merged).order_by("pk"):
        twin = open_on_survivor.get(getattr(item, key)) if item.ended_on is None else None
        fields = {"child": survivor}
        if twin is not None:
            # The same circumstance recorded twice: keep the one that started first open, end the other.
            later = item if (twin.started_on or today) <= (item.started_on or today) else twin
            model.objects.filter(pk=later.pk).update(ended_on=today, **(
                {"end_reason": reason} if hasattr(model, "end_reason") else {"note": reason[:250]}))
            ended += 1
            if later is twin:
                open_on_survivor[getattr(item, key)] = item
        model.objects.filter(pk=item.pk).update(**fields)
        moved += 1
    return {"moved": moved, "ended_as_duplicate": ended}


def _move_carers(merged: Child, survivor: Child) -> dict:
    moved = dropped = 0
    kept = list(ChildCarer.objects.filter(child=survivor).select_related("carer"))
    kept_carers = {link.carer_id for link in kept}
    kept_names = {link.carer.name_folded or fold(link.carer.full_name) for link in kept}
    has_primary = any(link.primary for link in kept)
    for link in ChildCarer.objects.filter(child=merged).select_related("carer").order_by("-primary", "pk"):
        name = link.carer.name_folded or fold(link.carer.full_name)
        if link.carer_id in kept_carers or name in kept_names:
            link.delete()  # the same carer is already linked to the surviving record
            dropped += 1
            continue
        ChildCarer.objects.filter(pk=link.pk).update(child=survivor, primary=link.primary and not has_primary)
        has_primary = has_primary or link.primary
        kept_carers.add(link.carer_id)
        kept_names.add(name)
        moved += 1
    return {"moved": moved, "dropped_same_carer": dropped}


def _move_case_links(merged: Child, survivor: Child) -> dict:
    """Protection cases that named the merged record now name the surviving one (if the cases app is installed)."""
    try:
        model = apps.get_model("cases", "CaseChild")
    except LookupError:
        return {"moved": 0}
    moved = 0
    for link in model.objects.filter(child=merged):
        if model.objects.filter(case_id=link.case_id, child=survivor).exists():
            continue  # the case already names the survivor; the old link stays on the merged record
        model.objects.filter(pk=link.pk).update(child=survivor)
        moved += 1
    return {"moved": moved}


def _carry_over_pairs(merged: Child, survivor: Child, decided: DuplicatePair, now) -> dict:
    """Open proposals about the merged record are withdrawn (the next run compares the survivor); a "not the same
    child" decision about it holds for the survivor too."""
    about_merged = DuplicatePair.objects.filter(Q(child_a=merged) | Q(child_b=merged)).exclude(pk=decided.pk)
    withdrawn = about_merged.filter(status=PairStatus.OPEN).delete()[0]
    carried = 0
    for pair in about_merged.filter(status=PairStatus.NOT_SAME).select_related("child_a", "child_b"):
        other = pair.child_b if pair.child_a_id == merged.pk else pair.child_a
        if other.pk == survivor.pk:
            continue
        a, b = canonical(survivor.pk, other.pk)
        first = survivor if a == survivor.pk else other
        second = other if first is survivor else survivor
        _obj, created = DuplicatePair.objects.get_or_create(
            child_a_id=a, child_b_id=b,
            defaults={"commune_id": first.commune_id, "province_id": first.province_id,
                      "other_commune_id": second.commune_id, "probability": pair.probability,
                      "match_weight": pair.match_weight, "explanation": pair.explanation,
                      "contributions": pair.contributions, "status": PairStatus.NOT_SAME,
                      "decided_by": pair.decided_by, "decided_at": now, "detected_at": pair.detected_at,
                      "last_seen_at": pair.last_seen_at,
                      "decision_note": _("Carried over from a merged record.")})
        carried += int(created)
    return {"withdrawn": withdrawn, "not_same_carried_over": carried}


@transaction.atomic
def children_merge(*, actor, pair: DuplicatePair, survivor: str, choices: dict[str, str],
                   versions: dict[str, int] | None = None, request=None) -> Child:
    """Merge the two records of a pair into one.

    survivor: "a" or "b", the record that stays; choices: {field: "a" or "b"}, whose value each fact takes (a field
    not named keeps the survivor's value). The other record is kept with status "merged" and merged_into = survivor;
    its circumstances, risks, carer links, measurements and case links move to the survivor; the audit events of both
    stay (quality.selectors.merged_history shows them together) and one event on each records the full before/after.
    versions: {"a": version seen, "b": version seen}; a stale one raises registry.services.VersionConflict.
    """
    if survivor not in ("a", "b"):
        raise ValidationError(_("Choose the record to keep."))
    registry.hold_personal_ids()  # the survivor may take the other's number; register lock before row locks
    pair = _locked_pair(pair)
    locked = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=[pair.child_a_id, pair.child_b_id])}
    records = {"a": locked[pair.child_a_id], "b": locked[pair.child_b_id]}
    for child in records.values():
        child.commune = Unit.objects.get(pk=child.commune_id)
    require(actor, EDIT, records["a"].commune, records["b"].commune)
    if pair.status != PairStatus.OPEN:
        raise QualityProblem(_("This pair was already decided."))
    for side, child in records.items():
        if child.status not in findings.ON_REGISTER:
            raise QualityProblem(_("%(name)s is no longer on the register (%(status)s): the pair cannot be merged.")
                                 % {"name": child.full_name, "status": child.get_status_display()})
        if versions and versions.get(side) is not None and int(versions[side]) != child.version:
            raise registry.VersionConflict(child)
    keep, gone = records[survivor], records["b" if survivor == "a" else "a"]
    before = {"survivor": merge_snapshot(keep), "merged": merge_snapshot(gone)}
    data = {}
    for field in MERGE_FIELDS:
        source = records.get(choices.get(field) or survivor, keep)
        if source is gone and getattr(gone, field) != getattr(keep, field):
            data[field] = getattr(gone, field)
    if data:
        # The merged record leaves the register first, so the survivor may take its personal ID (one child's number).
        Child.objects.filter(pk=gone.pk).update(status=ChildStatus.MERGED)
        keep = registry.child_update(actor=actor, child=keep, data=data, version=None, request=request)
    now, today = timezone.now(), timezone.localdate()
    reason = _("Merged duplicate record of %(name)s") % {"name": gone.full_name}
    moved = {
        "circumstances": _move_open_items(ChildCircumstance, gone, keep, "group_id", today, reason),
        "risks": _move_open_items(ChildRisk, gone, keep, "flag_id", today, reason),
        "carers": _move_carers(gone, keep),
        "measurements": {"moved": Measurement.objects.filter(child=gone).update(child=keep)},
        "cases": _move_case_links(gone, keep),
    }
    checkpoint("quality.merge.records_changed")
    if keep.household_id is None and gone.household_id is not None:
        Child.objects.filter(pk=keep.pk).update(household_id=gone.household_id)
        moved["household"] = str(gone.household_id)
    Child.objects.filter(merged_into=gone).update(merged_into=keep)  # earlier merges follow to the new survivor
    Child.objects.filter(pk=gone.pk).update(
        status=ChildStatus.MERGED, merged_into=keep, status_on=today, version=F("version") + 1, updated_at=now,
        status_reason=(_("Merged into the record of %(name)s") % {"name": keep.full_name})[:250])
    keep.refresh_from_db()
    gone.refresh_from_db()
    moved["pairs"] = _carry_over_pairs(gone, keep, pair, now)
    Correction.objects.filter(child=gone, status=CorrectionStatus.PROPOSED).update(
        status=CorrectionStatus.OBSOLETE, decided_at=now)
    pair.status, pair.decided_by, pair.decided_at, pair.survivor = PairStatus.MERGED, _user(actor), now, keep
    pair.save(update_fields=["status", "decided_by", "decided_at", "survivor", "updated_at"])
    after = {"survivor": merge_snapshot(keep), "merged": merge_snapshot(gone)}
    summary = {"merged": str(gone.pk), "merged_name": gone.full_name, "pair": str(pair.pk),
               "probability": round(pair.probability, 4), "choices": {k: v for k, v in choices.items() if v},
               "changed": changes(before["survivor"], after["survivor"]), "moved": moved,
               "before": before, "after": after}
    record(actor, "registry.child.merge", keep, unit=keep.commune, request=request, summary=summary)
    record(actor, "registry.child.merged_into", gone, unit=gone.commune, request=request,
           summary={"status": [before["merged"]["status"], ChildStatus.MERGED], "merged_into": str(keep.pk),
                    "survivor_name": keep.full_name, "pair": str(pair.pk), "before": before["merged"]})
    findings.resolve_for([gone.pk], now)
    findings.check_commune(keep.commune, only=[keep.pk])
    if gone.commune_id != keep.commune_id:
        findings.refresh_summary(gone.commune)
    findings.refresh_pair_counts({keep.commune_id, gone.commune_id})
    return keep


# ---------------------------------------------------------------- linkage with the population database


def linkage_start(*, actor, commune: Unit, filename: str, content: bytes, request=None) -> LinkageRun:
    """Store the extract and queue the comparison of the commune's register with it."""
    _commune(commune)
    require(actor, EDIT, commune)
    if not content:
        raise ValidationError(_("The file is empty."))

    records = None
    if len(content) <= background_above_bytes():  # a large extract is read by the job only, not in the request
        try:
            records = len(linkage.CsvPopulationRegistry.from_file(content, filename).records)
        except TableError as exc:
            raise ValidationError(str(exc)) from None
    with transaction.atomic():
        run = LinkageRun.objects.create(commune=commune, province_id=commune.province_id, filename=filename[:255],
                                        content=content, sha256=linkage.sha256(content), created_by=_user(actor),
                                        summary={} if records is None else {"population_records": records})
        record(actor, "quality.linkagerun.create", run, unit=commune, request=request,
               summary={"file": run.filename, "sha256": run.sha256, "size": len(content), "records": records})
        # Through the import pipeline: the upload gate, the stored file, a background job with progress.
        imported = pipeline.upload(PopulationExtract(), actor=actor, file=ContentFile(content, name=filename),
                                   unit=commune, options={"linkage_run": str(run.pk)}, request=request)
        run.job = imported.job
        run.save(update_fields=["job", "updated_at"])
    return run


def _field_value(child: Child, field: str) -> str:
    return linkage.field_text(field, getattr(child, field))


def correction_accept(*, actor, correction: Correction, request=None) -> Correction:
    """Apply a proposed correction to the child (registry.services.child_update, audited) and remember the decision.

    A proposal whose record changed since the comparison is marked obsolete (kept) and refused."""
    with transaction.atomic():
        correction = Correction.objects.select_for_update().get(pk=correction.pk)
        child = Child.objects.select_related("commune").get(pk=correction.child_id)
        require(actor, EDIT, child.commune)
        if correction.status != CorrectionStatus.PROPOSED:
            raise QualityProblem(_("This correction was already decided."))
        if child.status not in findings.ON_REGISTER:
            raise QualityProblem(_("This record is no longer on the register."))
        stale = _field_value(child, correction.field) != correction.current_value
        if stale:
            Correction.objects.filter(pk=correction.pk).update(status=CorrectionStatus.OBSOLETE,
                                                               decided_at=timezone.now())
        else:
            registry.child_update(actor=actor, child=child, data={correction.field: correction.proposed_value},
                                  version=None, request=request)
            correction.status, correction.decided_by = CorrectionStatus.ACCEPTED, _user(actor)
            correction.decided_at = timezone.now()
            correction.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
            record(actor, "quality.correction.accept", correction, unit=child.commune, request=request,
                   summary={"child": str(child.pk), "field": correction.field,
                            correction.field: [correction.current_value, correction.proposed_value],
                            "method": correction.method})
            findings.check_commune(child.commune, only=[child.pk])
            return correction
    raise QualityProblem(_("The record changed after the comparison: the proposal no longer applies. Run the "
                           "comparison again."))


@transaction.atomic
def correction_reject(*, actor, correction: Correction, request=None) -> Correction:
    """The register keeps its value; the same proposal is never made again for this child."""
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    child = Child.objects.select_related("commune").get(pk=correction.child_id)
    require(actor, EDIT, child.commune)
    if correction.status != CorrectionStatus.PROPOSED:
        raise QualityProblem(_("This correction was already decided."))
    correction.status, correction.decided_by, correction.decided_at = CorrectionStatus.REJECTED, _user(actor), \
        timezone.now()
    correction.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record(actor, "quality.correction.reject", correction, unit=child.commune, request=request,
           summary={"child": str(child.pk), "field": correction.field,
                    "kept": correction.current_value, "rejected": correction.proposed_value})
    return correction


# ---------------------------------------------------------------- the cleaning round


@transaction.atomic
def cleaning_round_create(*, actor, commune: Unit, request=None) -> CleaningRound:
    """Step 1: list the commune's children whose ID or basic facts need verifying."""
    _commune(commune)
    require(actor, EDIT, commune)
    items = cleaning.children_to_verify(commune)
    cleaning_round = CleaningRound.objects.create(commune=commune, province_id=commune.province_id, items=items,
                                                  created_by=_user(actor), summary={"listed": len(items)})
    record(actor, "quality.cleaninground.create", cleaning_round, unit=commune, request=request,
           summary={"listed": len(items)})
    return cleaning_round


def _current_facts(child_ids) -> dict[str, dict]:
    qs = cleaning._with_carers(Child.objects.filter(pk__in=list(child_ids)))
    return {str(c.pk): cleaning.current_facts(c) for c in qs}


@transaction.atomic
def cleaning_upload(*, actor, cleaning_round: CleaningRound, filename: str, content: bytes,
                    request=None) -> CleaningRound:
    """Steps 3-4: read the verified sheet into a review. Nothing changes on the register until cleaning_apply."""
    cleaning_round = CleaningRound.objects.select_for_update().select_related("commune").get(pk=cleaning_round.pk)
    require(actor, EDIT, cleaning_round.commune)
    if cleaning_round.status == RoundStatus.APPLIED:
        raise QualityProblem(_("This round was already applied to the register."))
    current = _current_facts(item["child"] for item in cleaning_round.items)
    try:
        review = cleaning.parse_sheet(content, filename, cleaning_round.items, current)
    except TableError as exc:
        raise QualityProblem(str(exc)) from None
    cleaning.check_review(review, actor=actor, commune=cleaning_round.commune)
    cleaning_round.review, cleaning_round.status = review, RoundStatus.REVIEWING
    cleaning_round.upload_name, cleaning_round.upload_sha256 = filename[:255], linkage.sha256(content)
    cleaning_round.uploaded_by, cleaning_round.uploaded_at = _user(actor), timezone.now()
    cleaning_round.save()
    counts = review_counts(review)
    record(actor, "quality.cleaninground.upload", cleaning_round, unit=cleaning_round.commune, request=request,
           summary={"file": cleaning_round.upload_name, "sha256": cleaning_round.upload_sha256, **counts})
    return cleaning_round


def review_counts(review: list[dict]) -> dict:
    return {
        "children_with_changes": sum(1 for e in review if e["kind"] == "update" and e["changes"]),
        "changes": sum(len(e["changes"]) for e in review if e["kind"] == "update"),
        "new_children": sum(1 for e in review if e["kind"] == "create"),
        "rows_with_errors": sum(1 for e in review if e["kind"] == "error"),
    }


def _set_carer_name(actor, child: Child, name: str, request) -> None:
    links = list(ChildCarer.objects.filter(child=child).select_related("carer").order_by("-primary", "pk"))
    if not links:
        registry.carer_link(actor=actor, child=child, relation=CarerRelation.UNKNOWN, full_name=name, primary=True,
                            request=request)
        return
    carer = links[0].carer
    old = carer.full_name
    Carer.objects.filter(pk=carer.pk).update(full_name=name, name_folded=fold(name), version=F("version") + 1,
                                             updated_at=timezone.now())
    record(actor, "registry.child.carer_update", child, unit=child.commune, request=request,
           summary={"carer": str(carer.pk), "full_name": [old, name], "source": "cleaning"})


@transaction.atomic
def cleaning_apply(*, actor, cleaning_round: CleaningRound, accepted: set[str], request=None) -> dict:
    """Apply the accepted changes and creations of a reviewed round, all or nothing, each audited."""
    cleaning_round = CleaningRound.objects.select_for_update().select_related("commune").get(pk=cleaning_round.pk)
    commune = cleaning_round.commune
    require(actor, EDIT, commune)
    if cleaning_round.status != RoundStatus.REVIEWING:
        raise QualityProblem(_("Upload the verified sheet first; a round is applied once."))
    registry.hold_personal_ids()  # new numbers are checked below; register lock before the children's row locks
    updated, created, skipped, applied_changes = 0, 0, [], []
    for entry in cleaning_round.review:
        row = entry["row"]
        if entry["kind"] == "update":
            chosen = [c for c in entry["changes"] if c["id"] in accepted and not c["error"]]
            if not chosen:
                continue
            child = Child.objects.select_for_update().select_related("commune").get(pk=entry["child"])
            if child.commune_id != commune.pk or child.status not in findings.ON_REGISTER:
                skipped.append({"row": row, "why": "not on this commune's register", "message": _(
                    "Row %(row)s: the child is no longer on this commune's register.") % {"row": row}})
                continue
            now_facts = _current_facts([child.pk])[str(child.pk)]
            data, done = {}, 0
            for change in chosen:
                field = change["field"]
                if now_facts[field] != change["old"]:
                    skipped.append({"row": row, "field": field, "why": "changed since upload", "message": _(
                        "Row %(row)s: %(fact)s was changed on the register after the upload.")
                        % {"row": row, "fact": change["label"]}})
                    continue
                if field == "personal_id" and (
                        problem := registry.personal_id_taken(actor, change["new"], exclude_pk=child.pk)):
                    skipped.append({"row": row, "field": field, "why": "personal ID of another child",
                                    "message": _("Row %(row)s: %(problem)s") % {"row": row, "problem": problem}})
                    continue
                if field == "carer_name":
                    _set_carer_name(actor, child, change["new"], request)
                else:
                    data[field] = change["new"]
                applied_changes.append({"child": entry["child"], "field": field, "old": change["old"],
                                        "new": change["new"]})
                done += 1
            if data:
                registry.child_update(actor=actor, child=child, data=data, version=None, request=request)
            updated += bool(done)
        elif entry["kind"] == "create" and entry["id"] in accepted and not entry["errors"]:
            data = {k: v for k, v in entry["data"].items() if k != "carer_name" and v}
            if problem := registry.personal_id_taken(actor, data.get("personal_id", "")):
                skipped.append({"row": row, "why": "personal ID of another child",
                                "message": _("Row %(row)s: %(problem)s") % {"row": row, "problem": problem}})
                continue
            child = registry.child_create(actor=actor, commune=commune, data=data, source="cleaning",
                                          request=request)
            if entry["data"].get("carer_name"):
                registry.carer_link(actor=actor, child=child, relation=CarerRelation.UNKNOWN,
                                    full_name=entry["data"]["carer_name"], primary=True, request=request)
            entry["created_child"] = str(child.pk)
            created += 1
    summary = {**cleaning_round.summary, "updated_children": updated, "changes_applied": len(applied_changes),
               "created_children": created, "skipped": skipped}
    cleaning_round.status, cleaning_round.summary = RoundStatus.APPLIED, summary
    cleaning_round.applied_by, cleaning_round.applied_at = _user(actor), timezone.now()
    cleaning_round.save()
    record(actor, "quality.cleaninground.apply", cleaning_round, unit=commune, request=request,
           summary={**summary, "changes": applied_changes})
    findings.check_commune(commune)
    return summary


def record_export(actor, obj, *, what: str, count: int, unit: Unit, request=None) -> None:
    """Every sheet of children's data that leaves the system is logged (Decree 13/2023: protect exports)."""
    record(actor, f"{obj._meta.label_lower}.export", obj, unit=unit, request=request,
           summary={"what": what, "rows": count})


# ---------------------------------------------------------------- the re-check (phúc tra)


@transaction.atomic
def recheck_draw(*, actor, commune: Unit, size: int | None = None, percent: Decimal | float | None = None,
                 seed: int | None = None, request=None) -> Recheck:
    """Draw a random sample of the commune's active records; the seed and the population are recorded so anyone can
    draw the same sample again (cleaning.draw_sample)."""
    _commune(commune)
    require(actor, EDIT, commune.province)  # phúc tra: a higher level, not the commune's own workers
    population = cleaning.recheck_population(commune)
    if not population:
        raise QualityProblem(_("This commune has no children on its register."))
    try:
        n = cleaning.sample_size(len(population), size=size, percent=percent)
    except ValueError:
        raise ValidationError(_("Give the sample size or a percentage.")) from None
    if n < 1:
        raise ValidationError(_("The sample would be empty."))
    seed = int(seed) if seed not in (None, "") else secrets.randbelow(2**31)
    sample = cleaning.draw_sample(population, n, seed)
    recheck = Recheck.objects.create(
        commune=commune, province_id=commune.province_id, seed=seed, requested_size=size or None,
        requested_percent=percent or None, population_count=len(population),
        population_sha256=cleaning.population_hash(population), population=population,
        drawn_on=timezone.localdate(), created_by=_user(actor))
    RecheckItem.objects.bulk_create([RecheckItem(recheck=recheck, child_id=pk, position=i)
                                     for i, pk in enumerate(sample, start=1)])
    record(actor, "quality.recheck.create", recheck, unit=commune, request=request,
           summary={"seed": seed, "population": len(population), "sample": n,
                    "population_sha256": recheck.population_sha256})
    return recheck


@transaction.atomic
def recheck_record(*, actor, item: RecheckItem, outcome: str, wrong_fields=(), note: str = "",
                   request=None) -> RecheckItem:
    item = RecheckItem.objects.select_for_update().select_related("recheck__commune").get(pk=item.pk)
    commune = item.recheck.commune
    require(actor, EDIT, commune.province)  # phúc tra: a higher level, not the commune's own workers
    if outcome not in (Outcome.CORRECT, Outcome.WRONG, Outcome.PENDING):
        raise ValidationError(_("Choose correct or wrong."))
    fields = [f for f in wrong_fields if f in cleaning.RECHECK_FACTS] if outcome == Outcome.WRONG else []
    note = (note or "").strip()[:300] if outcome == Outcome.WRONG else ""
    if outcome == Outcome.WRONG and not fields and not note:
        raise ValidationError(_("Say what is wrong: tick the facts or write a note."))
    before = {"outcome": item.outcome, "wrong_fields": item.wrong_fields, "note": item.note}
    item.outcome, item.wrong_fields, item.note = outcome, fields, note
    item.recorded_by, item.recorded_at = _user(actor), timezone.now()
    item.save()
    record(actor, "quality.recheck.record", item.recheck, unit=commune, request=request,
           summary={"child": str(item.child_id), "position": item.position,
                    **changes(before, {"outcome": outcome, "wrong_fields": fields, "note": note})})
    return item


__all__ = ["QualityProblem", "check_start", "children_merge", "cleaning_apply",
           "cleaning_round_create", "cleaning_upload", "correction_accept", "correction_reject", "duplicates_start",
           "linkage_start", "pair_not_same", "primary_carer_name", "recheck_draw", "recheck_record"]
