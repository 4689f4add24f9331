"""`treem send-round-reminders`: in-app (and e-mail) reminders for reports due soon or overdue, and for tasks.

Idempotent: run it daily (cron) or several times a day; each reminder goes out once.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from treem.plans.reminders import send_reminders


class Command(BaseCommand):
    help = "Send reminders for reporting rounds (and tasks) due soon or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--no-tasks", action="store_true", help="only reporting rounds")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        result = send_reminders(today, tasks=not options["no_tasks"])
        self.stdout.write(f"reminders: {result['rounds']} for reports, {result['tasks']} for tasks ({result['day']})")
