"""A filing a person with little schooling finishes: only the questions that apply, page by page;
every error of a page at once, summarised and linked; nothing typed or chosen silently lost."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint
from complaints.receipts import receipt_groups
from tests.filing import MARKERS, file_through_pages, receipt_shown, step_data, submit_directly
from tests.testdata import minimal_pdf


def page_of(response) -> str:
    return response.content.decode()


def questions(html: str) -> set[str]:
    """The names of the questions a page asks (its inputs, selects and text areas)."""
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([a-z_]+)"', html)) - {
        "csrfmiddlewaretoken",
        "return_to",
    }


@pytest.fixture
def filing(client, db):
    return client


def test_anonymous_for_oneself_skips_the_name_and_the_questions_for_someone_else(filing):
    answer = filing.post("/file/about/", {"filing_for": "self", "anonymous": "yes"})

    assert answer.url == "/file/contact/"  # "Who you are" has nothing to ask
    assert "full_name" not in page_of(filing.get("/file/contact/"))


def test_someone_filing_for_themself_is_asked_only_their_name(filing):
    answer = filing.post("/file/about/", {"filing_for": "self", "anonymous": "no"})

    assert answer.url == "/file/about-you/"
    assert questions(page_of(filing.get("/file/about-you/"))) == {"full_name"}


def test_someone_filing_for_others_anonymously_is_asked_who_they_are_to_them_not_their_name(
    filing,
):
    filing.post("/file/about/", {"filing_for": "other", "anonymous": "yes"})

    asked = questions(page_of(filing.get("/file/about-you/")))

    assert asked == {"relationship", "organisation_name", "authority", "authority_details"}


def test_a_name_typed_before_choosing_anonymous_is_neither_shown_nor_kept(filing):
    data = step_data()
    filing.post("/file/about/", {"filing_for": "self", "anonymous": "no"})
    filing.post("/file/about-you/", {"full_name": MARKERS["name"]})
    filing.post("/file/about/", {"filing_for": "self", "anonymous": "yes"})
    first_answers = ("full_name", "anonymous", "filing_for")
    contact_and_where = {k: v for k, v in data["about"].items() if k not in first_answers}
    for slug in ("contact", "where", "victims", "what", "remedies", "consents"):
        sent = contact_and_where if slug in ("contact", "where") else data[slug]
        assert filing.post(f"/file/{slug}/", sent).status_code == 302, slug

    review = filing.get("/file/review/")
    assert MARKERS["name"] not in page_of(review)
    assert receipt_shown(
        filing.post("/file/review/", {"token": review.context["form"].initial["token"]})
    )
    assert Complaint.objects.get().complainant.full_name == ""


def test_answers_for_someone_else_are_dropped_when_the_person_files_for_themself(db):
    data = step_data(
        about={
            "organisation_name": "Zxq Org",
            "authority_details": "Zxq because",
            "anonymous": "no",
        }
    )

    complainant = submit_directly(data=data).complaint.complainant

    assert (complainant.organisation_name, complainant.authority_details) == ("", "")


def test_a_failed_page_names_every_error_at_the_top_linked_to_its_question(filing):
    filing.post("/file/about/", {"filing_for": "other", "anonymous": "no"})

    failed = filing.post("/file/about-you/", {})

    html = page_of(failed)
    assert failed.status_code == 400
    assert re.search(r"<title>Error: Who you are", html)
    summary = re.search(
        r'<div class="alert alert-danger error-summary"[^>]*>(.*?)</div>', html, re.S
    )
    assert "autofocus" in summary.group(0)
    assert 'tabindex="-1"' in summary.group(0)
    assert "Your name" in summary.group(1)  # each error names its question
    anchors = re.findall(r'href="#([^"]+)"', summary.group(1))
    assert len(anchors) == 3  # the name, who you are to them, whether they agreed
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


def test_a_day_that_does_not_exist_is_reported_in_the_same_round_as_the_other_errors(filing):
    data = step_data(
        what={"incident_day": "31", "incident_month": "2", "narrative": "", "categories": []}
    )["what"]

    failed = filing.post("/file/what/", data)

    errors = failed.context["errors"]
    texts = " ".join(error["text"] for error in errors)
    assert "does not exist in that month" in texts
    assert "This field is required" in texts  # the narrative
    assert "choose at least one" in texts


def test_the_long_steps_are_split_into_pages_of_a_few_questions(filing):
    filing.post("/file/about/", {"filing_for": "other", "anonymous": "no"})
    for slug in ("about", "about-you", "contact", "where", "what", "when", "account"):
        asked = questions(page_of(filing.get(f"/file/{slug}/")))
        assert 1 <= len(asked) <= 6, (slug, asked)
    categories_page = page_of(filing.get("/file/what/"))
    assert 'name="narrative"' not in categories_page
    assert categories_page.count("<option") == 0  # no country list beside 68 boxes


def test_change_on_the_review_page_comes_back_to_the_review(filing):
    file_through_pages_to_review(filing)
    review = page_of(filing.get("/file/review/"))
    assert 'href="/file/contact/?return_to=review"' in review

    change = page_of(filing.get("/file/contact/?return_to=review"))
    assert 'name="return_to" value="review"' in change
    answer = filing.post(
        "/file/contact/",
        {"contact_channel": "none", "return_to": "review", "next": "1"},
    )

    assert answer.url == "/file/review/"


def test_a_change_that_brings_up_a_new_question_asks_it_before_the_review(filing):
    file_through_pages_to_review(filing, about={"anonymous": "yes", "full_name": ""})

    answer = filing.post(
        "/file/about/", {"filing_for": "self", "anonymous": "no", "return_to": "review"}
    )

    assert answer.url == "/file/about-you/?return_to=review"  # the name is now needed
    named = filing.post("/file/about-you/", {"full_name": MARKERS["name"], "return_to": "review"})
    assert named.url == "/file/review/"


def test_a_file_chosen_but_not_added_is_added_by_save_and_continue(filing):
    file_through_pages_to_review(filing)
    pdf = SimpleUploadedFile("letter.pdf", minimal_pdf(), "application/pdf")

    answer = filing.post("/file/evidence/", {"file": pdf, "description": "A letter", "next": "1"})

    assert answer.url == "/file/consents/"
    assert [item["name"] for item in filing.session["filing"]["evidence"]] == ["letter.pdf"]


def test_optional_questions_say_so_and_needed_ones_do_not(filing):
    filing.post("/file/about/", {"filing_for": "self", "anonymous": "no"})
    where = page_of(filing.get("/file/where/"))
    account = page_of(filing.get("/file/account/"))
    remedies = page_of(filing.get("/file/remedies/"))

    assert "UNHCR registration number, if you have one (optional)" in where
    assert "What happened, in the order it happened (optional)" not in account
    assert "Who is in danger, and from what? (optional)" not in account  # needed after "Yes"
    assert "If not, why not? (optional)" not in remedies  # needed after "No"
    assert "More about why not (optional)" in remedies


def test_a_way_to_be_contacted_without_consent_to_contact_is_caught(filing):
    data = step_data(about={"contact_channel": "sms", "contact_details": "+256 700 000000"})
    for slug in ("about", "victims", "what", "remedies"):
        filing.post(f"/file/{slug}/", data[slug])

    failed = filing.post("/file/consents/", {"consent_processing": "on"})

    assert failed.status_code == 400
    assert "did not tick that it may contact you" in page_of(failed)
    assert filing.post("/file/consents/", data["consents"]).url == "/file/review/"


def test_no_consent_to_contact_is_needed_by_someone_who_asked_not_to_be_contacted(filing):
    data = step_data(about={"contact_channel": "none", "contact_details": ""})
    for slug in ("about", "victims", "what", "remedies"):
        filing.post(f"/file/{slug}/", data[slug])

    assert filing.post("/file/consents/", {"consent_processing": "on"}).url == "/file/review/"


def test_the_receipt_page_says_what_happens_next_and_how_to_reach_the_committee(filing, settings):
    settings.COMMITTEE_CONTACT_EMAIL = "zxq-committee@example.org"

    receipt = file_through_pages(filing)

    html = page_of(receipt)
    assert receipt_shown(receipt)
    assert "What happens next" in html
    assert "within 7 days. If someone is in immediate danger, within 48 hours" in html
    assert "zxq-committee@example.org" in html
    assert 'href="/help/contact/"' in html


def test_an_urgent_complaint_is_told_the_urgent_time_limit_on_its_tracking_page(client, db):
    urgent = submit_directly(
        data=step_data(what={"immediate_danger": "yes", "danger_details": "My brother"})
    )
    client.post("/track/", {"receipt": " ".join(receipt_groups(urgent.receipt))})

    html = page_of(client.get("/track/case/"))

    assert '<p class="mb-0">Your complaint has arrived safely. You said that someone is in' in html
    assert "within 48 hours" in html
    assert "within 7 days" not in html


def test_a_complaint_that_is_not_urgent_is_told_both_time_limits(client, complainant_case):
    _complaint, receipt = complainant_case
    client.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})

    html = page_of(client.get("/track/case/"))

    assert "within 7 days, or within 48 hours" in html


def file_through_pages_to_review(client, **overrides: dict) -> None:
    data = step_data(**overrides)
    for slug in ("about", "victims", "what", "remedies", "consents"):
        assert client.post(f"/file/{slug}/", data[slug]).status_code == 302, slug
    assert client.get("/file/review/").status_code == 200


def test_a_filing_that_skipped_a_step_is_sent_back_to_it_not_to_an_error(filing):
    data = step_data()
    for slug in ("victims", "what", "remedies", "consents"):  # "About you" never answered
        filing.post(f"/file/{slug}/", data[slug])

    review = filing.get("/file/review/")
    sent = filing.post("/file/review/", {"token": "x"})

    assert review.url == "/file/about/"
    assert sent.url == "/file/about/"
    assert filing.get("/file/review/", follow=True).status_code == 200


def test_an_empty_session_asking_for_the_review_starts_at_the_first_page(filing):
    assert filing.get("/file/review/").url == "/file/about/"


def test_a_page_keeps_only_its_steps_questions_whatever_else_is_posted(filing):
    junk = {f"zxq{number}": "x" * 100 for number in range(50)}

    filing.post("/file/about/", {"filing_for": "self", "anonymous": "yes", **junk})
    filing.post("/file/victims/", {**step_data()["victims"], **junk})

    kept = filing.session["filing"]["data"]
    assert set(kept["about"]) == {"filing_for", "anonymous"}
    assert all(key.startswith("victims-") for key in kept["victims"])


def test_back_keeps_what_was_typed_without_calling_the_page_wrong(filing):
    filing.post("/file/account/", {"narrative": "Zxq the start", "back": "1"})

    again = filing.get("/file/account/")

    assert "Zxq the start" in page_of(again)
    assert again.context["errors"] == []
    assert not page_of(again).count("<title>Error")


def test_contact_details_are_not_kept_by_someone_who_asked_not_to_be_contacted(db):
    data = step_data(
        about={"contact_channel": "none", "contact_details": "+256 700 000000"},
        consents={"consent_processing": "on"},
    )

    complainant = submit_directly(data=data).complaint.complainant

    assert (complainant.contact_details, complainant.safe_contact_instructions) == ("", "")


def test_a_page_sent_with_errors_shows_them_again_when_opened_later(filing):
    filing.post("/file/about/", {"filing_for": "other", "anonymous": "no"})
    filing.post("/file/about-you/", {"full_name": "Zxq"})
    filing.get("/file/contact/")  # the person looks elsewhere, then comes back

    again = filing.get("/file/about-you/")

    assert len(again.context["errors"]) == 2  # who they are to them, whether they agreed
    assert "Zxq" in page_of(again)


def test_a_box_unticked_on_a_page_is_unticked_in_the_draft(filing):
    when = {k: v for k, v in step_data()["what"].items() if k.startswith("incident_")}
    filing.post("/file/when/", {**when, "perpetrators": ["police", "military"]})

    filing.post("/file/when/", when)  # both boxes unticked: nothing of them is posted

    assert "perpetrators" not in filing.session["filing"]["data"]["what"]
