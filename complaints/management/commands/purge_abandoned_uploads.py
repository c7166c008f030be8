"""Delete evidence files that no complaint refers to: uploads of filings that were never sent.

A file is written when it is uploaded during filing, before the complaint exists; if the person
never sends the complaint, nothing else would ever remove it. The spool folder is cleaned too:
a worker killed while a file streamed in leaves its partial, encrypted copy there (its key died
with the worker). Run this daily (cron or a timer).
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.models import Evidence
from complaints.uploads import SPOOL_PREFIX, spool_dir


class Command(BaseCommand):
    help = "Delete uploaded evidence files of filings that were abandoned."

    def handle(self, *args: object, **options: object) -> None:
        # Older than a draft can live, so that no filing still in progress loses its files.
        cutoff = timezone.now() - timedelta(minutes=settings.FILING_IDLE_MINUTES) * 2
        self.stdout.write(f"Removed {self._spool_purge(cutoff)} abandoned partial upload(s).")
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

    @staticmethod
    def _spool_purge(cutoff: datetime) -> int:
        # A spooled upload is written to while it streams in and deleted when its request ends.
        removed = 0
        for path in spool_dir().glob(f"{SPOOL_PREFIX}*"):
            if datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
