"""Cookies end with the browser: a phone seized after the visit holds no session or CSRF cookie."""

from django.conf import settings
from django.core.cache import cache

from tests.filing import step_data


def persistent(morsel) -> bool:
    return bool(morsel["max-age"] or morsel["expires"])


def test_the_filing_session_and_csrf_cookies_end_with_the_browser(client, db):
    form_page = client.get("/file/about/")
    sent = client.post("/file/about/", step_data()["about"])

    cookies = {**form_page.cookies, **sent.cookies}
    assert settings.SESSION_COOKIE_NAME in cookies
    assert settings.CSRF_COOKIE_NAME in cookies
    assert [name for name, morsel in cookies.items() if persistent(morsel)] == []


def test_the_server_still_forgets_an_idle_filing_after_its_timeout(client, db):
    client.post("/file/about/", step_data()["about"])
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    session = client.session
    assert session.get_expiry_age() == settings.FILING_IDLE_MINUTES * 60
    assert cache.has_key(session.cache_key_prefix + key)


def test_a_case_opened_with_a_receipt_keeps_a_browser_session_cookie(client, complainant_case):
    _complaint, receipt = complainant_case

    response = client.post("/track/", {"receipt": receipt})

    assert response.status_code == 302
    assert not persistent(response.cookies[settings.SESSION_COOKIE_NAME])
