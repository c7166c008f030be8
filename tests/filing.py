"""Building complaints in tests the way complainants do: through the forms, or the service."""

import secrets
from pathlib import Path

from django.utils import timezone

from complaints.filing import FORM_STEPS, form_of, step_cleaned, step_querydict
from complaints.services import complaint_submit
from tests.testdata import testdata_folder

# Hostile and metadata-laden files, made in code (tests/testdata.py), for tests that upload them.
TESTDATA = testdata_folder()

MARKERS = {
    "name": "Zxqname Marker-Person",
    "narrative": "Zxqnarrative: soldiers came to the house at night and took my brother.",
}


def step_data(**overrides: dict) -> dict[str, dict]:
    """Valid POST data for every form step; override one step's fields by its slug."""
    data = {
        "about": {
            "filing_for": "self",
            "anonymous": "no",
            "full_name": MARKERS["name"],
            "contact_channel": "messaging",
            "contact_details": "+256 700 000000",
            "safe_contact_instructions": "Only after 6pm",
            "country_of_residence": "UG",
            "residence_status": "refugee",
            "nationality": "RW",
            "unhcr_number": "UG-123",
            "preferred_language": "rw",
        },
        "victims": {
            "victims-TOTAL_FORMS": "1",
            "victims-INITIAL_FORMS": "0",
            "victims-MIN_NUM_FORMS": "1",
            "victims-MAX_NUM_FORMS": "30",
            "victims-0-name": "",
            "victims-0-sex": "male",
            "victims-0-age_group": "adult",
            "victims-0-situation": "in_exile",
        },
        "what": {
            "categories": ["LIBERTY_ARBITRARY_ARREST"],
            "incident_year": "2023",
            "incident_month": "5",
            "incident_day": "",
            "incident_country": "RW",
            "incident_place": "Kigali",
            "perpetrators": ["police"],
            "narrative": MARKERS["narrative"],
            "is_ongoing": "no",
            "immediate_danger": "no",
            "danger_details": "",
        },
        "remedies": {
            "remedies_tried": "no",
            "no_remedy_reasons": ["fear"],
            "other_procedure": "no",
            "remedy_sought": "An investigation.",
            "protective_measures": "",
        },
        "consents": {"consent_processing": "on", "consent_contact": "on"},
    }
    for slug, fields in overrides.items():
        data[slug] = {**data[slug], **fields}
    return data


def intake_data(token: str, *, channel: str = "paper", language: str = "fr", **overrides) -> dict:
    """The public form's valid answers, every step under its own prefix, as the page posts them."""
    data = {"token": token, "channel": channel, "language": language}
    for slug, fields in step_data(**overrides).items():
        if slug == "victims":
            data.update(fields)  # the formset carries its own prefix
        else:
            data.update({f"{slug}-{name}": value for name, value in fields.items()})
    return data


def cleaned_steps(data: dict[str, dict] | None = None) -> dict:
    """The cleaned data of every step, as the review page hands it to the service."""
    data = data or step_data()
    return {
        step.slug: step_cleaned(form_of(step, step_querydict(data[step.slug])))
        for step in FORM_STEPS
    }


def submit_directly(*, now=None, data=None, token=None):
    return complaint_submit(
        steps=cleaned_steps(data),
        evidence=[],
        language="en",
        token=token or secrets.token_urlsafe(32),
        now=now or timezone.now(),
    )


def receipt_shown(response) -> bool:
    """The answer to "Send": the receipt page itself, with the 16 digits (see views._submit)."""
    return (
        response.status_code == 200
        and response.templates[0].name == "complaints/receipt.html"
        and len(response.context["groups"] or []) == 4
    )


def file_through_pages(client, data: dict[str, dict] | None = None, files: list[Path] = ()):
    """Walk every step as a browser would; returns the response of the final POST."""
    data = data or step_data()
    for step in FORM_STEPS:
        if step.slug == "consents":
            for path in files:
                with path.open("rb") as handle:
                    response = client.post(
                        "/file/evidence/", {"upload": "1", "file": handle, "description": "A photo"}
                    )
                assert response.status_code == 302, response.content.decode()[:2000]
        response = client.post(f"/file/{step.slug}/", data[step.slug])
        assert response.status_code == 302, (step.slug, response.content.decode()[-3000:])
    review = client.get("/file/review/")
    assert review.status_code == 200
    token = review.context["form"].initial["token"]
    return client.post("/file/review/", {"token": token})
