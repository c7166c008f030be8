"""Every public page in Kinyarwanda and Swahili on a cheap phone (360 px, JavaScript off): in the
language chosen, nothing wider than the screen. Screenshots land in the system's temporary
folder, `language_shots/`, for people to look at."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.journey import file_complaint, follow, open_case, press, read_receipt

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

    def arrived(name: str) -> None:
        if name == "receipt":
            pages.show(name, again="/file/receipt/")
        elif name != "step-about-errors":  # a POST's answer: shown below, by its own POST
            pages.show(name)

    file_complaint(phone_page, live_server.url, arrived=arrived)
    _reference, groups = read_receipt(phone_page)
    press(phone_page, "I have written down my receipt")

    open_case(phone_page, " ".join(groups), arrived=lambda: pages.show("track"))
    pages.show("track-case")
    follow(phone_page, "Withdraw my complaint")
    pages.show("withdraw")
    phone_page.goto(live_server.url + "/track/case/appeal/")
    pages.show("appeal-none")
    phone_page.goto(live_server.url + "/no-such-page/")
    pages.show("not-found")

    for code in LANGUAGES:  # a failed step, in the language chosen before filling it
        pages.language(code)
        phone_page.goto(live_server.url + "/file/")
        with phone_page.expect_navigation():
            phone_page.locator("main form button[type=submit].btn-primary").first.click()
        assert phone_page.locator(".invalid-feedback").count() > 0
        assert phone_page.locator("html").get_attribute("lang") == code
        phone_page.screenshot(path=str(SHOTS / f"{code}-errors.png"), full_page=True)

    assert len(pages.seen) >= 14
