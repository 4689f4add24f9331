"""Delete prepared files (exports) past their expiry, from storage and from the database. Run it from cron, e.g.
hourly: `treem purge-files`."""

from django.core.management.base import BaseCommand

from treem.core.files import purge_expired


class Command(BaseCommand):
    help = "Delete expired prepared files (exports kept 24 hours) and their rows."

    def handle(self, *args, **options):
        count = purge_expired()
        if options["verbosity"]:
            self.stdout.write(f"{count} expired file(s) deleted.")
