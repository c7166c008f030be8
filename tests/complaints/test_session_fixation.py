"""A session id planted before a filing, or watched during it, never reads the receipt."""

from django.conf import settings
from django.test import Client

from tests.filing import file_through_pages, receipt_shown, step_data


def session_id(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_filing_starts_under_a_new_session_id(client, db):
    client.get("/")
    client.post("/track/", {"receipt": "0000 0000 0000 0000"})  # any visit that makes a session
    planted = session_id(client)

    client.post("/file/about/", step_data()["about"])

    assert session_id(client) != planted
    victim = Client()
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert victim.get("/file/about/").context["form"]["full_name"].value() in (None, "")


def test_the_receipt_is_read_under_a_session_id_the_filing_never_had(client, db):
    client.post("/file/about/", step_data()["about"])
    during_filing = session_id(client)

    response = file_through_pages(client)

    assert receipt_shown(response)
    assert session_id(client) != during_filing
    watcher = Client()
    watcher.cookies[settings.SESSION_COOKIE_NAME] = during_filing
    assert watcher.get("/file/receipt/").status_code == 302  # sent home, no receipt
    assert client.get("/file/receipt/").context["groups"]
