import json

from django.core.management.base import BaseCommand, CommandError

from treem.childfriendly.models import Assessment
from treem.childfriendly.payload import assessment_payload
from treem.childfriendly.scoring import assessment_score, verdict_reasons


class Command(BaseCommand):
    help = "Print one commune's child-friendly assessment of a year: points per criterion, total, expected verdict."

    def add_arguments(self, parser):
        parser.add_argument("--commune", required=True, help="the commune's code")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, commune, year, json=False, **options):
        found = (Assessment.objects.select_related("commune", "standard")
                 .filter(commune__code=commune[:8], year=year).first())
        if found is None:
            raise CommandError(f"No assessment for commune {commune} in {year}.")
        payload = assessment_payload(found)
        if json:
            self.stdout.write(_dumps(payload))
            return
        self.stdout.write(f"{found.commune.name} {year}: {payload['total']}/{payload['threshold']} "
                          f"({found.get_status_display()})")
        for line in verdict_reasons(assessment_score(found)):
            self.stdout.write(f"  {line}")


def _dumps(payload):
    return json.dumps(payload, ensure_ascii=False)
