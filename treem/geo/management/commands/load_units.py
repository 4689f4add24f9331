from django.core.management.base import BaseCommand

from treem.geo.services import load_units


class Command(BaseCommand):
    help = "Load administrative units (current and legacy) and the official conversion from vietnam-provinces."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="reload even when the counts already match")

    def handle(self, *args, force=False, **options):
        report = load_units(force=force)
        self.stdout.write(
            f"units: {report.current_provinces} provinces and {report.current_communes} communes (current); "
            f"{report.legacy_provinces} provinces, {report.legacy_districts} districts and "
            f"{report.legacy_communes} communes (legacy); {report.conversions} conversions"
            + ("" if report.changed else " (already loaded)")
        )
