"""Fill the site with clearly fake demonstration data, and print how to sign in as each role."""

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
from monitoring.roles import ROLES

DEMO_PREFIX = "demo-"


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
        self.stdout.write(
            self.style.WARNING(
                "DEMONSTRATION DATA ONLY: fake complaints and throwaway accounts. "
                "Never run this on a real server."
            )
        )
        self.stdout.write("\nStaff sign-in at http://127.0.0.1:8000/staff/")
        for username, password in logins:
            self.stdout.write(f"  {username:<28} {password}")
        self.stdout.write("\nDemo complaints (follow them at http://127.0.0.1:8000/track/):")
        for reference, receipt in filed:
            self.stdout.write(f"  {reference}  receipt {' '.join(receipt_groups(receipt))}")

    def _staff(self) -> list[tuple[str, str]]:
        logins = []
        for role in ROLES:
            username = DEMO_PREFIX + role.lower().replace(" ", "-")
            password = secrets.token_urlsafe(12)
            user, _created = get_user_model().objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            logins.append((username, password))
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
