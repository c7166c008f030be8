"""Choosing a language: by link, by the switch on any page, and on a filing page without losing
what was typed; and the help pages, in every language."""

import re

import pytest
from django.conf import settings

from complaints.views import HELP_TOPICS

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_link_opens_a_page_in_a_given_language_and_the_choice_is_remembered(client, db, code):
    response = client.get(f"/track/?lang={code}")

    assert lang_of(response) == code
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == code
    assert cookie["max-age"] == ""  # ends with the browser session: remembered, not tracked
    assert lang_of(client.get("/")) == code


def test_a_language_the_site_does_not_offer_is_ignored(client, db):
    response = client.get("/?lang=de")

    assert lang_of(response) == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switching_language_on_a_filing_page_keeps_what_was_typed_without_errors(client, db):
    client.post("/file/about/", {"filing_for": "self", "anonymous": "yes"})
    typed = {"contact_details": "Zxq ask for Marie", "language": "rw"}

    switched = client.post("/file/contact/", typed)

    assert switched.url == "/file/contact/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "rw"
    again = client.get("/file/contact/")
    assert lang_of(again) == "rw"
    assert "Zxq ask for Marie" in again.content.decode()
    assert not again.context["errors"]  # not sent yet: nothing is called wrong
    assert again.status_code == 200


def test_the_language_buttons_of_a_filing_page_send_that_page(client, db):
    html = client.get("/file/about/").content.decode()

    buttons = re.findall(r'<button type="submit" form="page-form"[^>]*name="language"', html)
    assert len(buttons) == len(LANGUAGES)
    assert 'id="page-form"' in html


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_help_page_reads_in_every_language(client, db, code):
    client.get(f"/?lang={code}")
    index = client.get("/help/")
    assert index.status_code == 200
    for topic in HELP_TOPICS:
        assert f'href="/help/{topic.slug}/"' in index.content.decode()
        page = client.get(f"/help/{topic.slug}/")
        assert page.status_code == 200
        assert lang_of(page) == code


def test_the_help_pages_are_linked_from_every_page_and_unknown_ones_are_not_found(client, db):
    home = client.get("/").content.decode()

    assert 'href="/help/"' in home
    assert 'href="/help/staying-safe/"' in home
    assert client.get("/help/no-such-topic/").status_code == 404


def test_staying_safe_online_names_private_browsing_history_tor_and_the_leave_button(client, db):
    html = client.get("/help/staying-safe/").content.decode()

    for words in ("private window", "history", "Tor Browser", "Leave this site quickly"):
        assert words in html


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_error_page_of_a_bug_is_in_the_visitors_language_alone(client, db, code, monkeypatch):
    from complaints import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    client.get(f"/?lang={code}")
    monkeypatch.setattr(views, "render", broken)
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 500
    assert lang_of(response) == code
    if code != "en":
        assert "Sorry, something went wrong" not in response.content.decode()


def test_pages_travel_compressed_but_the_receipt_page_never_does(client, db):
    from tests.filing import file_through_pages

    page = client.get("/help/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]

    client.defaults["HTTP_ACCEPT_ENCODING"] = "gzip, br"
    receipt = file_through_pages(client)  # the answer to "Send" is the receipt page itself
    assert receipt.templates[0].name == "complaints/receipt.html"
    assert not receipt.has_header("Content-Encoding")
    again = client.get("/file/receipt/")
    assert "receipt-digits" in again.content.decode()
    assert not again.has_header("Content-Encoding")
    assert "Accept-Encoding" in again["Vary"]


@pytest.mark.parametrize(
    "path", ["/", "/track/", "/file/about/", "/file/receipt/", "/help/", "/help/contact/"]
)
def test_no_public_page_reflects_the_text_of_its_query_string(client, db, path):
    html = client.get(f"{path}?zxqguess=1234567890", follow=True).content.decode()

    assert "zxqguess" not in html


def test_staff_pages_are_never_compressed_their_search_box_is_echoed(client, db):
    page = client.get("/staff/login/?q=zxq", HTTP_ACCEPT_ENCODING="gzip, br")

    assert page.status_code == 200
    assert not page.has_header("Content-Encoding")


def opened(client, receipt: str) -> None:
    from complaints.receipts import receipt_groups

    assert client.post("/track/", {"receipt": " ".join(receipt_groups(receipt))}).status_code == 302


@pytest.mark.parametrize(
    ("page", "field"),
    [("/track/case/", "body"), ("/track/case/withdraw/", "reason")],
)
def test_switching_language_on_a_tracking_page_keeps_the_text_being_written(
    client, complainant_case, page, field
):
    _complaint, receipt = complainant_case
    opened(client, receipt)
    html = client.get(page).content.decode()
    assert 'formaction="/language/?next=' in html

    switched = client.post(
        f"/language/?next={page}", {field: "Zxq half a message", "language": "sw"}
    )

    assert switched.url == page
    again = client.get(page)
    assert lang_of(again) == "sw"
    assert "Zxq half a message" in again.content.decode()
    assert "Zxq half a message" not in client.get(page).content.decode()  # shown once


def test_the_language_view_never_keeps_a_receipt_and_never_leaves_the_site(client, db):
    away = client.post(
        "/language/?next=https://example.org/", {"language": "fr", "receipt": "1234"}
    )

    assert away.url == "/"
    assert "1234" not in str(dict(client.session))
    unknown = client.post("/language/?next=/help/", {"language": "de"})
    assert unknown.url == "/help/"
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies
