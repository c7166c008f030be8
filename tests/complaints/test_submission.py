import secrets
import threading

import pytest
from django.db import connection

from complaints.models import Complaint, Evidence
from tests.filing import (
    TESTDATA,
    cleaned_steps,
    file_through_pages,
    receipt_shown,
    step_data,
    submit_directly,
)


def test_pressing_send_twice_files_one_complaint_and_keeps_the_receipt(client, db):
    file_through_pages(client, files=[TESTDATA / "minimal.pdf"])
    first_receipt = client.get("/file/receipt/").context["groups"]
    # The second press arrives after the first has finished and cleared the draft.
    second = client.post("/file/review/", {"token": "the same page's token"})

    assert second.status_code == 302
    assert second["Location"] == "/file/receipt/"
    assert Complaint.objects.count() == 1
    assert Evidence.objects.count() == 1
    assert client.get("/file/receipt/").context["groups"] == first_receipt


def test_the_service_files_once_per_submission_token(db, now):
    token = secrets.token_urlsafe(32)

    first = submit_directly(now=now, token=token)
    second = submit_directly(now=now, token=token)

    assert first.created
    assert not second.created
    assert second.complaint == first.complaint
    assert second.receipt is None
    assert Complaint.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks: PostgreSQL run")
def test_two_presses_at_the_same_moment_file_one_complaint(seed_data, now):
    token = secrets.token_urlsafe(32)
    steps = cleaned_steps()
    results = []
    barrier = threading.Barrier(2)

    def press():
        from complaints.services import complaint_submit

        barrier.wait()
        try:
            results.append(
                complaint_submit(steps=steps, evidence=[], language="en", token=token, now=now)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Complaint.objects.count() == 1
    assert sorted(result.created for result in results) == [False, True]


def test_a_crash_while_saving_leaves_no_half_written_complaint(db, now, monkeypatch):
    from complaints import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Victim.objects, "bulk_create", explode)

    with pytest.raises(RuntimeError):
        submit_directly(now=now)

    assert not Complaint.objects.exists()
    assert not services.Complainant.objects.exists()


def test_references_look_like_afr_and_are_not_sequential(db, now):
    references = [submit_directly(now=now).complaint.reference for _ in range(3)]

    assert all(len(r) == 13 and r.startswith("AFR-") and r[8] == "-" for r in references)
    assert len(set(references)) == 3


def test_anonymous_filing_keeps_no_name_even_if_one_was_typed(client, db):
    data = step_data(about={"anonymous": "yes", "full_name": "Typed Then Anonymous"})

    file_through_pages(client, data)

    complainant = Complaint.objects.get().complainant
    assert complainant.is_anonymous
    assert complainant.full_name == ""


def test_filing_for_someone_else_records_the_relationship_and_authority(client, db):
    data = step_data(
        about={
            "filing_for": "other",
            "relationship": "family",
            "authority": "unable",
            "authority_details": "He is detained.",
        }
    )

    file_through_pages(client, data)

    complaint = Complaint.objects.get()
    assert complaint.complainant.relationship == "family"
    assert complaint.complainant.authority == "unable"
    assert not complaint.victims.get().is_complainant


def test_a_flood_of_submissions_from_one_network_is_held_back_without_losing_the_draft(
    db, settings
):
    from django.test import Client

    settings.SUBMISSIONS_PER_NETWORK_PER_HOUR = 2
    for _ in range(2):
        file_through_pages(Client(REMOTE_ADDR="198.51.100.7"))
    third = Client(REMOTE_ADDR="198.51.100.7")

    response = file_through_pages(third)

    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert Complaint.objects.count() == 2
    assert third.get("/file/review/").status_code == 200  # the draft is still there
    assert receipt_shown(file_through_pages(Client(REMOTE_ADDR="203.0.113.9")))


def test_an_anonymous_self_filer_leaves_no_name_on_person_one_either(client, db):
    data = step_data(
        about={"anonymous": "yes", "full_name": ""}, victims={"victims-0-name": "Typed My Own Name"}
    )

    file_through_pages(client, data)

    assert Complaint.objects.get().victims.get().name == ""


def test_a_receipt_is_shown_only_if_it_opens_the_complaint_filed(db, now):
    from complaints import filing

    token = secrets.token_urlsafe(32)
    winner = submit_directly(now=now, token=token)
    # Another press drew its own receipt first and kept it; its complaint was never written.
    assert filing.receipt_hold(token=token, receipt="0" * 16)
    assert not filing.receipt_hold(token=token, receipt="1" * 16)  # nobody replaces it

    before = filing.receipt_confirmed(token)
    filing.receipt_hand_over(
        token=token, reference=winner.complaint.reference, receipt=winner.receipt
    )
    after = filing.receipt_confirmed(token)

    assert before is None
    assert after == {"reference": winner.complaint.reference, "receipt": winner.receipt}


def test_the_press_that_lost_shows_the_receipt_of_the_press_that_filed(client, db, now):
    from complaints import filing

    data = step_data()
    for slug, fields in data.items():
        client.post(f"/file/{slug}/", fields)
    token = client.get("/file/review/").context["form"].initial["token"]
    # The other press: its complaint committed, its receipt set a moment later; this press's
    # own receipt, drawn before, was kept first.
    winner = complaint_submit_for(token, now)
    filing.receipt_hold(token=token, receipt="0" * 16)
    later = threading.Timer(
        0.5,
        filing.receipt_hand_over,
        kwargs={"token": token, "reference": winner.complaint.reference, "receipt": winner.receipt},
    )
    later.start()

    shown = client.post("/file/review/", {"token": token})
    later.join()

    assert Complaint.objects.count() == 1
    assert "".join(shown.context["groups"]) == winner.receipt


def complaint_submit_for(token, now):
    from complaints.services import complaint_submit

    return complaint_submit(steps=cleaned_steps(), evidence=[], language="en", token=token, now=now)
