from django.core.management.base import BaseCommand

from treem.childfriendly.reference import load


class Command(BaseCommand):
    help = "Load the child-friendly standard (criteria, points, rule, window, authorities) from its fixture."

    def handle(self, *args, **options):
        load(self.stdout)
