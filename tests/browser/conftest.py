"""Headless Chromium against Django's live server, set up the way a complainant's phone would be."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Quiet flags: the browser itself must not call home, or the "no other origin" checks lie.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "java_script_enabled": False}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "java_script_enabled": True}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip("Chromium not installed: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread, and Django then
    # refuses ORM calls from it. Allowed only while a browser is up, so other tests keep the check.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture(autouse=True)
def _seeded(live_server, seed_data) -> None:
    """The live server's database is flushed between tests; put the seed data back first."""


@pytest.fixture
def requested_urls() -> list[str]:
    """Every URL the test's pages asked for, in order; the page fixtures fill it."""
    return []


def _open_page(browser, requested_urls: list[str], device: dict) -> Iterator:
    context = browser.new_context(locale="en-GB", **device)
    page = context.new_page()
    page.on("request", lambda request: requested_urls.append(request.url))
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, requested_urls: list[str]) -> Iterator:
    """A cheap phone with JavaScript off."""
    yield from _open_page(browser, requested_urls, PHONE)


@pytest.fixture
def desktop_page(browser, requested_urls: list[str]) -> Iterator:
    """A desktop browser with JavaScript on."""
    yield from _open_page(browser, requested_urls, DESKTOP)
