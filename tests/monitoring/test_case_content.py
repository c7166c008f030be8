"""Case pages show each role what its work needs: the data officer reads no case's story."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.cases.services import case_assign
from tests.filing import MARKERS
from tests.monitoring.staff import PASSWORD, sign_in


def signed_in_as(django_user_model, role: str) -> Client:
    user = django_user_model.objects.create_user(
        username=role.replace(" ", "-").lower(), password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    sign_in(client, user, TOTPDevice.objects.create(user=user, name="Phone", confirmed=True))
    return client


@pytest.mark.parametrize(
    ("role", "given_to_them", "reads_the_story"),
    [
        ("Data officer", False, False),
        ("Rapporteur", False, False),  # the unassigned queue: structured fields only
        ("Rapporteur", True, True),
        ("Committee chair", False, True),
    ],
)
def test_only_case_workers_read_a_cases_narrative_people_and_history(
    django_user_model, complainant_case, role, given_to_them, reads_the_story, now
):
    complaint, _receipt = complainant_case
    client = signed_in_as(django_user_model, role)
    if given_to_them:
        chair = django_user_model.objects.create_superuser(username="chair", password=None)
        member = django_user_model.objects.get(username=role.replace(" ", "-").lower())
        case_assign(
            complaint=complaint, rapporteur=member, by=chair, expected_rapporteur_id=None, now=now
        )

    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert complaint.reference in text  # the structured fields are there for both
    assert (MARKERS["narrative"] in text) is reads_the_story
    assert ("Status changes" in text or "status change" in text.lower()) is reads_the_story
