"""Mark "interrupted" the background jobs whose worker stopped in the middle (killed, machine restarted), so their
owners see it and can run them again. The worker does it itself before each job; run it after a restart, or from
cron: `treem recover-jobs`."""

from django.core.management.base import BaseCommand

from treem.core.jobs import recover_jobs


class Command(BaseCommand):
    help = "Mark interrupted the running background jobs whose worker is gone."

    def handle(self, *args, **options):
        count = recover_jobs()
        if options["verbosity"]:
            self.stdout.write(f"{count} interrupted job(s).")
