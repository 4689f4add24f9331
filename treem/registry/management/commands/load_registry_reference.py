from django.core.management.base import BaseCommand

from treem.registry.reference import load


class Command(BaseCommand):
    help = "Load the special-circumstance groups, sub-groups and risks from the registry's versioned fixture."

    def handle(self, *args, **options):
        load(self.stdout)
