"""Fill the site with clearly fake demonstration data, and print how to sign in as each role.

Each demo account gets a password and a confirmed authenticator-app secret, both printed, so a
newcomer can sign in as any role with an app, or with `manage.py demo_totp USERNAME`.
"""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from complaints.filing import steps_from_data
from complaints.models import Status
from complaints.receipts import receipt_groups
from complaints.seeds import SEEDS_DIR
from complaints.services import complaint_submit
from complaints.workflow import complaint_transition
from monitoring.appeals.models import JudgeProfile
from monitoring.roles import ROLES
from monitoring.statistics import statistics_refresh
from monitoring.totp import totp_device_replace, totp_secret

DEMO_PREFIX = "demo-"
# The Appeal Body's demo roster: with the demo appeal judge, enough judges of different
# nationalities for a panel of three and a replacement after a recusal. Two co-presidents, one
# Rwandan and one not, as the settings want.
DEMO_JUDGES = {
    "appeal-judge": (["RW"], ["rw", "en", "fr"], True),
    "appeal-judge-fr": (["FR"], ["fr", "en"], False),
    "appeal-judge-ke": (["KE"], ["sw", "en"], False),
    "appeal-judge-gb": (["GB"], ["en", "rw"], True),
}


class Command(BaseCommand):
    help = "Create fake demo complaints and one demo account per staff role (never in production)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo runs only with DEBUG=1: it creates known accounts.")
        with transaction.atomic():
            logins = self._staff()
            filed = self._complaints(
                chair=get_user_model().objects.get(username=f"{DEMO_PREFIX}committee-chair")
            )
            statistics_refresh(now=timezone.now())  # the statistics pages have figures to show
        self.stdout.write(
            self.style.WARNING(
                "DEMONSTRATION DATA ONLY: fake complaints and throwaway accounts. "
                "Never run this on a real server."
            )
        )
        self._print_logins(logins)
        self.stdout.write("\nDemo complaints (follow them at http://127.0.0.1:8000/track/):")
        for reference, receipt in filed:
            self.stdout.write(f"  {reference}  receipt {' '.join(receipt_groups(receipt))}")

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write(
            "\nStaff sign-in at http://127.0.0.1:8000/staff/ : the password, then the code that an "
            "authenticator app shows\nfor the secret below (or run `DEBUG=1 python manage.py "
            "demo_totp USERNAME`)."
        )
        self.stdout.write(
            self.style.WARNING(
                "These passwords and secrets are for demonstration only: never use them, or "
                "these accounts, on a real server."
            )
        )
        self.stdout.write(f"  {'username':<28} {'password':<18} authenticator secret (TOTP)")
        for username, password, secret in logins:
            self.stdout.write(f"  {username:<28} {password:<18} {secret}")

    def _staff(self) -> list[tuple[str, str, str]]:
        logins = []
        accounts = [(DEMO_PREFIX + role.lower().replace(" ", "-"), role) for role in ROLES]
        accounts += [
            (DEMO_PREFIX + name, "Appeal judge")
            for name in DEMO_JUDGES
            if DEMO_PREFIX + name not in {username for username, _role in accounts}
        ]
        for username, role in accounts:
            password = secrets.token_urlsafe(12)
            user, _created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            device = totp_device_replace(user=user)
            logins.append((username, password, totp_secret(device)))
            judging = DEMO_JUDGES.get(username.removeprefix(DEMO_PREFIX))
            if judging:
                nationalities, languages, co_president = judging
                JudgeProfile.objects.update_or_create(
                    user=user,
                    defaults={
                        "nationalities": nationalities,
                        "languages": languages,
                        "co_president": co_president,
                    },
                )
        return logins

    def _complaints(self, *, chair: object) -> list[tuple[str, str]]:
        data = json.loads((SEEDS_DIR / "demo" / "complaints.json").read_text(encoding="utf-8"))
        filed = []
        for entry in data["complaints"]:
            now = timezone.now()
            submission = complaint_submit(
                steps=steps_from_data(entry),
                evidence=[],
                language=entry["about"].get("preferred_language", "en")[:2],
                token=secrets.token_urlsafe(32),
                now=now,
            )
            for target in entry.get("moves", []):
                complaint_transition(
                    complaint=submission.complaint,
                    to=Status(target),
                    by=chair,
                    reason="DEMO: moved by the demo data set.",
                    now=now,
                )
            filed.append((submission.complaint.reference, submission.receipt))
        return filed
