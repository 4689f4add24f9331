"""Every write of the child-friendly module: one transaction each, the permission checked through treem.access, a
typed audit event (audit_actions.py) in the same transaction. Bad input raises ValidationError with a Vietnamese
message before anything is written; every change of a value or score after submission is kept (ScoreChange)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, scope_for
from treem.audit.services import record
from treem.core import uploads
from treem.core.exceptions import NotAllowed
from treem.core.formats import format_date, parse_decimal_vi
from treem.geo.models import Unit, UnitLevel

from . import scoring, sources
from .models import (
    Assessment,
    Authority,
    Criterion,
    EvidenceFile,
    FileKind,
    RecognitionDecision,
    ScoreChange,
    ScoreCorrection,
    Standard,
    Status,
    Step,
    SubIndicator,
    SubmissionWindow,
    Value,
)

VIEW = Capability.VIEW_INDICATORS  # read assessments (a commune its own, a province its communes)
ASSESS = Capability.EDIT_CHILDREN  # the commune's self-assessment: held on the commune itself
EDITABLE = (Status.DRAFT, Status.RETURNED)
MAX_BYTES = 20 * 1024 * 1024
FILE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".odt", ".ods")


# ---------------------------------------------------------------- who may


def may_assess(actor, commune: Unit) -> bool:
    scope = scope_for(actor)
    return scope.is_system or commune.pk in scope.commune_ids(ASSESS)


def authority(step: str, province: Unit, on: date) -> Authority | None:
    """The authority for a step in a province on a day: the province's own configuration first, else the default."""
    found = Authority.objects.valid_on(on).filter(Q(province=province) | Q(province__isnull=True), step=step)
    return found.order_by(F("province_id").asc(nulls_last=True), "-valid_from").first()


def may_act(actor, step: str, province: Unit, on: date | None = None) -> bool:
    """Holds the role the configuration names for this step, on this province (or nationally)."""
    scope = scope_for(actor)
    if scope.is_system:
        return True
    found = authority(step, province, on or timezone.localdate())
    if found is None:
        return False
    return any(g.role == found.role and (g.national or g.province_id == province.pk) for g in scope.grants)


def _require_assess(actor, commune):
    if not may_assess(actor, commune):
        raise NotAllowed(_("Only the commune's own child-protection worker fills in its self-assessment."),
                         needs=ASSESS)


def _require_step(actor, step, province):
    if not may_act(actor, step, province):
        message = (_("You are not the appraiser of this province's assessments.") if step == Step.APPRAISE
                   else _("You may not recognise this province's communes."))
        raise NotAllowed(message)


def _editable(assessment):
    if assessment.status not in EDITABLE:
        raise ValidationError(_("The assessment was submitted: it can no longer be changed by the commune."))


# ---------------------------------------------------------------- the window


def window(year: int) -> tuple[date, date] | None:
    """The submission window of a year's assessment (first and last day), from the data."""
    found = SubmissionWindow.objects.valid_on(scoring.assessment_day(year)).first()
    if found is None:
        return None
    return (date(year, found.opens_month, found.opens_day), date(year, found.closes_month, found.closes_day))


# ---------------------------------------------------------------- the commune


@transaction.atomic
def assessment_start(*, actor, commune: Unit, year: int) -> Assessment:
    _require_assess(actor, commune)
    if commune.level != UnitLevel.COMMUNE:
        raise ValidationError(_("Choose a commune."))
    if not 2019 <= year <= timezone.localdate().year + 1:
        raise ValidationError(_("The year must be between 2019 and next year."))
    if Assessment.objects.filter(commune=commune, year=year).exists():
        raise ValidationError(_("The commune already has an assessment for %(year)s.") % {"year": year})
    standard = Standard.objects.valid_on(scoring.assessment_day(year)).first()
    if standard is None:
        raise ValidationError(_("No child-friendly standard is in force for %(year)s.") % {"year": year})
    assessment = Assessment.objects.create(commune=commune, province_id=commune.province_id, year=year,
                                           standard=standard, legacy=not commune.is_current)
    rows = []
    for sub in SubIndicator.objects.filter(criterion__standard=standard):
        computed = sources.compute(sub.source, commune, year).value if sub.source else None
        rows.append(Value(assessment=assessment, sub_indicator=sub, value=computed, computed_value=computed))
    Value.objects.bulk_create(rows)
    record(actor, "childfriendly.assessment.create", assessment, unit=commune, summary={"year": year})
    return assessment


def parse_value(sub: SubIndicator, text) -> Decimal | None:
    """A typed value (Vietnamese decimal comma accepted), within the sub-indicator's range; '' -> None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = text if isinstance(text, Decimal) else (
            Decimal(text) if isinstance(text, int) else parse_decimal_vi(str(text)))
    except (ValueError, InvalidOperation, ValidationError):
        raise ValidationError(_("%(code)s: “%(text)s” is not a number.")
                              % {"code": sub.code, "text": str(text)[:30]}) from None
    if not value.is_finite() or value < sub.min_value or value > sub.max_value:
        raise ValidationError(_("%(code)s: the value must be between %(low)s and %(high)s.") % {
            "code": sub.code, "low": scoring.show(sub.min_value, "count"),
            "high": scoring.show(sub.max_value, "count")})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def values_save(*, actor, assessment: Assessment, criterion: Criterion, values: dict, notes: dict | None = None,
                reason: str = "") -> list[str]:
    """Save one criterion's values ({sub-indicator code: text}). After a return, a reason is required and every
    change is kept. Returns the codes changed."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_assess(actor, assessment.commune)
    _editable(assessment)
    notes = notes or {}
    subs = list(criterion.sub_indicators.all())
    if criterion.standard_id != assessment.standard_id:
        raise ValidationError(_("This criterion is not part of the assessment's standard."))
    errors, parsed = [], {}
    for sub in subs:
        try:
            parsed[sub.code] = parse_value(sub, values.get(sub.code))
        except ValidationError as exc:
            errors += exc.messages
        if len(notes.get(sub.code, "") or "") > 500:
            errors.append(_("%(code)s: the explanation is longer than 500 characters.") % {"code": sub.code})
    reason = (reason or "").strip()
    if len(reason) > 500:
        errors.append(_("The reason is longer than 500 characters."))
    stored = {v.sub_indicator_id: v for v in assessment.values.filter(sub_indicator__in=subs)}
    changed = [sub for sub in subs if stored[sub.pk].value != parsed[sub.code]
               or stored[sub.pk].note != (notes.get(sub.code) or "").strip()] if not errors else []
    after_submission = assessment.submitted_at is not None
    if after_submission and changed and not reason:
        errors.append(_("The assessment was already submitted once: say why the values change."))
    if errors:
        raise ValidationError(errors)
    summary = {}
    for sub in changed:
        row = stored[sub.pk]
        if row.value != parsed[sub.code]:
            summary[sub.code] = [str(row.value) if row.value is not None else None,
                                 str(parsed[sub.code]) if parsed[sub.code] is not None else None]
            if after_submission:
                ScoreChange.objects.create(assessment=assessment, criterion=criterion, sub_indicator=sub,
                                           old=row.value, new=parsed[sub.code], reason=reason, by=actor)
        row.value = parsed[sub.code]
        row.note = (notes.get(sub.code) or "").strip()
        row.save(update_fields=["value", "note"])
    if changed:
        record(actor, "childfriendly.values.save", assessment, unit=assessment.commune,
               summary={"criterion": criterion.number, "values": summary, **({"reason": reason} if reason else {})})
    return [sub.code for sub in changed]


@transaction.atomic
def file_add(*, actor, assessment: Assessment, upload, kind: str, title: str, criterion: Criterion | None = None
             ) -> EvidenceFile:
    """An evidence file or the council's minutes, through the upload gate (size; type by content)."""
    _require_assess(actor, assessment.commune)
    _editable(assessment)
    if kind not in FileKind.values:
        raise ValidationError(_("Choose the kind of file."))
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(_("Give the file a title of at most 200 characters."))
    if criterion is not None and criterion.standard_id != assessment.standard_id:
        raise ValidationError(_("This criterion is not part of the assessment's standard."))
    checked = uploads.receive(upload, allowed=FILE_EXTENSIONS, max_bytes=MAX_BYTES)
    item = EvidenceFile(assessment=assessment, criterion=criterion, kind=kind, title=title,
                        original_name=checked.name, content_type=checked.kind.content_type,
                        extension=checked.extension, size=checked.size, sha256=checked.sha256, uploaded_by=actor)
    item.file.save("upload", ContentFile(checked.content), save=False)
    item.save()
    record(actor, "childfriendly.file.add", assessment, unit=assessment.commune,
           summary={"title": title, "kind": kind, **checked.report()})
    return item


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment, declared_total=None, on: date | None = None) -> Assessment:
    """Draft (or returned) -> submitted. The first submission must fall in the window; a returned assessment goes
    back to the province whenever the commune has answered. A total typed by hand must match the criteria's."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_assess(actor, assessment.commune)
    _editable(assessment)
    on = on or timezone.localdate()
    errors = []
    if assessment.status == Status.DRAFT:
        span = window(assessment.year)
        if span is None:
            errors.append(_("No submission window is set for %(year)s.") % {"year": assessment.year})
        elif not span[0] <= on <= span[1]:
            errors.append(_("Submissions for %(year)s are accepted from %(opens)s to %(closes)s.") % {
                "year": assessment.year, "opens": format_date(span[0]), "closes": format_date(span[1])})
    missing = [v.sub_indicator.code for v in assessment.values.select_related("sub_indicator") if v.value is None]
    if missing:
        errors.append(_("Values missing: %(codes)s.") % {"codes": ", ".join(missing)})
    if not assessment.files.filter(kind=FileKind.MINUTES).exists():
        errors.append(_("Attach the minutes of the commune assessment council."))
    score = scoring.assessment_score(assessment)
    if declared_total not in (None, ""):
        try:
            typed = int(str(declared_total).strip())
        except ValueError:
            typed = None
        if typed != score.self_total:
            errors.append(_("The total typed (%(typed)s) does not match the sum of the criteria (%(total)s).")
                          % {"typed": str(declared_total)[:12], "total": score.self_total})
    if errors:
        raise ValidationError(errors)
    again = assessment.status == Status.RETURNED
    assessment.status = Status.SUBMITTED
    assessment.submitted_by = actor
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    record(actor, "childfriendly.assessment.submit", assessment, unit=assessment.commune,
           summary={"total": score.self_total, "recognised_expected": score.verdict.recognised,
                    **({"again": True} if again else {})})
    return assessment


# ---------------------------------------------------------------- the province


def _submitted(assessment):
    if assessment.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be appraised."))


@transaction.atomic
def assessment_return(*, actor, assessment: Assessment, comment: str) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_step(actor, Step.APPRAISE, assessment.province)
    _submitted(assessment)
    comment = (comment or "").strip()
    if not comment or len(comment) > 2000:
        raise ValidationError(_("Say what the commune must change (at most 2000 characters)."))
    assessment.status = Status.RETURNED
    assessment.returned_comment = comment
    assessment.save(update_fields=["status", "returned_comment", "updated_at"])
    record(actor, "childfriendly.assessment.return", assessment, unit=assessment.commune,
           summary={"comment": comment})
    return assessment


@transaction.atomic
def score_correct(*, actor, assessment: Assessment, criterion: Criterion, points, reason: str) -> ScoreCorrection:
    """The province's points for a criterion, with the reason; the change is kept."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_step(actor, Step.APPRAISE, assessment.province)
    _submitted(assessment)
    if criterion.standard_id != assessment.standard_id:
        raise ValidationError(_("This criterion is not part of the assessment's standard."))
    try:
        points = int(str(points).strip())
    except ValueError:
        raise ValidationError(_("The points must be a whole number.")) from None
    if not 0 <= points <= criterion.max_points:
        raise ValidationError(_("The points of criterion %(n)s must be between 0 and %(max)s.")
                              % {"n": criterion.number, "max": criterion.max_points})
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError(_("Give the reason for the correction (at most 500 characters)."))
    before = scoring.assessment_score(assessment).criterion(criterion.number).points
    correction, _created = ScoreCorrection.objects.update_or_create(
        assessment=assessment, criterion=criterion, defaults={"points": points, "reason": reason})
    ScoreChange.objects.create(assessment=assessment, criterion=criterion, old=before, new=points, reason=reason,
                               by=actor)
    record(actor, "childfriendly.score.correct", assessment, unit=assessment.commune,
           summary={"criterion": criterion.number, "points": [before, points], "reason": reason})
    return correction


@transaction.atomic
def assessment_appraise(*, actor, assessment: Assessment, comment: str = "") -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_step(actor, Step.APPRAISE, assessment.province)
    _submitted(assessment)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError(_("The comments are longer than 2000 characters."))
    score = scoring.assessment_score(assessment)
    assessment.status = Status.APPRAISED
    assessment.appraised_by = actor
    assessment.appraised_at = timezone.now()
    assessment.appraisal_comment = comment
    assessment.save(update_fields=["status", "appraised_by", "appraised_at", "appraisal_comment", "updated_at"])
    record(actor, "childfriendly.assessment.appraise", assessment, unit=assessment.commune,
           summary={"total": score.total, "recognised_expected": score.verdict.recognised})
    return assessment


def _number(province: Unit, on: date, body_code: str) -> str:
    """The next number of the province's yearly register of recognition decisions: "03/QĐ-UBND" (Decree 30: two
    digits at least, the count restarts each year)."""
    serials = [int(n.split("/")[0]) for n in RecognitionDecision.objects.filter(
        province=province, register_year=on.year).values_list("number", flat=True) if n.split("/")[0].isdigit()]
    return f"{max(serials, default=0) + 1:02d}/QĐ-{body_code}"


@transaction.atomic
def recognise(*, actor, province: Unit, year: int, assessments, signer: str, signed_on: date | None = None
              ) -> RecognitionDecision:
    """One decision recognising the chosen communes; each must have been appraised and pass the rule."""
    _require_step(actor, Step.RECOGNISE, province)
    signed_on = signed_on or timezone.localdate()
    ids = [a.pk for a in assessments]
    chosen = list(Assessment.objects.select_for_update().filter(pk__in=ids).select_related("commune"))
    errors = []
    if not chosen:
        errors.append(_("Choose the communes to recognise."))
    signer = (signer or "").strip()
    if not signer or len(signer) > 150:
        errors.append(_("Name who signs the decision (at most 150 characters)."))
    for a in chosen:
        if a.province_id != province.pk or a.year != year:
            errors.append(_("%(commune)s: not an assessment of this province and year.") % {"commune": a.commune.name})
        elif a.status != Status.APPRAISED:
            errors.append(_("%(commune)s: the assessment has not been appraised.") % {"commune": a.commune.name})
        elif not scoring.assessment_score(a).verdict.recognised:
            errors.append(_("%(commune)s: does not meet the standard.") % {"commune": a.commune.name})
    if errors:
        raise ValidationError(errors)
    body = authority(Step.RECOGNISE, province, signed_on)
    decision = RecognitionDecision.objects.create(
        province=province, year=year, number=_number(province, signed_on, body.body_code if body else "UBND"),
        signed_on=signed_on, register_year=signed_on.year, signer=signer, created_by=actor,
        body_name=body.body_name if body else "ỦY BAN NHÂN DÂN")
    for a in chosen:
        a.status = Status.RECOGNISED
        a.decision = decision
        a.save(update_fields=["status", "decision", "updated_at"])
    record(actor, "childfriendly.decision.create", decision, unit=province,
           summary={"year": year, "count": len(chosen), "number": decision.number})
    return decision
