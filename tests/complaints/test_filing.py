from complaints.models import Complaint, Status, Urgency
from tests.filing import MARKERS, file_through_pages, step_data


def test_a_complaint_filed_through_every_step_is_stored_with_its_answers(client, db):
    response = file_through_pages(client)

    # The receipt is in the answer to "Send" itself, not behind a redirect (see _submit).
    assert response.status_code == 200
    assert response.templates[0].name == "complaints/receipt.html"
    assert len(response.context["groups"]) == 4
    complaint = Complaint.objects.get()
    assert complaint.status == Status.RECEIVED
    assert complaint.urgency == Urgency.NORMAL
    assert complaint.narrative == MARKERS["narrative"]
    assert complaint.complainant.full_name == MARKERS["name"]
    assert [c.code for c in complaint.categories.all()] == ["LIBERTY_ARBITRARY_ARREST"]
    assert complaint.incident_date.isoformat() == "2023-05-01"
    assert complaint.incident_date_precision == "month"
    assert complaint.victims.get().is_complainant
    assert complaint.status_changes.get().to_status == Status.RECEIVED


def test_the_receipt_page_shows_the_reference_and_sixteen_digits_in_four_groups(client, db):
    file_through_pages(client)

    page = client.get("/file/receipt/")

    complaint = Complaint.objects.get()
    assert complaint.reference in page.content.decode()
    groups = page.context["groups"]
    assert len(groups) == 4
    assert all(len(group) == 4 and group.isdigit() for group in groups)


def test_the_receipt_page_shown_after_sending_is_the_one_the_receipt_link_shows_again(client, db):
    sent = file_through_pages(client)

    again = client.get("/file/receipt/")

    assert sent.context["groups"] == again.context["groups"]
    assert 'action="/file/receipt/"' in sent.content.decode()  # its button never sends again


def test_someone_in_immediate_danger_makes_the_complaint_urgent(client, db):
    data = step_data(what={"immediate_danger": "yes", "danger_details": "He is hiding."})

    file_through_pages(client, data)

    assert Complaint.objects.get().urgency == Urgency.URGENT
