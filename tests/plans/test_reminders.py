"""Reminders before and after a round's deadline, for tasks, and when a report is returned; sent once."""

from datetime import date
from io import StringIO

from django.core import mail
from django.core.management import call_command

from treem.plans.models import Reminder, ReminderKind
from treem.plans.reminders import send_reminders
from treem.plans.rounds import submission_return

from .conftest import agency


def test_reporters_of_agencies_that_have_not_reported_are_reminded_once(world):
    reporter = world.user("soyte.angiang")
    reporter.email = "soyte@angiang.example"
    reporter.save()
    Reminder.objects.all().delete()
    mail.outbox.clear()
    week_before = date(2026, 11, 3)  # deadline 10/11/2026, reminders 7, 3 and 1 days before
    first = send_reminders(week_before, tasks=False)
    assert first["rounds"] >= 1
    reminder = Reminder.objects.get(user=reporter, kind=ReminderKind.ROUND_DUE)
    assert "10/11/2026" in reminder.text and "còn 7 ngày" in reminder.text
    assert len([m for m in mail.outbox if m.to == ["soyte@angiang.example"]]) == 1 and reminder.emailed_at
    assert send_reminders(week_before, tasks=False)["rounds"] == 0  # idempotent
    assert send_reminders(date(2026, 11, 5), tasks=False)["rounds"] == 0  # not a reminder day
    # Cần Thơ's health department has a report returned for correction: it is reminded on the reminder days too.
    assert Reminder.objects.filter(user=world.user("soyte.cantho"), kind=ReminderKind.ROUND_DUE).exists()
    # Lai Châu's was accepted: nothing to remind.
    assert not Reminder.objects.filter(user=world.user("soyte.laichau"), kind=ReminderKind.ROUND_DUE).exists()


def test_after_the_deadline_the_reminder_says_it_is_overdue(world):
    Reminder.objects.all().delete()
    send_reminders(date(2026, 11, 22), tasks=False)
    reminder = Reminder.objects.get(user=world.user("soyte.angiang"), kind=ReminderKind.ROUND_OVERDUE)
    assert "quá hạn" in reminder.text and "trễ hạn" in reminder.text


def test_tasks_due_soon_or_overdue_are_summarised_per_agency_per_day(world):
    Reminder.objects.all().delete()
    result = send_reminders(date(2026, 11, 22), tasks=True)
    assert result["tasks"] >= 1
    laichau = Reminder.objects.get(user=world.user("soyte.laichau"), kind__in=[ReminderKind.TASK_DUE,
                                                                               ReminderKind.TASK_OVERDUE])
    assert "Sở Y tế" in laichau.text and "30/11/2026" in laichau.text  # the training due by 30/11/2026
    assert send_reminders(date(2026, 11, 22), tasks=True)["tasks"] == 0


def test_a_returned_report_notifies_the_agency_at_once(world, django_capture_on_commit_callbacks):
    round_ = world.round("91")
    submission = round_.submissions.filter(status="submitted").select_related("agency").first()
    from django.contrib.auth import get_user_model

    from treem.accounts.models import Role

    reporter = get_user_model().objects.create_user("bc.test", password="x" * 12)
    reporter.assignments.create(role=Role.AGENCY_REPORTER, agency=submission.agency)
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(actor=world.user("tinh.angiang"), submission=submission, note="Thiếu phụ lục số liệu")
    reminder = Reminder.objects.get(user=reporter)
    assert reminder.kind == ReminderKind.RETURNED and "Thiếu phụ lục số liệu" in reminder.text


def test_the_command_runs_and_reports_counts(world):
    out = StringIO()
    call_command("send_round_reminders", "--date", "2026-11-09", "--no-tasks", stdout=out)
    assert "reminders:" in out.getvalue()
    assert Reminder.objects.filter(key__endswith=":d1").exists()


def test_the_background_task_sends_the_same_reminders(world):
    from treem.plans.tasks import send_round_reminders_task

    Reminder.objects.all().delete()
    result = send_round_reminders_task.enqueue()
    assert result.return_value["day"]
    assert agency("91", "Sở Y tế")


def test_a_reminder_sent_from_an_english_job_is_a_code_read_in_each_readers_language_and_mailed_in_vietnamese(world):
    from django.utils import translation

    reporter = world.user("soyte.angiang")
    reporter.email = "soyte@angiang.example"
    reporter.save()
    Reminder.objects.all().delete()
    mail.outbox.clear()
    with translation.override("en"):  # a worker or a request in English must not decide what is stored
        send_reminders(date(2026, 11, 3), tasks=False)
    reminder = Reminder.objects.get(user=reporter, kind=ReminderKind.ROUND_DUE)
    assert reminder.legacy_text == "" and reminder.params["date"] == "2026-11-10" and reminder.params["n"] == 7
    with translation.override("vi"):
        assert "đến hạn ngày 10/11/2026 (còn 7 ngày)" in reminder.text
    with translation.override("en"):
        assert "is due on 10/11/2026 (in 7 days)" in reminder.text
    body = next(m.body for m in mail.outbox if "soyte@angiang.example" in m.to)
    assert "đến hạn ngày 10/11/2026" in body and "is due" not in body
