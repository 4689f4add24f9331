"""Reporting rounds and the agencies' submissions: every write, and the completeness and timeliness counts.

Timeliness is counted from the actual submit time, in Vietnam's time zone, against the round's deadline date
(a report sent at 23:59 on the deadline day is on time). Which submit time counts is the round's rule:
the first submission (a returned report corrected later stays on time) or the latest one. Every submit is kept as a
SubmissionEvent with the deadline in force, whether it was on time and whether its time counted.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext

from treem.access import Capability, forbid_unless, require_area, scope_for
from treem.accounts.models import Agency, AgencyKind
from treem.audit.services import record
from treem.core.collation import vi_key

from .files import EVIDENCE_EXTENSIONS, check_upload
from .models import (
    Document,
    EventKind,
    ReportingRound,
    RoundAgency,
    RoundStatus,
    Submission,
    SubmissionEvent,
    SubmissionFigure,
    SubmissionStatus,
    Target,
    TaskAgency,
    TimelinessRule,
)
from .reminders import notify_returned
from .selectors import chain_down
from .services import _attach, _decimal
from .succession import is_current, predecessors_closure, responsible_now

C = Capability


class SubmissionExists(ValidationError):
    """A second submission for the same agency and round."""

    def __init__(self, existing: Submission):
        self.existing = existing
        super().__init__(
            pgettext(
                "plans",
                "%(agency)s already has a report in this round (status: %(status)s). Open it instead of starting "
                "another one; a returned report is corrected and submitted again.",
            )
            % {"agency": existing.agency.name, "status": existing.get_status_display()},
            code="submission_exists",
        )


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _label(actor) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else str(actor)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def is_on_time(moment: datetime, deadline: date) -> bool:
    return local_day(moment) <= deadline


# -- rounds ---------------------------------------------------------------------------------------------------------


def counted_on_time(submission: Submission) -> bool | None:
    """Whether the submission is on time: the submission time that counts against the round's deadline in force.
    The status (Submission.on_time) and the history lines both come from here."""
    if submission.counted_at is None:
        return None
    return is_on_time(submission.counted_at, submission.round.deadline)


def default_expected_agencies(document: Document, province, on: date) -> list[Agency]:
    """The agencies with tasks in the document's cascade within the province, as they are on `on`: a merged agency
    is replaced by its current successors. Commune People's Committees are left out (they report to their province
    through other channels); the officer adjusts the list."""
    docs = chain_down(document, province)
    agencies = {
        a.agency
        for a in TaskAgency.objects.filter(task__document__in=docs, agency__isnull=False).select_related("agency")
    }
    result: dict[int, Agency] = {}
    for agency in agencies:
        for current in responsible_now(agency, on):
            if current.kind != AgencyKind.COMMUNE_COMMITTEE and (current.province_id in (province.pk, None)):
                result[current.pk] = current
    return sorted(result.values(), key=lambda a: vi_key(a.name))


@transaction.atomic
def round_create(
    *,
    actor,
    document: Document,
    province,
    title: str,
    period_year: int,
    deadline: date,
    agencies,
    focal_agency: Agency | None = None,
    reminder_days: str = "7,3,1",
    timeliness_rule: str = TimelinessRule.FIRST_SUBMIT,
) -> ReportingRound:
    require_area(actor, C.EDIT_PLANS, province)
    agencies = list(agencies)
    if not agencies:
        raise ValidationError(pgettext("plans", "Choose at least one agency expected to report."))
    if not title.strip():
        raise ValidationError(pgettext("plans", "The round needs a title."))
    round_ = ReportingRound.objects.create(
        title=title.strip(),
        document=document,
        province=province,
        period_year=period_year,
        deadline=deadline,
        focal_agency=focal_agency,
        reminder_days=reminder_days or "",
        timeliness_rule=timeliness_rule,
        created_by=_user(actor),
    )
    RoundAgency.objects.bulk_create([RoundAgency(round=round_, agency=a, agency_name=a.name) for a in agencies])
    record(
        actor,
        "plans.round.create",
        round_,
        unit=province,
        summary={"deadline": deadline.isoformat(), "agencies": len(agencies), "document": str(document.pk)},
    )
    return round_


@transaction.atomic
def round_update(
    *,
    actor,
    round_: ReportingRound,
    deadline: date | None = None,
    status: str | None = None,
    add_agencies=(),
    remove_agencies=(),
) -> ReportingRound:
    """Change the deadline (re-evaluating which submissions were on time, recorded as history), close or reopen,
    add or remove expected agencies (not one that has already submitted)."""
    require_area(actor, C.EDIT_PLANS, round_.province)
    summary = {}
    if deadline is not None and deadline != round_.deadline:
        summary["deadline"] = [round_.deadline.isoformat(), deadline.isoformat()]
        round_.deadline = deadline
        for submission in round_.submissions.filter(counted_at__isnull=False):
            submission.round = round_
            on_time = counted_on_time(submission)
            if on_time != submission.on_time:
                submission.on_time = on_time
                submission.save(update_fields=["on_time", "updated_at"])
                SubmissionEvent.objects.create(
                    submission=submission,
                    kind=EventKind.DEADLINE,
                    at=timezone.now(),
                    actor=_user(actor),
                    actor_label=_label(actor),
                    deadline=deadline,
                    on_time=on_time,
                    counted=True,
                )
    if status is not None and status != round_.status:
        summary["status"] = [round_.status, status]
        round_.status = status
    for agency in add_agencies:
        RoundAgency.objects.get_or_create(round=round_, agency=agency, defaults={"agency_name": agency.name})
    removed = []
    for agency in remove_agencies:
        if round_.submissions.filter(agency=agency).exclude(status=SubmissionStatus.DRAFT).exists():
            raise ValidationError(
                pgettext("plans", "%(a)s has already submitted: it stays expected.") % {"a": agency.name}
            )
        round_.expected.filter(agency=agency).delete()
        removed.append(agency.pk)
    if add_agencies or removed:
        summary["agencies"] = {"added": [a.pk for a in add_agencies], "removed": removed}
    round_.version += 1
    round_.save()
    record(actor, "plans.round.update", round_, unit=round_.province, summary=summary)
    return round_


# -- submissions ----------------------------------------------------------------------------------------------------


def may_report_for(actor, agency: Agency) -> bool:
    scope = scope_for(actor)
    return scope.is_system or agency.pk in scope.agency_ids(C.REPORT_FOR_AGENCY)


def _event(submission, kind, actor, at=None, **extra) -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        at=at or timezone.now(),
        actor=_user(actor),
        actor_label=_label(actor),
        **extra,
    )


def submission_start(*, actor, round_: ReportingRound, agency: Agency) -> Submission:
    """Start the agency's report for the round (a draft). A second one is refused with SubmissionExists, and the
    refusal is recorded on the existing submission; nothing already saved changes."""
    return submission_start_and_save(actor=actor, round_=round_, agency=agency)


def submission_start_and_save(
    *, actor, round_: ReportingRound, agency: Agency, text: str | None = None, figures: dict | None = None, files=()
) -> Submission:
    """Start the agency's report and save its first text, figures and files in one transaction (the API's POST): a
    refused save (a target the agency does not report on, a figure that is not a number) leaves nothing started. A
    second report for the round is refused with SubmissionExists, the refusal recorded on the existing one."""
    forbid_unless(scope_for(actor), may_report_for(actor, agency))
    if not round_.expected.filter(agency=agency).exists():
        raise ValidationError(pgettext("plans", "%(a)s is not expected to report in this round.") % {"a": agency.name})
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(pgettext("plans", "This round is closed."))
    existing = Submission.objects.filter(round=round_, agency=agency).first()
    if existing is None:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(round=round_, agency=agency, created_by=_user(actor))
            except IntegrityError:  # another request created it at the same moment
                existing = Submission.objects.get(round=round_, agency=agency)
            else:
                _event(submission, EventKind.CREATED, actor, deadline=round_.deadline)
                record(
                    actor,
                    "plans.submission.create",
                    submission,
                    unit=round_.province,
                    summary={"round": str(round_.pk), "agency": agency.pk},
                )
                if text or figures or files:
                    submission = submission_save(
                        actor=actor, submission=submission, text=text, figures=figures, files=files
                    )
                return submission
    with transaction.atomic():
        _event(existing, EventKind.REFUSED, actor, deadline=round_.deadline)
        record(
            actor,
            "plans.submission.refused",
            existing,
            unit=round_.province,
            summary={"reason": "second submission for the same round"},
        )
    raise SubmissionExists(existing)


def targets_for(round_: ReportingRound, agency: Agency) -> list[Target]:
    """The targets an agency reports figures on: those of the round's cascade naming the agency (or an agency it
    succeeded); targets naming no agency are reported by the consolidating agency."""
    docs = chain_down(round_.document, round_.province)
    family = predecessors_closure([agency.pk])
    qs = Target.objects.filter(document__in=docs).prefetch_related("values", "agencies").select_related("document")
    named = Q(agencies__in=family)
    if round_.focal_agency_id and round_.focal_agency_id in family | {agency.pk}:
        named |= Q(agencies__isnull=True)
    return list(qs.filter(named).distinct().order_by("document__issued_on", "order"))


@transaction.atomic
def submission_save(
    *,
    actor,
    submission: Submission,
    text: str | None = None,
    figures: dict | None = None,
    files=(),
    expected_version: int | None = None,
) -> Submission:
    """Save the draft or the returned report: text, figures {target id: (value, note)}, attachments."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    forbid_unless(scope_for(actor), may_report_for(actor, submission.agency))
    if not submission.editable:
        raise ValidationError(
            pgettext("plans", "This report has been submitted; it can be changed only if it is returned.")
        )
    if expected_version is not None and expected_version != submission.version:
        raise ValidationError(
            pgettext("plans", "Someone else saved this report meanwhile; reload the page and try again.")
        )
    checked = [check_upload(f, EVIDENCE_EXTENSIONS) for f in files]
    if text is not None:
        submission.text = text
    if figures is not None:
        allowed = {t.pk for t in targets_for(submission.round, submission.agency)}
        for target_id, (value, note) in figures.items():
            if target_id not in allowed:
                raise ValidationError(pgettext("plans", "This target is not one your agency reports on."))
            value = _decimal(value)
            if value is None:
                SubmissionFigure.objects.filter(submission=submission, target_id=target_id).delete()
            else:
                SubmissionFigure.objects.update_or_create(
                    submission=submission, target_id=target_id, defaults={"value": value, "note": (note or "")[:300]}
                )
    for f in checked:
        _attach(actor, f, submission=submission)
    submission.version += 1
    submission.save()
    _event(submission, EventKind.SAVED, actor)
    record(
        actor,
        "plans.submission.save",
        submission,
        unit=submission.round.province,
        summary={"figures": len(figures or {}), "files": len(checked)},
    )
    return submission


@transaction.atomic
def submission_save_and_submit(*, actor, submission: Submission, at: datetime | None = None, **report) -> Submission:
    """Save the report and submit it in one transaction: a refused submission leaves the saved report as it was."""
    submission = submission_save(actor=actor, submission=submission, **report)
    return submission_submit(actor=actor, submission=submission, at=at)


@transaction.atomic
def submission_submit(*, actor, submission: Submission, at: datetime | None = None) -> Submission:
    """Submit (or resubmit after a return). A submission after the deadline is accepted and counted late."""
    submission = Submission.objects.select_for_update().select_related("round").get(pk=submission.pk)
    round_ = submission.round
    forbid_unless(scope_for(actor), may_report_for(actor, submission.agency))
    if not submission.editable:
        raise ValidationError(pgettext("plans", "This report has already been submitted."))
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(pgettext("plans", "This round is closed."))
    if not submission.text.strip() and not submission.figures.exists() and not submission.attachments.exists():
        raise ValidationError(
            pgettext("plans", "The report is empty: write the results, enter figures or attach a file.")
        )
    at = at or timezone.now()
    resubmission = submission.first_submitted_at is not None
    counts = not resubmission or round_.timeliness_rule == TimelinessRule.LAST_SUBMIT
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = at
    submission.first_submitted_at = submission.first_submitted_at or at
    if counts:
        submission.counted_at = at
    # the history line says what the status says: one function decides on time or late
    on_time = submission.on_time = counted_on_time(submission)
    submission.version += 1
    submission.save()
    _event(
        submission,
        EventKind.RESUBMITTED if resubmission else EventKind.SUBMITTED,
        actor,
        at=at,
        deadline=round_.deadline,
        on_time=on_time,
        counted=counts,
        params={"counted_at": submission.counted_at.isoformat()} if submission.counted_at else {},
    )
    record(
        actor,
        "plans.submission.submit",
        submission,
        unit=round_.province,
        summary={"at": at.isoformat(), "on_time": on_time, "counted": counts, "resubmission": resubmission},
    )
    return submission


def _require_review(actor, submission: Submission) -> None:
    require_area(actor, C.EDIT_PLANS, submission.round.province)


@transaction.atomic
def submission_return(*, actor, submission: Submission, note: str) -> Submission:
    """The focal officer returns a submitted report for correction, saying what to correct."""
    submission = Submission.objects.select_for_update().select_related("round", "agency").get(pk=submission.pk)
    _require_review(actor, submission)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(pgettext("plans", "Only a submitted report can be returned."))
    if not note.strip():
        raise ValidationError(pgettext("plans", "Say what needs correcting."))
    submission.status = SubmissionStatus.RETURNED
    submission.returned_note = note.strip()
    submission.version += 1
    submission.save()
    _event(submission, EventKind.RETURNED, actor, deadline=submission.round.deadline, note=note.strip())
    record(actor, "plans.submission.return", submission, unit=submission.round.province, summary={"note": note[:300]})
    transaction.on_commit(lambda: notify_returned(submission.pk))
    return submission


@transaction.atomic
def submission_accept(*, actor, submission: Submission) -> Submission:
    submission = Submission.objects.select_for_update().select_related("round").get(pk=submission.pk)
    _require_review(actor, submission)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(pgettext("plans", "Only a submitted report can be accepted."))
    submission.status = SubmissionStatus.ACCEPTED
    submission.accepted_at = timezone.now()
    submission.returned_note = ""
    submission.version += 1
    submission.save()
    _event(submission, EventKind.ACCEPTED, actor, deadline=submission.round.deadline)
    record(actor, "plans.submission.accept", submission, unit=submission.round.province)
    return submission


# -- completeness and timeliness ------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class AgencyRow:
    expected: RoundAgency
    submission: Submission | None
    agency_current: bool = True

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "missing"

    @property
    def received(self) -> bool:
        return bool(self.submission and self.submission.received)


@dataclass
class RoundStats:
    round: ReportingRound
    rows: list[AgencyRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def received(self) -> int:
        return sum(r.received for r in self.rows)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.received and r.submission.on_time)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r.received and r.submission.on_time is False)

    @property
    def returned(self) -> int:
        return sum(1 for r in self.rows if r.status == SubmissionStatus.RETURNED)

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.status == SubmissionStatus.ACCEPTED)

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def completeness(self) -> float | None:
        return _percent(self.received, self.expected)

    @property
    def timeliness(self) -> float | None:
        """Share of expected agencies whose report arrived by the deadline."""
        return _percent(self.on_time, self.expected)

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "late": self.late,
            "returned": self.returned,
            "accepted": self.accepted,
            "missing": self.missing,
            "completeness": self.completeness,
            "timeliness": self.timeliness,
        }


def round_stats(round_: ReportingRound, today: date | None = None) -> RoundStats:
    today = today or timezone.localdate()
    submissions = {s.agency_id: s for s in round_.submissions.all()}
    rows = [
        AgencyRow(e, submissions.get(e.agency_id), is_current(e.agency, today))
        for e in round_.expected.select_related("agency").order_by("agency_name")
    ]
    return RoundStats(round_, rows)


def agency_records(rounds, today: date | None = None) -> dict[int, Counter]:
    """Per agency over several rounds: how many reports on time, late, missing (after the deadline), pending."""
    today = today or timezone.localdate()
    result: dict[int, Counter] = {}
    for round_ in rounds:
        stats = round_stats(round_, today)
        for row in stats.rows:
            counter = result.setdefault(row.expected.agency_id, Counter())
            counter["expected"] += 1
            if row.received:
                counter["on_time" if row.submission.on_time else "late"] += 1
            elif round_.deadline < today:
                counter["missing"] += 1
            else:
                counter["pending"] += 1
    return result


def figure_table(round_: ReportingRound) -> list[dict]:
    """Targets of the round's cascade with every agency's reported figure, for the side-by-side view."""
    docs = chain_down(round_.document, round_.province)
    targets = list(
        Target.objects.filter(document__in=docs).prefetch_related("values").order_by("document__issued_on", "order")
    )
    figures = SubmissionFigure.objects.filter(
        submission__round=round_, submission__status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
    )
    by_target: dict = {}
    for figure in figures.select_related("submission__agency"):
        by_target.setdefault(figure.target_id, []).append(figure)
    rows = []
    for target in targets:
        value = next((v for v in target.values.all() if v.year in (round_.period_year, None)), None)
        reported = by_target.get(target.pk, [])
        rows.append(
            {
                "target": target,
                "value": value,
                "figures": reported,
                "met": [value.met_by(f.value) if value else None for f in reported],
            }
        )
    return rows


def decimal_or_none(text) -> Decimal | None:
    return _decimal(text)
