"""The complainant changes their consents on the tracking page: recorded, dated, honoured."""

import re

import pytest
from django.urls import reverse

from complaints.models import Complaint, Consent, ConsentChange
from complaints.services import consents_change
from tests.filing import submit_directly

CHOICES = reverse("complaints:track_consents")


def tracking(client, receipt):
    response = client.post(reverse("complaints:track"), {"receipt": receipt})
    assert response.status_code == 302


def choices(contact: bool, disclose: bool, statistics: bool) -> dict:
    picked = {"contact": contact, "disclose_identity": disclose, "anonymised_use": statistics}
    return {f"consents-{name}": "on" for name, on in picked.items() if on}


def test_the_tracking_page_shows_the_consents_as_they_stand(client, complainant_case):
    _complaint, receipt = complainant_case
    tracking(client, receipt)

    page = client.get(reverse("complaints:track_case")).content.decode()

    assert "Your choices" in page
    assert ticked(page, "consents-contact")  # given on the form
    assert not ticked(page, "consents-anonymised_use")
    assert not ticked(page, "consents-disclose_identity")


def ticked(page: str, name: str) -> bool:
    box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert box is not None, name
    return " checked" in box.group(0)


def test_a_consent_changed_on_the_tracking_page_is_stored_dated_and_in_the_timeline(
    client, complainant_case
):
    complaint, receipt = complainant_case
    tracking(client, receipt)

    response = client.post(CHOICES, choices(contact=False, disclose=False, statistics=True))

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.consent_contact, complaint.consent_anonymised_use) == (False, True)
    changes = list(ConsentChange.objects.filter(complaint=complaint).order_by("consent"))
    assert [(c.consent, c.given) for c in changes] == [
        (Consent.ANONYMISED_USE, True),
        (Consent.CONTACT, False),
    ]
    assert all(c.at for c in changes)
    page = client.get(reverse("complaints:track_case")).content.decode()
    assert "Your choices were saved." in page
    assert "You asked the Committee not to contact you" in page
    assert "You agreed that your complaint may be used, without names, in statistics" in page


def test_saving_the_same_choices_records_nothing(client, complainant_case):
    _complaint, receipt = complainant_case
    tracking(client, receipt)

    client.post(CHOICES, choices(contact=True, disclose=False, statistics=False))

    assert not ConsentChange.objects.exists()
    page = client.get(reverse("complaints:track_case")).content.decode()
    assert "Nothing was changed" in page


def test_choices_cannot_be_changed_without_the_receipt(client, complainant_case):
    complaint, _receipt = complainant_case

    response = client.post(CHOICES, choices(contact=False, disclose=True, statistics=True))

    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.consent_disclose_identity is False
    assert not ConsentChange.objects.exists()


def test_a_withdrawn_consent_can_be_given_again_and_each_change_is_kept(db, now):
    complaint = submit_directly(now=now).complaint

    for given in [True, False, True]:
        consents_change(complaint=complaint, given={Consent.ANONYMISED_USE: given}, now=now)

    assert list(
        ConsentChange.objects.filter(complaint=complaint).values_list("given", flat=True)
    ) == [True, False, True]
    assert Complaint.objects.get(pk=complaint.pk).consent_anonymised_use is True


def test_a_closed_case_keeps_its_choices_page(client, complainant_case, now):
    from complaints.services import complaint_withdraw

    complaint, receipt = complainant_case
    complaint_withdraw(complaint=complaint, reason="I am safe now.", now=now)
    tracking(client, receipt)

    client.post(CHOICES, choices(contact=False, disclose=False, statistics=True))

    complaint.refresh_from_db()
    assert complaint.consent_anonymised_use is True


@pytest.mark.parametrize("value", ["\ufffd", "yes\x00"])
def test_odd_values_are_read_as_ticked_or_not_never_a_500(client, complainant_case, value):
    _complaint, receipt = complainant_case
    tracking(client, receipt)

    response = client.post(CHOICES, {"consents-contact": value})

    assert response.status_code in {302, 400}


def test_the_committee_sees_each_change_in_the_case_timeline(db, now):
    from monitoring.cases.selectors import case_timeline

    complaint = submit_directly(now=now).complaint
    consents_change(complaint=complaint, given={Consent.CONTACT: False}, now=now)

    titles = [str(entry.title) for entry in case_timeline(complaint)]

    assert "Consent withdrawn: may be contacted" in titles
