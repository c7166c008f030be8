"""Close the cases whose appeal window passed without an appeal; for cron, e.g. hourly.

Idempotent: a case already closed, appealed meanwhile, or whose window is still open is left as
it is, so running it twice, or two at once, closes each case once.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from monitoring.cases.services import appeal_windows_close


class Command(BaseCommand):
    help = "Close the cases whose appeal window has passed without an appeal."

    def handle(self, *args: object, **options: object) -> None:
        closed = appeal_windows_close(now=timezone.now())
        self.stdout.write(f"{closed} case(s) closed.")
