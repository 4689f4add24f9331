"""Prepare a database: migrate, load reference data, and (with --demo) the demo data of every module."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from treem.core.calendar import seed_calendar


def app_loaders(kind: str):
    """Each treem app may have a `reference` module (reference data, every installation) and a `demo` module, each
    with `load(stdout) -> None`, idempotent, run in app order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("treem."):
            continue
        try:
            module = import_module(f"{config.name}.{kind}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{kind}":
                raise
            continue
        yield config.label, module


class Command(BaseCommand):
    help = "Migrate, load administrative units and reference data, and optionally the demo data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="load demo data and print the demo logins")

    def handle(self, *args, demo=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable")  # the shared cache when there is no Redis (rate limits, challenges)
        call_command("load_units", stdout=self.stdout)
        year = timezone.localdate().year
        added = seed_calendar(range(year - 3, year + 3))
        self.stdout.write(f"calendar: {added} holidays and make-up working days added" if added else "calendar: ready")
        for _label, module in app_loaders("reference"):
            module.load(self.stdout)
        if not demo:
            return
        if not settings.DEMO_MODE:
            raise CommandError("Demo data is disabled in this configuration (TREEM_DEMO=0).")
        for _label, module in app_loaders("demo"):
            module.load(self.stdout)
