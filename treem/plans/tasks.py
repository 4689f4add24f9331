"""Background tasks of plans (django.tasks). Schedule `send_round_reminders_task` daily, or run the command."""

from django.tasks import task

from .reminders import send_reminders


@task
def send_round_reminders_task() -> dict:
    return send_reminders()
