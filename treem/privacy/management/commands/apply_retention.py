"""treem apply-retention [--dry-run]: apply the confirmed retention rules (each audited with its counts)."""

from django.core.management.base import BaseCommand

from treem.core.actors import SYSTEM
from treem.core.formats import format_date
from treem.privacy import retention


class Command(BaseCommand):
    help = "Apply the confirmed retention rules in use; with --dry-run only count what they would affect today."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count and show a sample; change nothing")

    def handle(self, *args, dry_run=False, **options):
        effects = retention.dry_run() if dry_run else retention.apply_all(actor=SYSTEM)
        for effect in effects:
            rule = effect.rule
            state = "applied" if effect.applied else ("would apply" if rule.confirmed else "NOT CONFIRMED, not applied")
            self.stdout.write(f"{rule.code}: {effect.count} ({state}; trigger on or before "
                              f"{format_date(effect.cutoff)})")
            for line in effect.sample:
                self.stdout.write(f"  - {line}")
