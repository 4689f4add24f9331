"""Every write of bound targets and reported values: permission checked, audited, atomic.

Reported values follow their submission (plans.Submission) without plans knowing about indicators: `values_sync`
moves them draft -> submitted -> accepted from the submission's status. It runs when the values form is opened, in
`refresh_status` (and so in `treem indicator-report`), and after every save here; accepted values are locked (a
change is `value_correct`, which keeps the previous figures in a ValueRevision with the reason).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.access import Capability, forbid_unless, require, scope_for
from treem.audit.services import record
from treem.core.formats import format_number
from treem.core.text import fold
from treem.geo.models import Unit, UnitConversion, UnitLevel
from treem.plans.models import ReportingRound, RoundStatus, Submission, SubmissionStatus, Target
from treem.plans.rounds import may_report_for, submission_submit, targets_for

from . import binding as matcher
from .models import Indicator, Measure, Method, Source, TargetBinding, Value, ValueRevision, ValueStatus
from .status import current_rule, judge, series_for
from .sync import values_sync

C = Capability
# Directive 28-CT/TW's targets run to 2030: the year a target without one is proposed to be reached by.
DEFAULT_TARGET_YEAR = 2030
MAX_VALUE = Decimal("1e12")


def jump_factor() -> Decimal:
    """A value more than N times (or less than 1/N of) last year's asks for a comment. N: settings, default 3."""
    return Decimal(str(getattr(settings, "INDICATOR_JUMP_FACTOR", 3)))


def _user(actor):
    return actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None


# -- binding targets ------------------------------------------------------------------------------------------------


def binding_propose(target: Target, limit: int = 5) -> list[matcher.Candidate]:
    """Indicators the target's text may measure, best first, each with a score (0..1)."""
    indicators = Indicator.objects.valid_on(timezone.localdate())
    return matcher.propose(target.text, target.unit, target.indicator_code, indicators, limit)


def proposed_years(target: Target) -> tuple[int | None, int | None]:
    """(baseline year, target year) when the target does not give them: a "so far" figure of a document issued in
    year Y is of Y-1; the end of the period is the document's "đến năm 20xx", else Directive 28's 2030."""
    baseline = target.baseline_year
    if baseline is None and target.baseline_value is not None and target.document.issued_on:
        baseline = target.document.issued_on.year - 1
    dated = [v.year for v in target.values.all() if v.year]
    if dated:
        return baseline, max(dated)
    found = re.findall(r"den nam (20\d\d)", fold(f"{target.text} {target.document.title}"))
    return baseline, int(found[-1]) if found else DEFAULT_TARGET_YEAR


def _current_province(unit: Unit) -> Unit | None:
    return unit if unit.level == UnitLevel.PROVINCE else unit.province


def target_bind(actor, target: Target, indicator: Indicator, unit: Unit, baseline_unit: Unit | None = None, *,
                baseline_year: int | None = None, target_year: int | None = None) -> TargetBinding:
    """Bind a plan target to an indicator measured on `unit` (the target's province or one of its communes).
    `baseline_unit`: the legacy territory the baseline was measured on (Sóc Trăng for a Cần Thơ target)."""
    document = target.document
    if document.province_id is None:
        raise ValidationError(_("A national target cannot be bound to a province or a commune: bind the "
                                "province's own target."))
    require(actor, C.EDIT_PLANS, document.province)
    require(actor, C.EDIT_PLANS, unit)
    if not unit.is_current:
        raise ValidationError(_("%(unit)s no longer exists: bind the target to the unit it became, and name the old "
                                "one as the territory of the baseline.") % {"unit": unit})
    province = _current_province(unit)
    if province is None or province.pk != document.province_id:
        raise ValidationError(_("%(unit)s is not in %(province)s, the province that set this target: choose the "
                                "province or one of its communes.") % {"unit": unit, "province": document.province})
    if indicator.valid_to and indicator.valid_to < timezone.localdate():
        raise ValidationError(_("The indicator %(name)s is no longer in the catalogue (ended %(day)s).")
                              % {"name": indicator.name, "day": indicator.valid_to.strftime("%d/%m/%Y")})
    if indicator.method == Method.COMPUTED and unit.level not in (UnitLevel.PROVINCE, UnitLevel.COMMUNE):
        raise ValidationError(_("A computed indicator is measured on communes and provinces only."))
    if baseline_unit is not None and baseline_unit.pk != unit.pk:
        became = UnitConversion.objects.filter(legacy=baseline_unit, current__in=[unit, province]).exists()
        if baseline_unit.is_current or not became:
            raise ValidationError(_("The baseline's territory %(old)s did not become %(unit)s: choose the old unit "
                                    "that became it, or none.") % {"old": baseline_unit, "unit": unit})
    for year in (baseline_year, target_year):
        if year is not None and not 1990 <= year <= 2100:
            raise ValidationError(_("A year is between 1990 and 2100."))
    proposed_baseline, proposed_target = proposed_years(target)
    with transaction.atomic():
        binding, created = TargetBinding.objects.update_or_create(
            target=target,
            defaults={"indicator": indicator, "unit": unit, "baseline_unit": baseline_unit, "confirmed": True,
                      "bound_by": _user(actor), "baseline_year": baseline_year or proposed_baseline,
                      "target_year": target_year or proposed_target})
        if target.indicator_code != indicator.code:
            Target.objects.filter(pk=target.pk).update(indicator_code=indicator.code)
        record(actor, "indicators.binding.bind", binding, unit=unit,
               summary={"indicator": indicator.code, "unit": unit.code, "created": created,
                        "baseline_unit": baseline_unit.code if baseline_unit else ""})
        status_store(binding)
    return binding


def status_store(binding: TargetBinding) -> TargetBinding:
    binding = (TargetBinding.objects.select_related("target__document", "indicator", "unit")
               .prefetch_related("target__values").get(pk=binding.pk))
    result = judge(binding, current_rule())
    series = series_for(binding.indicator, binding.unit)
    binding.status = result.status
    binding.latest_year, binding.latest_value = series[-1] if series else (None, None)
    binding.forecast_value = result.forecast
    binding.status_at = timezone.now()
    binding.save()
    return binding


# -- reported values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comment: str = ""


def entry_from(data: dict) -> Entry:
    """An Entry from JSON-like data (the API): numbers as numbers or strings with a decimal point."""

    def number(key):
        raw = data.get(key)
        if raw is None or raw == "":
            return None
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise ValidationError({key: [_("Not a number.")]}) from None
        if not value.is_finite():
            raise ValidationError({key: [_("Not a number.")]})
        return value

    return Entry(number("value"), number("numerator"), number("denominator"), str(data.get("comment") or "")[:1000])


def reporting_unit(submission: Submission) -> Unit:
    """The unit an agency reports for: its commune (a commune's committee) or the round's province."""
    return submission.agency.unit or submission.round.province


def _lead_key(name: str) -> str:
    folded = fold(name)
    for prefix in ("so ", "bo ", "nganh ", "phong ", "uy ban nhan dan ", "ubnd "):
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def reported_indicators(submission: Submission) -> list[Indicator]:
    """The reported indicators of the agency's submission: those it leads (Indicator.lead_agency_vi names it), and
    those bound to the round's targets it reports on."""
    agency = submission.agency
    key = _lead_key(agency.name)
    on = submission.round.deadline
    reported = Indicator.objects.valid_on(on).filter(method=Method.REPORTED)
    led = {ind.pk for ind in reported if ind.lead_agency_vi
           and key in [_lead_key(part) for part in re.split(r"[,;]", ind.lead_agency_vi)]}
    target_ids = [t.pk for t in targets_for(submission.round, agency)]
    bound = set(TargetBinding.objects.filter(target_id__in=target_ids, indicator__method=Method.REPORTED)
                .values_list("indicator_id", flat=True))
    return list(reported.filter(pk__in=led | bound).order_by("group", "order", "code"))


def last_values(indicators, unit: Unit, year: int) -> dict[int, Value]:
    """Last year's accepted value of each indicator for the unit (the form is pre-filled with it)."""
    rows = Value.objects.filter(indicator__in=indicators, unit=unit, year=year - 1, sub_period=0, disaggregation="",
                                status=ValueStatus.ACCEPTED)
    return {v.indicator_id: v for v in rows}


def check_entry(indicator: Indicator, entry: Entry, last: Value | None) -> tuple[Decimal | None, list[str]]:
    """The value to store and what is wrong with the entry (Vietnamese sentences saying what to fix)."""
    errors = []
    num, den, value = entry.numerator, entry.denominator, entry.value
    for number in (num, den, value):
        if number is not None and (not number.is_finite() or abs(number) >= MAX_VALUE):
            return None, [_("The number is too large.")]
    if (num is not None and num < 0) or (den is not None and den < 0) or (value is not None and value < 0):
        errors.append(_("Figures cannot be negative."))
    is_rate = indicator.measure != Measure.COUNT
    if is_rate and (num is None) != (den is None):
        errors.append(_("Give both the numerator and the denominator, or neither."))
    if is_rate and den is not None and den == 0:
        errors.append(_("The denominator cannot be 0."))
    if indicator.measure in (Measure.PERCENT, Measure.PER_MILLE) and num is not None and den is not None \
            and num > den:
        errors.append(_("The numerator (%(num)s) is larger than the denominator (%(den)s): the part cannot be larger "
                        "than the whole.") % {"num": format_number(num, 4, trim=True),
                                              "den": format_number(den, 4, trim=True)})
    if errors:
        return None, errors
    if is_rate and num is not None and den is not None:
        computed = (num / den * indicator.multiplier).quantize(Decimal("0.0001"))
        if value is not None and abs(value - computed) > Decimal("0.05"):
            errors.append(_("The value %(value)s does not match the numerator and denominator (%(computed)s): "
                            "correct one of them, or leave the value empty.")
                          % {"value": format_number(value, 4, trim=True),
                             "computed": format_number(computed, 2, trim=True)})
        value = computed
    if indicator.measure == Measure.COUNT and value is None and num is not None:
        value = num
    if value is None:
        return None, errors
    if indicator.measure == Measure.PERCENT and value > 100:
        errors.append(_("A percentage is between 0 and 100 (you entered %(value)s).")
                      % {"value": format_number(value, 4, trim=True)})
    if indicator.measure == Measure.PER_MILLE and value > 1000:
        errors.append(_("A per mille value is between 0 and 1000 (you entered %(value)s).")
                      % {"value": format_number(value, 4, trim=True)})
    if indicator.measure == Measure.COUNT and value != value.to_integral_value():
        errors.append(_("A count is a whole number."))
    n = jump_factor()
    jumped = last is not None and last.value and (value > last.value * n or value * n < last.value)
    if jumped and not entry.comment.strip() and not errors:
        errors.append(_("%(value)s is more than %(n)s times or less than 1/%(n)s of last year's %(last)s: check "
                        "it, and if it is right, say why in the comment.")
                      % {"value": format_number(value, 4, trim=True), "n": format_number(n, 0),
                         "last": format_number(last.value, 4, trim=True)})
    return value, errors


def _refuse_if_locked(submission: Submission, round_: ReportingRound) -> None:
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("The round %(round)s is closed: values can no longer be sent in it.")
                              % {"round": round_.title})
    if submission.status == SubmissionStatus.ACCEPTED:
        raise ValidationError(_("This report has been accepted: its values are locked; the consolidating agency "
                                "can correct a value, giving the reason."))
    if not submission.editable:
        raise ValidationError(_("This report has been submitted: its values can be changed only if it is returned "
                                "for correction."))


@transaction.atomic
def reported_values_save(actor, submission: Submission, entries: dict[str, Entry], *, submit: bool = False,
                         request=None) -> list[Value]:
    """Save the agency's values for the round's year ({indicator code: Entry}); all or nothing. With `submit`, the
    submission is submitted in the same transaction (a refused submission saves nothing)."""
    submission = Submission.objects.select_for_update().select_related("round__province", "agency").get(
        pk=submission.pk)
    round_ = submission.round
    forbid_unless(scope_for(actor), may_report_for(actor, submission.agency), needs=C.REPORT_FOR_AGENCY)
    _refuse_if_locked(submission, round_)
    allowed = {ind.code: ind for ind in reported_indicators(submission)}
    unit = reporting_unit(submission)
    year = round_.period_year
    last = last_values(allowed.values(), unit, year)
    existing = {v.indicator.code: v for v in Value.objects.select_related("indicator", "submission__agency").filter(
        indicator__code__in=list(entries), unit=unit, year=year, sub_period=0, disaggregation="")}
    errors: dict[str, list[str]] = {}
    checked = {}
    for code, entry in entries.items():
        indicator = allowed.get(code)
        if indicator is None:
            errors[code] = [_("Your agency does not report this indicator in this round.")]
            continue
        value, problems = check_entry(indicator, entry, last.get(indicator.pk))
        old = existing.get(code)
        if old is not None and old.submission_id != submission.pk:
            if old.locked or old.source != Source.REPORTED:
                problems.append(_("This figure is already recorded for %(year)s (%(value)s): ask the consolidating "
                                  "agency to correct it.") % {"year": year,
                                                              "value": format_number(old.value, 2, trim=True)})
            else:
                problems.append(_("%(agency)s has already reported this figure for %(year)s.")
                                % {"agency": old.submission.agency.name if old.submission else "", "year": year})
        if problems:
            errors[code] = problems
        checked[code] = (indicator, entry, value)
    if errors:
        raise ValidationError(errors)
    saved = []
    for code, (indicator, entry, value) in checked.items():
        old = existing.get(code)
        if value is None:
            if old is not None:
                old.delete()
            continue
        fields = {"numerator": entry.numerator, "denominator": entry.denominator, "value": value,
                  "source": Source.REPORTED, "status": ValueStatus.DRAFT, "submission": submission,
                  "reported_by": _user(actor), "comment": entry.comment.strip(),
                  "provenance": {"submission": str(submission.pk), "agency": submission.agency.name,
                                 "round": round_.title}}
        row, _created = Value.objects.update_or_create(indicator=indicator, unit=unit, year=year, sub_period=0,
                                                       disaggregation="", defaults=fields)
        saved.append(row)
    record(actor, "indicators.value.report", submission, unit=round_.province, request=request,
           summary={"values": len(saved), "year": year,
                    "indicators": sorted(checked)[:50]})
    if submit:
        submission_submit(actor=actor, submission=submission)
        values_sync(submissions=[submission.pk])
    return saved


@transaction.atomic
def value_correct(actor, value: Value, new: Entry, reason: str, *, request=None) -> Value:
    """Correct an accepted (locked) reported or imported value; the previous figures stay in a ValueRevision."""
    value = Value.objects.select_for_update(of=("self",)).select_related("indicator", "unit").get(pk=value.pk)
    if value.unit is None:
        require(actor, C.EDIT_PLANS)
        forbid_unless(scope_for(actor), scope_for(actor).is_national(C.EDIT_PLANS), needs=C.EDIT_PLANS)
    else:
        require(actor, C.EDIT_PLANS, value.unit)
    if value.source in (Source.COMPUTED, Source.DERIVED):
        raise ValidationError(_("A computed value is not corrected by hand: correct the records it is counted "
                                "from, and it is counted again."))
    if not value.locked:
        raise ValidationError(_("Only an accepted value is corrected; a draft is changed by the agency that "
                                "reports it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the value is corrected."))
    new_value, errors = check_entry(value.indicator, Entry(new.value, new.numerator, new.denominator,
                                                           new.comment or reason), None)
    if errors:
        raise ValidationError(errors)
    if new_value is None:
        raise ValidationError(_("Give the corrected value."))
    ValueRevision.objects.create(value=value, numerator=value.numerator, denominator=value.denominator,
                                 old_value=value.value, old_status=value.status, reason=reason[:2000],
                                 changed_by=_user(actor))
    old = value.value
    value.numerator, value.denominator, value.value = new.numerator, new.denominator, new_value
    value.save(update_fields=["numerator", "denominator", "value", "updated_at"])
    record(actor, "indicators.value.correct", value, unit=value.unit, request=request,
           summary={"old": str(old), "new": str(new_value), "reason": reason[:300]})
    return value


def today() -> date:
    return timezone.localdate()
