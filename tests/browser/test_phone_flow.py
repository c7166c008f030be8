"""Filing and following a complaint in a browser: a cheap phone without JavaScript, a desktop."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page

from complaints.models import Complaint, EvidenceKind, Message, Status
from tests.browser.journey import (
    PDF,
    PHOTO_DESCRIPTION,
    add_file,
    file_complaint,
    fill_draft,
    follow,
    foreign_requests,
    open_case,
    path_of,
    press,
    read_receipt,
    screenshot,
)
from tests.filing import MARKERS

pytestmark = pytest.mark.browser

PHONE_WIDTH, PHONE_HEIGHT = 360, 740
MESSAGE = "Zxqmessage: my brother was seen in a prison in Kigali last week."
PDF_DESCRIPTION = "The letter from the prison"


def read_timeline(page: Page) -> str:
    return page.locator("ol.timeline").inner_text()


def phone_screenshot(page: Page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, (
        f"{path_of(page)} scrolls sideways on a phone"
    )
    screenshot(page, f"phone-{name}")


def test_a_complainant_files_and_follows_a_complaint_on_a_phone_without_javascript(
    live_server, phone_page, requested_urls
):
    page, site = phone_page, live_server.url

    file_complaint(page, site, arrived=lambda name: phone_screenshot(page, name))

    reference, groups = read_receipt(page)
    assert len(groups) == 4
    assert all(len(group) == 4 and group.isdigit() for group in groups)
    press(page, "I have written down my receipt")
    assert page.get_by_text("Thank you. Keep your receipt safe.").is_visible()

    open_case(page, " ".join(groups), arrived=lambda: phone_screenshot(page, "track"))
    assert path_of(page) == "/track/case/"
    assert page.get_by_role("heading", name=f"Complaint {reference}").is_visible()
    assert page.locator(".status-card").get_by_text("Received", exact=True).is_visible()
    assert "Received" in read_timeline(page)
    assert f"File added: {EvidenceKind.IMAGE.label}" in read_timeline(page)

    page.get_by_label("Your message or new information").fill(MESSAGE)
    press(page, "Send")
    assert page.get_by_text("Your message was sent to the Committee.").is_visible()
    assert f"You wrote\n{MESSAGE}" in read_timeline(page)

    add_file(page, PDF, PDF_DESCRIPTION)
    assert page.get_by_text("Your file was added to your complaint.").is_visible()
    assert f"File added: {EvidenceKind.DOCUMENT.label}\n{PDF_DESCRIPTION}" in read_timeline(page)
    phone_screenshot(page, "track-case")

    follow(page, "Withdraw my complaint")
    assert path_of(page) == "/track/case/withdraw/"
    phone_screenshot(page, "withdraw")
    follow(page, "Keep my complaint")
    assert path_of(page) == "/track/case/"

    complaint = Complaint.objects.get()
    assert complaint.reference == reference
    assert complaint.status == Status.RECEIVED
    assert complaint.narrative == MARKERS["narrative"]
    assert complaint.complainant.full_name == MARKERS["name"]
    assert [c.code for c in complaint.categories.all()] == ["LIBERTY_ARBITRARY_ARREST"]
    message = Message.objects.get()
    assert (message.complaint, message.body) == (complaint, MESSAGE)
    assert message.direction == Message.Direction.FROM_COMPLAINANT
    photo, letter = complaint.evidence.order_by("uploaded_at", "pk")
    assert (photo.kind, photo.description, photo.metadata_stripped) == (
        EvidenceKind.IMAGE,
        PHOTO_DESCRIPTION,
        True,
    )
    assert (letter.kind, letter.description) == (EvidenceKind.DOCUMENT, PDF_DESCRIPTION)

    assert requested_urls
    assert foreign_requests(requested_urls, site) == []


def test_a_form_sent_from_the_browser_passes_the_csrf_origin_check(live_server, phone_page):
    # A browser sends `Origin: null` with a form when the page's referrer policy is
    # "no-referrer", and Django refuses a POST whose Origin is not the site's own.
    page = phone_page
    page.goto(f"{live_server.url}/file/about/")

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save and continue").click()

    assert navigation.value.status == 400, page.title()  # the empty step, with its errors
    assert page.locator(".invalid-feedback").count() > 0


def test_the_review_page_shows_every_answer_in_words_never_as_an_internal_code(
    live_server, phone_page
):
    page = phone_page

    fill_draft(page, live_server.url)

    answers = page.locator(".review-list dd").all_inner_texts()
    assert [answer for answer in answers if re.fullmatch(r"[a-z_]+", answer)] == []


def leave_link_in_reach(page: Page) -> None:
    """Visible inside a phone's screen, at the top of the page and scrolled to its end."""
    for place in ("body", "footer"):
        page.locator(place).scroll_into_view_if_needed()
        box = page.locator("#leave").bounding_box()
        assert box, f"no leave link on {path_of(page)}"
        assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE_WIDTH, path_of(page)
        assert 0 <= box["y"] <= box["y"] + box["height"] <= PHONE_HEIGHT, path_of(page)


def test_the_leave_link_is_on_every_public_page_and_ends_the_tracking_visit(
    live_server, phone_page, requested_urls
):
    page, site = phone_page, live_server.url
    file_complaint(page, site, arrived=lambda name: leave_link_in_reach(page))
    _, groups = read_receipt(page)
    press(page, "I have written down my receipt")
    open_case(page, "".join(groups), arrived=lambda: leave_link_in_reach(page))
    leave_link_in_reach(page)
    follow(page, "Withdraw my complaint")
    leave_link_in_reach(page)
    follow(page, "Keep my complaint")
    left = []

    def leave_without_going_out(route) -> None:
        # Playwright cannot intercept a redirect's target, so the real 302 is fetched here
        # (with the browser's cookies) and the browser is given a local page instead.
        left.append(route.fetch(max_redirects=0))
        route.fulfill(status=200, content_type="text/html", body="<p>An ordinary website</p>")

    page.route(f"{site}/leave/", leave_without_going_out)
    page.locator("#leave").click()
    page.wait_for_load_state()

    assert page.get_by_text("An ordinary website").is_visible()
    (response,) = left
    assert response.status == 302
    assert response.headers["location"] == settings.LEAVE_SITE_URL
    assert "cookies" in response.headers["clear-site-data"]
    # The browser still holds its session cookie (the local page did not clear it), so this
    # shows that the server itself forgot the case.
    page.goto(f"{site}/track/case/")
    assert path_of(page) == "/track/"
    assert foreign_requests(requested_urls, site) == []


DESKTOP_SCREENSHOTS = {"home", "step-what", "review", "receipt"}


def test_a_complaint_filed_at_desktop_width_with_javascript_on_keeps_working(
    live_server, desktop_page, requested_urls
):
    page, site = desktop_page, live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the receipt page asks before unloading

    def arrived(name: str) -> None:
        if name in DESKTOP_SCREENSHOTS:
            screenshot(page, f"desktop-{name}")

    file_complaint(page, site, arrived=arrived)

    # The receipt page's optional script ran: it reveals the print button.
    assert page.get_by_role("button", name="Print this page").is_visible()
    reference, groups = read_receipt(page)
    press(page, "I have written down my receipt")
    assert path_of(page) == "/"
    open_case(page, "-".join(groups), arrived=lambda: screenshot(page, "desktop-track"))
    assert page.get_by_role("heading", name=f"Complaint {reference}").is_visible()
    assert page.locator(".status-card").get_by_text("Received", exact=True).is_visible()
    screenshot(page, "desktop-track-case")
    assert Complaint.objects.get().reference == reference
    assert foreign_requests(requested_urls, site) == []
