"""Delete evidence files that no complaint refers to: uploads of filings that were never sent.

A file is written when it is uploaded during filing, before the complaint exists; if the person
never sends the complaint, nothing else would ever remove it. Run this daily (cron or a timer).
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.models import Evidence


class Command(BaseCommand):
    help = "Delete uploaded evidence files of filings that were abandoned."

    def handle(self, *args: object, **options: object) -> None:
        # Older than a draft can live, so that no filing still in progress loses its files.
        cutoff = timezone.now() - timedelta(minutes=settings.FILING_IDLE_MINUTES) * 2
        if not default_storage.exists("evidence"):
            self.stdout.write("No evidence folder yet.")
            return
        _dirs, names = default_storage.listdir("evidence")
        stored = {f"evidence/{name}" for name in names}
        kept = set(Evidence.objects.filter(file__in=stored).values_list("file", flat=True))
        removed = 0
        for path in sorted(stored - kept):
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        self.stdout.write(f"Removed {removed} abandoned upload(s).")
