"""Print a demo account's current sign-in code, for trying the site without a phone."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.totp import totp_current_code, totp_device_confirmed


class Command(BaseCommand):
    help = "Print the current six-digit code of an account's authenticator app (DEBUG=1 only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        # Anyone who can run this could sign in as the account: development machines only.
        if not settings.DEBUG:
            raise CommandError("demo_totp runs only with DEBUG=1: it stands in for a phone.")
        user = get_user_model().objects.filter(username=username).first()
        device = totp_device_confirmed(user=user) if user else None
        if device is None:
            raise CommandError(f"{username} has no confirmed authenticator app.")
        code, seconds_left = totp_current_code(device)
        self.stdout.write(f"{code}  (valid for {seconds_left} more seconds; each code works once)")
