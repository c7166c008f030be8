"""Intake on behalf: an intake officer types in a complaint received on paper, by phone or at a
camp visit, with the public form's questions, and gives the person their receipt."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Channel, Complaint, Evidence, Status, StatusChange
from complaints.selectors import complaint_by_receipt
from tests.filing import MARKERS, intake_data
from tests.monitoring.cast import client_of, member
from tests.testdata import photo_with_gps

INTAKE = "/staff/intake/"
RECEIPT = "/staff/intake/receipt/"
EVIDENCE = "/staff/intake/evidence/"


@pytest.fixture
def officer(django_user_model, roles):
    return member(django_user_model, "intake", "Intake officer")


@pytest.fixture
def desk(officer, seed_data):
    return client_of(officer)


def page_token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def record(desk, **overrides):
    token = page_token(desk.get(INTAKE))
    return desk.post(INTAKE, intake_data(token, **overrides))


def shown_receipt(response) -> str:
    return "".join(response.context["groups"])


def test_the_intake_page_asks_every_question_of_the_public_form(desk):
    response = desk.get(INTAKE)
    assert response.status_code == 200
    page = response.content.decode()
    for title in ["About you", "The people affected", "What happened", "Remedies and requests"]:
        assert f"<h2>{title}</h2>" in page
    names = ["about-full_name", "victims-0-sex", "what-narrative", "consents-consent_processing"]
    for name in names:
        assert f'name="{name}"' in page
    # Received online is the public form's channel, not one an officer records.
    assert 'value="paper"' in page
    assert 'value="online"' not in page


def test_a_paper_complaint_is_recorded_with_its_channel_and_who_typed_it(desk, officer):
    response = record(desk, channel="phone", language="rw")
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.PHONE
    assert complaint.language == "rw"
    assert complaint.status == Status.RECEIVED
    assert complaint.narrative == MARKERS["narrative"]
    assert complaint.complainant.full_name == MARKERS["name"]
    first = StatusChange.objects.get(complaint=complaint)
    assert (first.by, first.by_complainant, first.to_status) == (officer, False, Status.RECEIVED)
    # The receipt shown opens the complaint, as an online filer's does; it is not in any URL.
    receipt = shown_receipt(response)
    assert len(receipt) == 16
    assert complaint_by_receipt(receipt) == complaint
    assert receipt not in response.get("Location", "")
    assert complaint.reference in response.content.decode()


def test_the_receipt_slip_is_in_the_persons_language_and_the_page_in_the_officers(desk):
    page = record(desk, language="fr").content.decode()
    assert "Votre plainte a bien été reçue" in page
    assert "Print this receipt for the person" in page
    english = record(desk, language="en", about={"full_name": "Another Person"})
    assert "Your complaint has been received" in english.content.decode()


def test_the_receipt_is_shown_until_the_officer_says_it_was_handed_over(desk):
    receipt = shown_receipt(record(desk))
    again = desk.get(RECEIPT)
    assert again.status_code == 200
    assert shown_receipt(again) == receipt

    handed_over = desk.post(RECEIPT)
    assert handed_over.status_code == 302
    assert handed_over["Location"] == INTAKE
    assert desk.get(RECEIPT)["Location"] == INTAKE
    assert not any(receipt in str(value) for value in cache._cache.values())


def test_every_error_of_the_page_comes_in_one_round_and_nothing_typed_is_lost(desk):
    token = page_token(desk.get(INTAKE))
    data = intake_data(
        token,
        about={"full_name": ""},
        what={"categories": [], "incident_day": "31", "incident_month": "2"},
    )
    del data["consents-consent_processing"]
    response = desk.post(INTAKE, data)
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    page = response.content.decode()
    assert "<title>Error:" in page
    summary = response.context["errors"]
    linked = {error["id"] for error in summary}
    expected = {"id_about-full_name", "id_what-categories_0", "id_consents-consent_processing"}
    assert expected <= linked
    assert 'href="#id_about-full_name"' in page
    assert MARKERS["narrative"] in page  # what was typed is still there
    assert page_token(response) == token  # and the same press, corrected, records once


def test_pressing_record_twice_records_once_and_shows_the_same_receipt(desk):
    token = page_token(desk.get(INTAKE))
    first = desk.post(INTAKE, intake_data(token))
    second = desk.post(INTAKE, intake_data(token), follow=True)
    assert Complaint.objects.count() == 1
    assert second.redirect_chain == [(RECEIPT, 302)]
    assert shown_receipt(second) == shown_receipt(first)


def test_a_used_form_records_nothing_more_once_its_receipt_was_handed_over(desk):
    token = page_token(desk.get(INTAKE))
    desk.post(INTAKE, intake_data(token))
    desk.post(RECEIPT)
    again = desk.post(INTAKE, intake_data(token), follow=True)
    assert again.redirect_chain == [(INTAKE, 302)]
    assert "already recorded; nothing more was" in again.content.decode()
    # Pressing Record on what the page offers now records a new, empty form's complaint only.
    assert Complaint.objects.count() == 1


def test_checking_the_answers_records_nothing_and_keeps_them(desk):
    token = page_token(desk.get(INTAKE))
    complete = desk.post(INTAKE, {**intake_data(token), "check": "1"})
    incomplete = desk.post(INTAKE, {**intake_data(token, what={"narrative": ""}), "check": "1"})
    assert complete.status_code == 200
    assert "Every answer is complete. Nothing is recorded yet." in complete.content.decode()
    assert incomplete.status_code == 400
    assert not Complaint.objects.exists()
    assert desk.post(INTAKE, intake_data(token)).status_code == 200
    assert Complaint.objects.count() == 1


def test_the_officers_link_to_the_case_ends_with_the_receipts_time(desk, settings):
    from datetime import timedelta

    from django.utils import timezone

    record(desk)
    later = timezone.now() + timedelta(seconds=31 * 60)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert desk.get(RECEIPT)["Location"] == INTAKE
        photo = SimpleUploadedFile("x.jpg", photo_with_gps(), content_type="image/jpeg")
        assert desk.post(EVIDENCE, {"file": photo})["Location"] == INTAKE
    assert not Evidence.objects.exists()


def test_a_file_the_officer_adds_answers_no_question_and_theirs_alone_are_listed(
    desk, django_user_model, now
):
    from complaints.evidence import evidence_clean
    from complaints.services import evidence_add
    from complaints.workflow import complaint_transition

    record(desk)
    complaint = Complaint.objects.get()
    chair = django_user_model.objects.create_superuser(username="root", password=None)
    complaint_transition(complaint=complaint, to=Status.TRIAGE, by=chair, now=now)
    complaint_transition(
        complaint=complaint, to=Status.AWAITING_COMPLAINANT, by=chair, reason="Which day?", now=now
    )
    upload = SimpleUploadedFile("mine.jpg", photo_with_gps(), content_type="image/jpeg")
    desk.post(EVIDENCE, {"file": upload})
    theirs = SimpleUploadedFile("theirs.jpg", photo_with_gps(), content_type="image/jpeg")
    evidence_add(complaint=complaint, clean=evidence_clean(theirs), description="", now=now)

    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE  # moved back by the complainant's file alone
    assert complaint.status_changes.filter(by_complainant=True).count() == 1
    page = desk.get(RECEIPT).content.decode()
    assert "mine.jpg" in page
    assert "theirs.jpg" not in page


def test_recording_the_next_complaint_forgets_the_last_receipt(desk):
    first = shown_receipt(record(desk))
    record(desk, about={"full_name": "Second Person"})
    assert not any(first in str(value) for value in cache._cache.values())


def test_a_form_from_another_session_records_nothing_and_keeps_the_answers(desk, officer):
    stranger_token = page_token(client_of(officer).get(INTAKE))
    response = desk.post(INTAKE, intake_data(stranger_token))
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    fresh = page_token(response)
    assert fresh != stranger_token
    assert desk.post(INTAKE, intake_data(fresh)).status_code == 200
    assert Complaint.objects.count() == 1


def test_adding_a_person_keeps_the_page_and_records_nothing(desk):
    token = page_token(desk.get(INTAKE))
    response = desk.post(INTAKE, {**intake_data(token), "add_person": "1"})
    assert response.status_code == 200
    assert not Complaint.objects.exists()
    page = response.content.decode()
    assert 'name="victims-1-sex"' in page
    assert "Person 2" in page
    assert MARKERS["narrative"] in page


def test_files_the_person_handed_over_are_added_while_the_receipt_is_shown(desk):
    record(desk)
    photo = SimpleUploadedFile("letter.jpg", photo_with_gps(), content_type="image/jpeg")
    response = desk.post(EVIDENCE, {"file": photo, "description": "The letter"})
    assert response.status_code == 302
    assert response["Location"] == RECEIPT
    evidence = Evidence.objects.get()
    assert evidence.complaint == Complaint.objects.get()
    assert evidence.metadata_stripped  # the same cleaning as a file sent online
    assert "letter.jpg" in desk.get(RECEIPT).content.decode()

    refused = desk.post(EVIDENCE, {"file": SimpleUploadedFile("x.jpg", b"<html>")})
    assert refused.status_code == 400
    assert "not accepted" in refused.content.decode()

    desk.post(RECEIPT)  # handed over: the officer is done with this complaint
    late = SimpleUploadedFile("late.jpg", photo_with_gps(), content_type="image/jpeg")
    assert desk.post(EVIDENCE, {"file": late})["Location"] == INTAKE
    assert Evidence.objects.count() == 1


def test_the_officer_never_reads_the_case_afterwards(desk):
    record(desk)
    complaint = Complaint.objects.get()
    assert desk.get(reverse("admin:complaints_complaint_changelist")).status_code == 403
    page = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    assert desk.get(page).status_code == 403


@pytest.mark.parametrize("role", ["Rapporteur", "Committee chair", "Data officer", "Appeal judge"])
def test_other_roles_do_not_record_on_behalf(django_user_model, roles, role):
    client = client_of(member(django_user_model, "someone", role))
    assert client.get(INTAKE).status_code == 403
    assert client.post(INTAKE, intake_data("x" * 43)).status_code == 403
    assert client.get(RECEIPT).status_code == 403
    assert not Complaint.objects.exists()
    assert "Record a complaint received" not in client.get("/staff/").content.decode()


def test_the_intake_officer_lands_on_intake(desk):
    page = desk.get("/staff/").content.decode()
    assert f'href="{INTAKE}"' in page


def test_nobody_signed_out_reaches_intake(client):
    response = client.get(INTAKE)
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
