"""treem check-children-age: the daily check that moves children who turned 16 off the active register."""

from django.core.management.base import BaseCommand

from treem.core.actors import SYSTEM
from treem.registry.services import children_mark_over_16


class Command(BaseCommand):
    help = "Mark active children who are 16 or older as 'turned 16' (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        count = children_mark_over_16(actor=SYSTEM)
        self.stdout.write(f"{count} children turned 16")
