"""`treem check-case-deadlines`: raise alerts for case deadlines about to run out or run out (run it from cron
every 15 minutes or so; each alert is raised once)."""

from django.core.management.base import BaseCommand

from treem.cases.deadlines import check_deadlines, refresh_deadlines
from treem.cases.models import OPEN_STAGES, Case
from treem.core.calendar import current_calendar


class Command(BaseCommand):
    help = "Alert the case workers about statutory deadlines that are approaching or missed."

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true",
                            help="recompute every open case's deadlines first (after editing rules or holidays)")

    def handle(self, *args, refresh=False, **options):
        if refresh:
            calendar = current_calendar()
            cases = Case.objects.filter(stage__in=OPEN_STAGES)
            for case in cases.iterator():
                refresh_deadlines(case, calendar)
            self.stdout.write(f"refreshed {cases.count()} open cases")
        counts = check_deadlines()
        self.stdout.write(f"deadline alerts: {counts['missed']} missed, {counts['approaching']} approaching")
