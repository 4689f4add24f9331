"""Reminders before a round's deadline, after it, and for tasks due soon or overdue.

`send_reminders(today)` is idempotent: each reminder has a key (user, round or task, which day), so running it twice
a day, or from several workers, sends nothing twice. Run it daily: `treem send-round-reminders` from cron, or the
`send_round_reminders_task` django.tasks task. Reminders appear in the app ("Việc tôi phải báo cáo") and go by e-mail
to users who have an address.
"""

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext

from treem.accounts.models import Assignment, Role
from treem.audit.services import record
from treem.core.actors import SYSTEM

from . import schedule
from .models import (
    Reminder,
    ReminderKind,
    ReportingRound,
    RoundStatus,
    Submission,
    SubmissionStatus,
    Task,
    TaskAgency,
    TaskStatus,
    reminder_text,
)
from .selectors import task_rows
from .succession import predecessors_closure

log = logging.getLogger(__name__)


def _reporters(agency_ids, on: date) -> list:
    return list(
        Assignment.objects.valid_on(on)
        .filter(role=Role.AGENCY_REPORTER, agency__in=agency_ids, user__is_active=True)
        .select_related("user", "agency")
    )


def _deliver(user, key: str, kind: str, params: dict, *, round_=None, task=None, due=None) -> bool:
    """Create the in-app reminder once (a code and its parameters); e-mail it, rendered in Vietnamese (the
    recipient's language), when the user has an address. True when new."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                user=user, key=key[:160], kind=kind, round=round_, task=task, params=params, due_date=due
            )
    except IntegrityError:
        return False
    if user.email:
        with translation.override(settings.LANGUAGE_CODE):
            message = reminder_text(reminder)
        try:
            send_mail(
                pgettext("plans", "treem: %(m)s") % {"m": message[:80]},
                message,
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            Reminder.objects.filter(pk=reminder.pk).update(emailed_at=timezone.now())
        except OSError as exc:  # SMTP down: the in-app reminder stays, the e-mail is retried by nobody
            log.warning("reminder e-mail to %s failed: %s", user.pk, exc)
    return True


def _round_reminders(today: date) -> int:
    sent = 0
    rounds = ReportingRound.objects.filter(status=RoundStatus.OPEN).prefetch_related("expected__agency")
    for round_ in rounds:
        days_left = (round_.deadline - today).days
        if days_left in round_.reminder_day_list():
            kind, tag = ReminderKind.ROUND_DUE, f"d{days_left}"
        elif days_left < 0:
            kind, tag = ReminderKind.ROUND_OVERDUE, "overdue"
        else:
            continue
        done = set(
            Submission.objects.filter(
                round=round_, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
            ).values_list("agency_id", flat=True)
        )
        owing = [e.agency_id for e in round_.expected.all() if e.agency_id not in done]
        for assignment in _reporters(owing, today):
            params = {"agency": assignment.agency.name, "round": round_.title, "date": round_.deadline.isoformat()}
            if kind == ReminderKind.ROUND_DUE:
                params["n"] = days_left
            key = f"round:{round_.pk}:{assignment.agency_id}:{tag}"
            sent += _deliver(assignment.user, key, kind, params, round_=round_, due=round_.deadline)
    return sent


def _task_reminders(today: date) -> int:
    """One summary a day per agency with overdue tasks or tasks due soon (as listed: within
    schedule.APPROACHING_DAYS), not one message per task."""
    reporters = Assignment.objects.valid_on(today).filter(role=Role.AGENCY_REPORTER, agency__isnull=False)
    per_agency: dict[int, dict] = {}
    for agency_id in set(reporters.values_list("agency_id", flat=True)):
        # the agency's own list, as "Việc tôi phải báo cáo" shows it: its tasks and those of the agencies it succeeded
        family = predecessors_closure([agency_id])
        tasks = (
            Task.objects.filter(pk__in=TaskAgency.objects.filter(agency__in=family).values("task_id"))
            .exclude(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED])
            .exclude(schedule_kind="none")
            .select_related("document")
            .prefetch_related("assignments__agency")
        )
        entry = {"overdue": 0, "approaching": 0, "first": None}
        for row in task_rows(tasks, today, reporting_agencies={agency_id}):
            if row.state in (schedule.OVERDUE, schedule.APPROACHING):
                entry[row.state] += 1
            if row.state == schedule.APPROACHING:
                entry["first"] = min(filter(None, [entry["first"], row.due]))
        if entry["overdue"] or entry["approaching"]:
            per_agency[agency_id] = entry
    sent = 0
    for assignment in _reporters(per_agency, today):
        entry = per_agency[assignment.agency_id]
        overdue, soon = entry["overdue"], entry["approaching"]
        params = {"agency": assignment.agency.name, "overdue": overdue, "approaching": soon,
                  "first": entry["first"].isoformat() if entry["first"] else None}
        kind = ReminderKind.TASK_OVERDUE if overdue else ReminderKind.TASK_DUE
        key = f"tasks:{assignment.agency_id}:{today.isoformat()}"
        if _deliver(assignment.user, key, kind, params, due=entry["first"]):
            sent += 1
            Reminder.objects.filter(
                user=assignment.user, kind__in=[ReminderKind.TASK_OVERDUE, ReminderKind.TASK_DUE], read_at__isnull=True
            ).exclude(key=key).update(read_at=timezone.now())
    return sent


def send_reminders(today: date | None = None, *, tasks: bool = True) -> dict:
    today = today or timezone.localdate()
    rounds_sent = _round_reminders(today)
    tasks_sent = _task_reminders(today) if tasks else 0
    result = {"rounds": rounds_sent, "tasks": tasks_sent, "day": today.isoformat()}
    if rounds_sent or tasks_sent:
        record(SYSTEM, "plans.reminders.send", summary=result)
    return result


def notify_returned(submission_id) -> None:
    """Tell the agency's reporters at once that their report came back for correction."""
    submission = Submission.objects.select_related("round", "agency").filter(pk=submission_id).first()
    if submission is None or submission.status != SubmissionStatus.RETURNED:
        return
    today = timezone.localdate()
    events = submission.events.filter(kind="returned").count()
    params = {"agency": submission.agency.name, "round": submission.round.title, "note": submission.returned_note}
    for assignment in _reporters([submission.agency_id], today):
        _deliver(
            assignment.user,
            f"returned:{submission.pk}:{events}",
            ReminderKind.RETURNED,
            params,
            round_=submission.round,
            due=submission.round.deadline,
        )


def reminders_for(user, unread_only: bool = True):
    qs = Reminder.objects.filter(user=user).select_related("round", "task")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def reminder_mark_read(*, actor, reminder_id) -> int:
    return Reminder.objects.filter(user=actor, pk=reminder_id, read_at__isnull=True).update(read_at=timezone.now())
