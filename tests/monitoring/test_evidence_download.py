"""Evidence downloads are recorded, named without the case, and need the second factor."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from complaints.models import Evidence
from monitoring.models import AccessAction, AccessEvent
from tests.filing import TESTDATA, file_through_pages
from tests.monitoring.staff import enter_password, sign_in


@pytest.fixture
def two_files(db) -> list[Evidence]:
    file_through_pages(Client(), files=[TESTDATA / "minimal.pdf", TESTDATA / "photo_with_gps.jpg"])
    return list(Evidence.objects.select_related("complaint").order_by("pk"))


def test_a_download_records_who_opened_which_case_and_names_the_file_without_it(
    client, rapporteur, rapporteur_device, two_files
):
    _pdf, photo = two_files
    sign_in(client, rapporteur, rapporteur_device)

    response = client.get(reverse("admin:complaints_evidence_download", args=[photo.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="evidence-2.jpg"'
    assert photo.complaint.reference not in disposition
    assert photo.complaint.reference.replace("-", "") not in disposition
    event = AccessEvent.objects.get()
    assert event.action == AccessAction.DOWNLOAD_EVIDENCE
    assert event.actor == rapporteur
    assert event.complaint_reference == photo.complaint.reference


def test_staff_without_the_file_permission_get_nothing_and_nothing_is_recorded(
    client, rapporteur, rapporteur_device, two_files
):
    rapporteur.user_permissions.remove(Permission.objects.get(codename="view_evidence_file"))
    sign_in(client, rapporteur, rapporteur_device)

    response = client.get(reverse("admin:complaints_evidence_download", args=[two_files[0].pk]))
    missing = client.get(reverse("admin:complaints_evidence_download", args=[10**9]))

    # Refused as not found, the same answer as for a file that does not exist.
    assert response.status_code == missing.status_code == 404
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("who", ["nobody", "outsider", "password only"])
def test_no_download_without_a_verified_staff_session(
    client, who, rapporteur, rapporteur_device, outsider, two_files
):
    if who == "outsider":
        client.force_login(outsider)
    elif who == "password only":
        enter_password(client, rapporteur.username)

    response = client.get(reverse("admin:complaints_evidence_download", args=[two_files[0].pk]))

    assert response.status_code == 302
    assert "streaming_content" not in vars(response)
    assert not AccessEvent.objects.exists()


def test_the_case_page_links_to_the_recorded_download(client, staff_viewer, two_files):
    staff_viewer.user_permissions.add(Permission.objects.get(codename="view_evidence"))
    sign_in(client, staff_viewer)

    html = client.get(
        reverse("admin:complaints_complaint_change", args=[two_files[0].complaint_id])
    ).content.decode()

    assert reverse("admin:complaints_evidence_download", args=[two_files[0].pk]) in html
    assert not AccessEvent.objects.exists()  # showing the link opens nothing
