from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.retention import complaint_purge, complaints_past_retention


class Command(BaseCommand):
    help = (
        "Delete closed and withdrawn complaints older than RETENTION_DAYS_AFTER_CLOSURE, "
        "with their files, history and messages, keeping only a contentless record."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would go.")

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        expired = list(complaints_past_retention(now=now).only("pk"))
        if options["dry_run"]:
            self.stdout.write(f"{len(expired)} complaint(s) past their retention period.")
            return
        for complaint in expired:
            complaint_purge(complaint=complaint, now=now)
        self.stdout.write(f"Deleted {len(expired)} complaint(s) past their retention period.")
