"""Every public page in Kinyarwanda and Swahili on a cheap phone (360 px, JavaScript off): in the
language chosen, nothing wider than the screen. Screenshots land in the system's temporary
folder, `language_shots/`, for people to look at."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.journey import failed_step_in, walk_public_pages

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "language_shots"
LANGUAGES = ["rw", "sw"]


class Pages:
    """Walks the public pages in English (the journey's labels) and shows each one again in
    every other language, by the language cookie the switcher sets."""

    def __init__(self, page: Page, site: str) -> None:
        self.page, self.site, self.seen = page, site, []

    def language(self, code: str) -> None:
        self.page.context.add_cookies(
            [{"name": "django_language", "value": code, "url": self.site}]
        )

    def show(self, name: str, *, again: str | None = None) -> None:
        """The page now shown, in each language; `again`: a URL that shows it by GET (for a
        page that answered a POST)."""
        page = self.page
        for code in LANGUAGES:
            self.language(code)
            page.goto(self.site + again) if again else page.reload()
            assert page.locator("html").get_attribute("lang") == code, name
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{name} in {code} is {width} px wide"
            page.screenshot(
                path=str(SHOTS / f"{code}-{len(self.seen) + 1:02d}-{name}.png"), full_page=True
            )
        self.seen.append(name)
        self.language("en")
        page.goto(self.site + again) if again else page.reload()


def test_every_public_page_reads_in_kinyarwanda_and_swahili_on_a_phone(live_server, phone_page):
    SHOTS.mkdir(exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    pages = Pages(phone_page, live_server.url)

    walk_public_pages(phone_page, live_server.url, pages.show)

    for code in LANGUAGES:  # a failed step, in the language chosen before filling it
        failed_step_in(phone_page, live_server.url, code)
        phone_page.screenshot(path=str(SHOTS / f"{code}-errors.png"), full_page=True)

    assert len(pages.seen) >= 25
