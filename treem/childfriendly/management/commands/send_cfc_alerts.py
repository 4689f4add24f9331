from django.core.management.base import BaseCommand
from django.utils import timezone

from treem.childfriendly.alerts import send_alerts


class Command(BaseCommand):
    help = "Alert commune workers and provincial officers before the child-friendly submission window closes."

    def handle(self, *args, **options):
        self.stdout.write(f"child-friendly alerts: {send_alerts(timezone.localdate())} sent")
