"""What users send is data: stored as typed, shown escaped, never a 500."""

from pathlib import Path

import pytest
from django.urls import reverse

from complaints.models import Complaint
from tests.filing import TESTDATA, file_through_pages, receipt_shown, step_data
from tests.monitoring.staff import sign_in

HOSTILE = [
    line.replace("\\x00", "\x00")
    for line in (TESTDATA / "hostile_strings.txt").read_text(encoding="utf-8").splitlines()
    if line
]
TEXT_OK = [s for s in HOSTILE if "\x00" not in s]


@pytest.mark.parametrize("text", TEXT_OK)
def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, db, text, staff_viewer):
    data = step_data(
        what={"narrative": text, "incident_place": text[:200]},
        about={"full_name": text[:200], "safe_contact_instructions": text},
    )

    response = file_through_pages(client, data)

    assert receipt_shown(response)
    complaint = Complaint.objects.get()
    assert complaint.narrative == text.strip()
    sign_in(client, staff_viewer)
    admin_page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert admin_page.status_code == 200
    for marker in ("<script>alert(1)", "<svg/onload", "<img src=x", "<iframe"):
        assert marker not in admin_page.content.decode()


def test_hostile_text_on_the_review_page_is_escaped(client, db):
    data = step_data(what={"narrative": "<script>alert(1)</script> {{ 7*7 }}"})
    for slug in ("about", "victims", "what", "remedies", "consents"):
        client.post(f"/file/{slug}/", data[slug])

    page = client.get("/file/review/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page
    assert "<script>alert(1)" not in page


def test_a_null_byte_is_refused_with_a_message_not_a_crash(client, db):
    response = client.post("/file/what/", step_data(what={"narrative": "a\x00b"})["what"])

    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["../../../../etc/passwd.pdf", "CON", "‮gpj.exe.pdf", "x" * 5000 + ".pdf", "nul.pdf"]
)
def test_hostile_file_names_are_reduced_to_a_harmless_label(client, db, name):
    content = (TESTDATA / "minimal.pdf").read_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/file/evidence/",
        {"upload": "1", "file": SimpleUploadedFile(name, content, "application/pdf")},
    )

    assert response.status_code == 302
    item = client.session["filing"]["evidence"][0]
    assert "/" not in item["name"]
    assert "\\" not in item["name"]
    assert len(item["name"]) <= 120
    assert "." not in Path(item["path"]).name  # a random name that says nothing
    assert name.split("/")[-1][:20] not in item["path"]


@pytest.mark.parametrize(
    "path", ["/file/about/", "/file/what/", "/track/", "/file/victims/", "/file/remedies/"]
)
def test_garbage_posted_to_any_public_form_gets_a_4xx(client, db, path):
    garbage = {
        "victims-TOTAL_FORMS": "99999999",
        "categories": ["1" * 500],
        "incident_year": "9" * 400,
        "receipt": "\x00" * 3,
    }

    response = client.post(path, garbage)

    assert 400 <= response.status_code < 500


def test_a_post_without_csrf_token_is_refused_with_a_friendly_page(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/file/about/", {"filing_for": "self"})

    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


def test_the_categories_group_with_a_ticked_box_stays_open_after_an_error(client, db):
    data = step_data(what={"categories": ["PROPERTY_CONFISCATION"], "narrative": ""})

    html = client.post("/file/what/", data["what"]).content.decode()

    ticked = html.index('value="PROPERTY_CONFISCATION"')
    assert (
        '<details class="category-group mb-1" open>'
        in html[html.rindex("<details", 0, ticked) - 1 : ticked]
    )


def test_a_file_named_dot_dot_is_treated_as_no_file(client, db):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload"\r\n\r\n1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename=".."\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n--{boundary}--\r\n"
    ).encode()

    response = client.generic(
        "POST", "/file/evidence/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert "Please choose a file" in response.content.decode()
