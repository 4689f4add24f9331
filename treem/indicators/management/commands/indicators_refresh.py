"""`treem indicators-refresh [--province CODE] [--full] [--as-of dd/mm/yyyy]`: recompute the indicators."""

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from treem.core.formats import format_date, format_number
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.indicators.refresh import refresh


class Command(BaseCommand):
    help = ("Recompute the computed and derived indicators and their roll-ups: in full, or only the communes whose "
            "records changed since the last refresh.")

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=[], help="current province code, e.g. 92")
        parser.add_argument("--full", action="store_true", help="recompute every commune")
        parser.add_argument("--as-of", help="the day the figures are computed for (dd/mm/yyyy); default today")

    def handle(self, *args, province=(), full=False, as_of=None, **options):
        translation.activate(settings.LANGUAGE_CODE)
        known = set(Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE)
                    .values_list("code", flat=True))
        unknown = [code for code in province if code not in known]
        if unknown:
            raise CommandError(_("No current province has the code %(codes)s.") % {"codes": ", ".join(unknown)})
        day = None
        if as_of:
            try:
                day = datetime.strptime(as_of, "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar day)
            except ValueError:
                raise CommandError(_("Write the day as dd/mm/yyyy, e.g. 31/12/2025.")) from None
        summary = refresh(province_codes=list(province) or None, full=full, as_of=day)
        self.stdout.write(_("Indicators as of %(day)s: %(provinces)s provinces (%(full)s in full, %(incremental)s "
                            "incrementally), %(communes)s communes recomputed, %(values)s values written.")
                          % {"day": format_date(datetime.fromisoformat(summary["as_of"]).date()),
                             "provinces": format_number(len(summary["provinces"]), 0),
                             "full": format_number(summary["full"], 0),
                             "incremental": format_number(summary["incremental"], 0),
                             "communes": format_number(summary["communes"], 0),
                             "values": format_number(summary["values"], 0)})
