"""Hostile text in every free-text field: stored as typed, and inert wherever it is shown.

Each line of the team's hostile strings is filed through the public pages in every free-text
field, then sent again as a message, a file description and a withdrawal reason. Every page that
shows it — the steps, the review, the tracking page, the admin — must show it as text: no element
a visitor would run, no link that runs script. Spreadsheet formulas are kept exactly as typed;
neutralising them is the export's job.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from complaints.filing import PAGES, STEP_BY_SLUG
from complaints.forms import VictimForm
from complaints.models import Complaint, Message, Status, StatusChange
from tests.filing import receipt_shown, step_data
from tests.security.hostile import (
    FILING_STEPS,
    HOSTILE,
    PDF,
    assert_refused,
    html_of,
    live_markup,
    stored,
)

PAYLOADS = [line for line in HOSTILE if "\x00" not in line]
NUL_LINE = next(line for line in HOSTILE if "\x00" in line)
FORMULAS = [line for line in PAYLOADS if line.lstrip("\t\r")[:1] in ("=", "+", "-", "@")]

FREE_TEXT = {
    "about": [
        "full_name",
        "organisation_name",
        "authority_details",
        "contact_details",
        "safe_contact_instructions",
        "unhcr_number",
    ],
    "victims": ["victims-0-name"],
    "what": ["incident_place", "narrative", "danger_details"],
    "remedies": [
        "remedies_details",
        "no_remedy_details",
        "other_procedure_details",
        "remedy_sought",
        "protective_measures",
    ],
}
# Answers under which each free-text field above is asked for and kept.
ASKING_EVERYTHING = {
    "about": {
        "anonymous": "no",
        "filing_for": "other",
        "relationship": "organisation",
        "authority": "written",
    },
    "what": {"immediate_danger": "yes"},
    "remedies": {"remedies_tried": "yes", "other_procedure": "yes"},
}
DESCRIPTION_MAX = 1000


def limit(slug: str, name: str) -> int | None:
    form = VictimForm if slug == "victims" else STEP_BY_SLUG[slug].form_class
    return form.base_fields[name.removeprefix("victims-0-")].max_length


def typed(text: str, slug: str = "what", name: str = "narrative") -> str:
    """What a field keeps of `text`: cut to its length limit, then stripped as forms do."""
    return text[: limit(slug, name)].strip()


def everywhere(text: str) -> dict[str, dict]:
    return step_data(
        **{
            slug: {
                **ASKING_EVERYTHING.get(slug, {}),
                **{name: text[: limit(slug, name)] for name in names},
            }
            for slug, names in FREE_TEXT.items()
        }
    )


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def file_everywhere(client: Client, text: str) -> dict[str, str]:
    """File, follow and withdraw a complaint with `text` everywhere; the pages seen on the way."""
    data, pages = everywhere(text), {}
    for slug in FILING_STEPS:
        if slug == "consents":
            upload = {"upload": "1", "file": pdf(f"{text}.pdf"), "description": text[:1000]}
            assert client.post("/file/evidence/", upload).status_code == 302
            pages["evidence step"] = client.get("/file/evidence/")
        response = client.post(f"/file/{slug}/", data[slug])
        assert response.status_code == 302, (slug, html_of(response)[-2000:])
        for page in PAGES:  # every page of the step, each showing its part of what was typed
            if page.step.slug == slug:
                pages[f"{page.slug} page"] = client.get(f"/file/{page.slug}/")
    pages["review"] = client.get("/file/review/")
    token = pages["review"].context["form"].initial["token"]
    assert receipt_shown(client.post("/file/review/", {"token": token}))
    pages["receipt"] = client.get("/file/receipt/")
    receipt = "".join(pages["receipt"].context["groups"])
    client.post("/file/receipt/")
    assert client.post("/track/", {"receipt": receipt}).url == "/track/case/"
    assert client.post("/track/case/message/", {"body": text}).status_code == 302
    sent = {"file": pdf("more.pdf"), "description": text[:DESCRIPTION_MAX]}
    assert client.post("/track/case/evidence/", sent).status_code == 302
    pages["tracking"] = client.get("/track/case/")
    pages["withdrawal"] = client.get("/track/case/withdraw/")
    withdrawal = {"reason": text, "confirm": "on"}
    assert client.post("/track/case/withdraw/", withdrawal).status_code == 302
    pages["tracking after withdrawal"] = client.get("/track/case/")
    return {name: html_of(page) for name, page in pages.items()}


def assert_inert(pages: dict[str, str], text: str) -> None:
    for name, html in pages.items():
        assert live_markup(html) == [], name
        if set(text) & set("<>\"'&"):
            assert text.strip() not in html, f"{name} shows {text!r} unescaped"


@pytest.mark.parametrize("text", PAYLOADS)
def test_hostile_text_in_every_field_is_stored_as_typed_and_inert_on_every_public_page(
    client, db, text
):
    pages = file_everywhere(client, text)

    complaint = Complaint.objects.get()
    for slug in ("about", "what", "remedies"):
        row = complaint.complainant if slug == "about" else complaint
        for name in FREE_TEXT[slug]:
            assert getattr(row, name) == typed(text, slug, name), name
    assert complaint.victims.get().name == typed(text, "victims", "victims-0-name")
    assert [e.description for e in complaint.evidence.all()] == [typed(text[:DESCRIPTION_MAX])] * 2
    assert Message.objects.get().body == typed(text)
    assert complaint.status == Status.WITHDRAWN
    assert StatusChange.objects.get(to_status=Status.WITHDRAWN).reason == typed(text)
    assert_inert(pages, text)
    assert escape(typed(text)) in pages["review"]
    assert escape(typed(text)) in pages["account page"]  # the narrative, back on its page
    assert escape(typed(text)) in pages["tracking"]  # the message, as the complainant wrote it


@pytest.mark.parametrize("text", PAYLOADS)
def test_hostile_text_is_inert_and_shown_escaped_in_the_admin(client, db, text, staff_visitor):
    file_everywhere(client, text)
    complaint = Complaint.objects.get()

    page = staff_visitor.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    assert page.status_code == 200, f"the admin answered {page.status_code}: signed out?"
    html = html_of(page)
    assert_inert({"admin change page": html}, text)
    assert escape(typed(text)) in html


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_spreadsheet_formula_is_kept_as_typed_until_an_export_neutralises_it(client, db, formula):
    pages = file_everywhere(client, formula)

    complaint = Complaint.objects.get()
    kept = formula.strip()  # forms strip surrounding whitespace, so a leading tab goes
    assert complaint.narrative == kept
    assert complaint.remedy_sought == kept
    assert Message.objects.get().body == kept
    assert escape(kept) in pages["review"]
    assert escape(kept) in pages["tracking"]


# --- The NUL line: refused with a message, nothing kept -----------------------------------------

NUL_FIELDS = [(slug, name) for slug, names in FREE_TEXT.items() for name in names]


@pytest.mark.parametrize(("slug", "name"), NUL_FIELDS)
def test_a_nul_in_a_filing_field_is_refused_with_a_message(client, db, slug, name):
    data = everywhere("harmless words")[slug]

    response = client.post(f"/file/{slug}/", {**data, name: NUL_LINE[: limit(slug, name)]})

    assert_refused(response)
    assert "Null characters are not allowed" in html_of(response)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/track/case/message/", {"body": NUL_LINE}),
        ("/track/case/evidence/", {"file": "", "description": NUL_LINE}),
        ("/track/case/withdraw/", {"reason": NUL_LINE, "confirm": "on"}),
        ("/file/evidence/", {"upload": "1", "file": "", "description": NUL_LINE}),
        ("/track/", {"receipt": NUL_LINE[:40]}),
    ],
)
def test_a_nul_sent_while_following_a_case_is_refused_with_a_message(tracked, path, data):
    client, complaint = tracked
    if "file" in data:
        data = {**data, "file": pdf("photo.pdf")}
    before = stored()

    response = client.post(path, data)

    assert_refused(response)
    assert "Null characters are not allowed" in html_of(response)
    assert stored() == before
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
