import pytest
from django.test import Client

from complaints.models import Message, Status
from complaints.receipts import receipt_groups
from tests.filing import TESTDATA


def open_case(client: Client, receipt: str):
    return client.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})


def test_the_receipt_opens_the_case_and_shows_its_status_and_timeline(client, complainant_case):
    complaint, receipt = complainant_case

    response = open_case(client, receipt)
    page = client.get("/track/case/")

    assert response.status_code == 302
    assert response["Location"] == "/track/case/"
    html = page.content.decode()
    assert complaint.reference in html
    assert "Received" in html
    assert [entry.title for entry in page.context["timeline"]] == ["Received"]


def test_a_wrong_receipt_and_an_unknown_one_get_the_same_answer(client, complainant_case):
    _complaint, receipt = complainant_case
    wrong = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)

    first = client.post("/track/", {"receipt": wrong})
    second = client.post("/track/", {"receipt": "0000 0000 0000 0000"})

    assert first.status_code == second.status_code == 400
    assert first.context["form"].errors == second.context["form"].errors
    assert "tracking_complaint" not in client.session


def test_a_receipt_with_letters_is_told_that_receipts_are_digits(client, db):
    response = client.post("/track/", {"receipt": "12ab"})

    assert response.status_code == 400
    assert "A receipt has only digits" in response.content.decode()


@pytest.mark.parametrize(("typed", "count"), [("1234 5678", 8), ("1234-5678-1234-5678-1", 17)])
def test_a_receipt_of_the_wrong_length_is_told_it_has_16_digits(client, db, typed, count):
    response = client.post("/track/", {"receipt": typed})

    assert response.status_code == 400
    assert f"A receipt has 16 digits. You typed {count} digits." in response.content.decode()
    assert "could not find" not in response.content.decode()


def test_wrong_receipts_are_throttled_then_even_the_right_one_waits(
    client, complainant_case, settings
):
    settings.RECEIPT_FAILURES_PER_SESSION = 3
    _complaint, receipt = complainant_case
    for _ in range(3):
        client.post("/track/", {"receipt": "1111 1111 1111 1111"})

    response = open_case(client, receipt)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_the_network_ceiling_holds_back_guessing_from_every_session_behind_one_address(
    complainant_case, settings
):
    settings.RECEIPT_FAILURES_PER_NETWORK = 4
    _complaint, receipt = complainant_case
    same_start = receipt[:4] + str((int(receipt[4:]) + 1) % 10**12).zfill(12)
    for _ in range(4):
        Client().post("/track/", {"receipt": same_start})  # a new phone each time

    assert open_case(Client(), receipt).status_code == 429
    assert open_case(Client(REMOTE_ADDR="10.9.9.9"), receipt).status_code == 302


def test_wrong_receipts_from_a_shared_address_do_not_lock_out_everyone_else_on_it(
    complainant_case, settings
):
    settings.RECEIPT_FAILURES_PER_NETWORK = 4
    _complaint, receipt = complainant_case
    other_start = str((int(receipt[:4]) + 1) % 10**4).zfill(4) + "0" * 12
    for _ in range(10):
        Client().post("/track/", {"receipt": other_start})  # an informer on the camp's network

    assert open_case(Client(), receipt).status_code == 302


def test_opening_a_case_gives_a_new_session_id_with_a_short_idle_timeout(client, complainant_case):
    _complaint, receipt = complainant_case
    client.get("/track/")
    client.session.save()
    before = client.session.session_key

    open_case(client, receipt)

    assert client.session.session_key != before
    assert client.session.get_expiry_age() <= 30 * 60


def test_the_case_page_needs_an_open_session(client, db):
    assert client.get("/track/case/")["Location"] == "/track/"
    assert client.post("/track/case/message/", {"body": "hello"}).status_code == 403


def test_a_message_from_the_complainant_is_stored_and_shown(client, complainant_case):
    complaint, receipt = complainant_case
    open_case(client, receipt)

    response = client.post("/track/case/message/", {"body": "My brother was seen in Kigali."})

    assert response.status_code == 302
    message = Message.objects.get(complaint=complaint)
    assert message.direction == Message.Direction.FROM_COMPLAINANT
    assert "My brother was seen in Kigali." in client.get("/track/case/").content.decode()


def test_an_empty_message_is_refused_with_a_message_next_to_the_field(client, complainant_case):
    _complaint, receipt = complainant_case
    open_case(client, receipt)

    response = client.post("/track/case/message/", {"body": "   "})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Message.objects.exists()


def test_a_file_added_from_the_tracking_page_is_attached(client, complainant_case):
    complaint, receipt = complainant_case
    open_case(client, receipt)

    with (TESTDATA / "photo_with_gps.jpg").open("rb") as handle:
        response = client.post("/track/case/evidence/", {"file": handle, "description": "Wall"})

    assert response.status_code == 302
    evidence = complaint.evidence.get()
    assert evidence.metadata_stripped
    assert evidence.description == "Wall"


def test_a_disguised_file_on_the_tracking_page_is_refused(client, complainant_case):
    complaint, receipt = complainant_case
    open_case(client, receipt)

    with (TESTDATA / "script_named_as.pdf").open("rb") as handle:
        response = client.post("/track/case/evidence/", {"file": handle})

    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert not complaint.evidence.exists()


def test_the_complainant_can_withdraw_and_the_history_records_it(client, complainant_case):
    complaint, receipt = complainant_case
    open_case(client, receipt)

    response = client.post("/track/case/withdraw/", {"reason": "I am safe now.", "confirm": "on"})

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    change = complaint.status_changes.last()
    assert (change.from_status, change.to_status, change.by_complainant, change.by) == (
        Status.RECEIVED,
        Status.WITHDRAWN,
        True,
        None,
    )
    assert change.reason == "I am safe now."
    assert "Withdrawn" in client.get("/track/case/").content.decode()


def test_withdrawing_needs_the_confirmation_box(client, complainant_case):
    complaint, receipt = complainant_case
    open_case(client, receipt)

    response = client.post("/track/case/withdraw/", {"reason": "x"})

    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_a_withdrawn_complaint_takes_no_more_messages(client, complainant_case):
    _complaint, receipt = complainant_case
    open_case(client, receipt)
    client.post("/track/case/withdraw/", {"reason": "x", "confirm": "on"})

    response = client.post("/track/case/message/", {"body": "one more thing"})

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_leaving_ends_the_tracking_session_and_clears_the_browser(
    client, complainant_case, settings
):
    _complaint, receipt = complainant_case
    open_case(client, receipt)

    response = client.get("/leave/")

    assert response.status_code == 302
    assert response["Location"] == settings.LEAVE_SITE_URL
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/track/case/")["Location"] == "/track/"


@pytest.mark.parametrize("path", ["/", "/file/about/", "/track/", "/file/evidence/"])
def test_complainant_pages_are_never_cached(client, db, path):
    response = client.get(path)

    assert "no-store" in response["Cache-Control"]


def test_opening_a_filing_page_keeps_an_open_case_on_the_short_timeout(client, complainant_case):
    _complaint, receipt = complainant_case
    open_case(client, receipt)

    client.get("/file/about/")

    assert "tracking_complaint" in client.session
    assert client.session.get_expiry_age() <= 30 * 60


def test_a_file_cannot_be_added_to_a_withdrawn_case_and_leaves_nothing_behind(
    complainant_case, now
):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from complaints.errors import ComplaintError
    from complaints.evidence import evidence_clean
    from complaints.services import complaint_withdraw, evidence_add

    complaint, _receipt = complainant_case
    complaint_withdraw(complaint=complaint, reason="safe now", now=now)
    clean = evidence_clean(SimpleUploadedFile("a.pdf", (TESTDATA / "minimal.pdf").read_bytes()))

    with pytest.raises(ComplaintError, match="closed"):
        evidence_add(complaint=complaint, clean=clean, description="", now=now)

    assert not complaint.evidence.exists()
    assert not default_storage.exists("evidence") or default_storage.listdir("evidence")[1] == []


def test_the_error_page_offers_the_quick_exit_and_runs_no_inline_style():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "templates" / "500.html").read_text()

    assert 'href="/leave/"' in page
    assert "style=" not in page
