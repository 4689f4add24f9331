"""`treem load-indicators`: load or update the indicator catalogue from its fixture (treem.indicators.catalogue)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from treem.indicators.catalogue import CatalogueError, load


class Command(BaseCommand):
    help = "Load or update the indicator catalogue (treem/indicators/data/catalogue.json); idempotent."

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            load(self.stdout)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
