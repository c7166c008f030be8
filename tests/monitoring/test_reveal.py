from django.contrib.auth.models import Permission
from django.urls import reverse

from monitoring.models import AccessAction, AccessEvent
from tests.monitoring.staff import sign_in


def reveal_url(complaint) -> str:
    return reverse("admin:complaints_complaint_reveal", args=[complaint.pk])


def test_a_reviewer_with_the_permission_sees_the_identity_after_giving_a_reason(
    client, complainant_case, staff_viewer
):
    complaint, _receipt = complainant_case
    staff_viewer.user_permissions.add(Permission.objects.get(codename="reveal_identity"))
    sign_in(client, staff_viewer)
    change_page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert reveal_url(complaint) in change_page.content.decode()

    response = client.post(reveal_url(complaint), {"reason": "To arrange a safe call."})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Zxqname Marker-Person" in html
    assert "Only after 6pm" in html
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get()
    assert (event.action, event.actor, event.complaint_reference, event.reason) == (
        AccessAction.REVEAL_IDENTITY,
        staff_viewer,
        complaint.reference,
        "To arrange a safe call.",
    )


def test_the_reveal_page_asks_for_a_reason_first_and_records_nothing_on_a_get(
    client, complainant_case, staff_viewer
):
    complaint, _receipt = complainant_case
    staff_viewer.user_permissions.add(Permission.objects.get(codename="reveal_identity"))
    sign_in(client, staff_viewer)

    page = client.get(reveal_url(complaint))
    empty = client.post(reveal_url(complaint), {"reason": ""})

    assert "Zxqname" not in page.content.decode()
    assert empty.status_code == 400
    assert "Zxqname" not in empty.content.decode()
    assert not AccessEvent.objects.exists()


def test_staff_without_the_permission_cannot_reveal(client, complainant_case, staff_viewer):
    complaint, _receipt = complainant_case
    sign_in(client, staff_viewer)

    response = client.post(reveal_url(complaint), {"reason": "curious"}, follow=True)

    assert "Zxqname" not in response.content.decode()
    assert "permission" in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_the_outsider_gets_no_reveal_page(client, complainant_case, outsider):
    complaint, _receipt = complainant_case
    client.force_login(outsider)

    response = client.post(reveal_url(complaint), {"reason": "curious"})

    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
    assert not AccessEvent.objects.exists()


def test_victims_names_appear_only_through_the_reveal(client, db, staff_viewer):
    from complaints.models import Complaint
    from tests.filing import file_through_pages, step_data

    file_through_pages(client, step_data(victims={"victims-0-name": "Zxqvictim Name"}))
    complaint = Complaint.objects.get()
    staff_viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["reveal_identity", "view_victim"])
    )
    sign_in(client, staff_viewer)

    change_page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    revealed = client.post(reveal_url(complaint), {"reason": "To write to the family."})

    assert "Adult" in change_page.content.decode()  # the victims section is shown...
    assert "Zxqvictim" not in change_page.content.decode()  # ...without names
    assert "Zxqvictim Name" in revealed.content.decode()
