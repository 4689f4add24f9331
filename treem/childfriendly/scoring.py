"""Scoring by the standard's data: a sub-indicator's points from its value, a criterion's points, the verdict.

Pure functions over plain values (tested with hypothesis); `assessment_score` gathers them for one assessment.
Reasons are built when shown (in the reader's language), never stored.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from treem.core.formats import format_number

from .models import (
    Assessment,
    CommuneClassification,
    CommuneType,
    Criterion,
    Measure,
    RecognitionRule,
    Scoring,
    SubIndicator,
    Threshold,
)


def show(value: Decimal | None, measure: str) -> str:
    if value is None:
        return "—"
    if measure == Measure.YES_NO:
        return _("Yes") if value >= 1 else _("No")
    text = format_number(value, 2, trim=True)
    return f"{text}%" if measure == Measure.PERCENT else text


def sub_points(scoring: str, target: Decimal, points: int, value: Decimal | None) -> int:
    """The points of one sub-indicator; no value gives 0."""
    if value is None:
        return 0
    if scoring == Scoring.AT_LEAST:
        return points if value >= target else 0
    if scoring == Scoring.AT_MOST:
        return points if value <= target else 0
    if scoring == Scoring.YES_NO:
        return points if value >= 1 else 0
    if scoring == Scoring.PROPORTIONAL:
        share = min(max(value, Decimal(0)), Decimal(100))
        return int((Decimal(points) * share / 100).to_integral_value(rounding=ROUND_FLOOR))
    raise ValueError(f"unknown scoring {scoring!r}")


def sub_reason(sub: SubIndicator, value: Decimal | None, got: int) -> str:
    shown, target = show(value, sub.measure), show(sub.target, sub.measure)
    params = {"value": shown, "target": target, "got": got, "points": sub.points}
    if value is None:
        return _("No value yet: 0 of %(points)s points.") % params
    if sub.scoring == Scoring.AT_LEAST:
        if got:
            return _("%(value)s reaches the target of %(target)s: %(got)s of %(points)s points.") % params
        return _("%(value)s is below the target of %(target)s: 0 of %(points)s points.") % params
    if sub.scoring == Scoring.AT_MOST:
        if got:
            return _("%(value)s is within the limit of %(target)s: %(got)s of %(points)s points.") % params
        return _("%(value)s is above the limit of %(target)s: 0 of %(points)s points.") % params
    if sub.scoring == Scoring.YES_NO:
        return (_("Done: %(got)s of %(points)s points.") if got else _("Not done: 0 of %(points)s points.")) % params
    return _("%(value)s of the points in proportion: %(got)s of %(points)s points.") % params


@dataclass(frozen=True)
class Verdict:
    total: int
    threshold: int
    unmet: tuple[int, ...]  # criteria not met (numbers)
    at_zero: tuple[int, ...]  # criteria at 0
    recognised: bool


def verdict(points: dict[int, int], met_min: dict[int, int], threshold: int, *, all_met: bool = True,
            no_zero: bool = True) -> Verdict:
    """The rule: every criterion met (points >= its minimum and above 0), none at 0, total >= threshold."""
    total = sum(points.values())
    at_zero = tuple(sorted(n for n, p in points.items() if p == 0))
    unmet = tuple(sorted(n for n, p in points.items() if p == 0 or p < met_min.get(n, 0)))
    recognised = total >= threshold and not (all_met and unmet) and not (no_zero and at_zero)
    return Verdict(total, threshold, unmet, at_zero, recognised)


def assessment_day(year: int) -> date:
    """The day the standard, the rule, the commune's type are read for a year's assessment: 1 October."""
    return date(year, 10, 1)


def commune_type(commune, year: int) -> tuple[str, bool]:
    """The commune's type for the year, and whether it is recorded (False: none recorded, 'other' assumed)."""
    found = CommuneClassification.objects.valid_on(assessment_day(year)).filter(commune=commune).first()
    return (found.commune_type, True) if found else (CommuneType.OTHER, False)


def rule_for(standard, year: int) -> RecognitionRule | None:
    return RecognitionRule.objects.valid_on(assessment_day(year)).filter(standard=standard).first()


def threshold_for(standard, year: int, kind: str) -> int | None:
    rule = rule_for(standard, year)
    found = Threshold.objects.filter(rule=rule, commune_type=kind).first() if rule else None
    return found.min_total if found else None


@dataclass
class Line:
    sub: SubIndicator
    value: Decimal | None
    computed: Decimal | None
    note: str
    points: int
    reason: str


@dataclass
class CriterionScore:
    criterion: Criterion
    self_points: int
    points: int  # the province's when corrected
    met: bool
    lines: list[Line] = field(default_factory=list)
    correction: object = None
    sources: list[str] = field(default_factory=list)  # source codes (Source) of its pre-filled values


@dataclass
class AssessmentScore:
    assessment: Assessment
    commune_type: str
    type_recorded: bool
    threshold: int
    criteria: list[CriterionScore]
    verdict: Verdict

    @property
    def total(self) -> int:
        return self.verdict.total

    @property
    def self_total(self) -> int:
        return sum(c.self_points for c in self.criteria)

    def criterion(self, number: int) -> CriterionScore:
        return next(c for c in self.criteria if c.criterion.number == number)

    @property
    def holding_back(self) -> list[CriterionScore]:
        return [c for c in self.criteria if not c.met]


def assessment_score(assessment: Assessment) -> AssessmentScore:
    values = {v.sub_indicator_id: v for v in assessment.values.all()}
    corrections = {c.criterion_id: c for c in assessment.corrections.all()}
    criteria = (Criterion.objects.filter(standard_id=assessment.standard_id)
                .prefetch_related("sub_indicators").order_by("number"))
    scores = []
    for criterion in criteria:
        lines = []
        for sub in criterion.sub_indicators.all():
            stored = values.get(sub.pk)
            value = stored.value if stored else None
            got = sub_points(sub.scoring, sub.target, sub.points, value)
            lines.append(Line(sub, value, stored.computed_value if stored else None, stored.note if stored else "",
                              got, sub_reason(sub, value, got)))
        self_points = min(sum(line.points for line in lines), criterion.max_points)
        correction = corrections.get(criterion.pk)
        points = correction.points if correction else self_points
        scores.append(CriterionScore(criterion, self_points, points, points > 0 and points >= criterion.met_min_points,
                                     lines, correction, sorted({ln.sub.source for ln in lines if ln.sub.source})))
    kind, recorded = commune_type(assessment.commune, assessment.year)
    rule = rule_for(assessment.standard, assessment.year)
    threshold = threshold_for(assessment.standard, assessment.year, kind) or 0
    result = verdict({c.criterion.number: c.points for c in scores},
                     {c.criterion.number: c.criterion.met_min_points for c in scores}, threshold,
                     all_met=rule.all_criteria_met if rule else True,
                     no_zero=rule.no_criterion_at_zero if rule else True)
    return AssessmentScore(assessment, kind, recorded, threshold, scores, result)


def verdict_reasons(score: AssessmentScore) -> list[str]:
    v = score.verdict
    out = []
    names = {c.criterion.number: c.criterion.name for c in score.criteria}
    for n in v.at_zero:
        out.append(_("Criterion %(n)s (%(name)s) scores 0.") % {"n": n, "name": names[n]})
    for n in v.unmet:
        if n not in v.at_zero:
            out.append(_("Criterion %(n)s (%(name)s) is not met.") % {"n": n, "name": names[n]})
    if v.total < v.threshold:
        out.append(_("The total of %(total)s is below the threshold of %(threshold)s.")
                   % {"total": v.total, "threshold": v.threshold})
    else:
        out.append(_("The total of %(total)s reaches the threshold of %(threshold)s.")
                   % {"total": v.total, "threshold": v.threshold})
    return out

