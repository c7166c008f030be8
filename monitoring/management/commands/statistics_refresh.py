"""Compute the kept figures again, for the statistics pages; for cron, e.g. hourly.

The figures count the complaints whose complainant agrees to their use in statistics as the
consent stands when this runs: a consent withdrawn on the tracking page leaves the figures at
the next run. Safe to run twice at once: each run replaces the figures whole, in a transaction.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from monitoring.statistics import statistics_refresh


class Command(BaseCommand):
    help = "Compute the figures of the statistics and transparency pages again."

    def handle(self, *args: object, **options: object) -> None:
        refresh = statistics_refresh(now=timezone.now())
        self.stdout.write(f"{refresh.complaints} complaint(s) counted.")
