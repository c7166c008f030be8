"""WCAG 2.2 AA as axe-core checks it: every public page, in each of the four languages, on a
phone (360 px) and a desktop (1280 px), including a step that failed. axe-core comes with the
declared test dependency axe-playwright-python; it runs in the page through the browser's
DevTools, so the pages' own Content-Security-Policy stays as it is."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.journey import failed_step_in, walk_public_pages

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "fr", "rw", "sw"]
WIDTHS = [360, 1280]
NARROWEST = 320  # WCAG 1.4.10: content reflows at 320 CSS px (and so at 400 % zoom of 1280)
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's own best practices.
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
AXE = Axe()


def violations(page: Page) -> list[str]:
    found = []
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROWEST:
        found.append(f"{NARROWEST}px reflow: the page is {width} px wide")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for rule in AXE.run(page, options=RULES).response["violations"]:
            targets = [" ".join(node["target"]) for node in rule["nodes"]][:3]
            found.append(f"{width}px {rule['id']}: {rule['help']} at {targets}")
    return found


class Checked:
    """Each page the walk reaches, checked in every language by the link `?lang=`."""

    def __init__(self, page: Page, site: str) -> None:
        self.page, self.site, self.problems, self.seen = page, site, [], 0

    def show(self, name: str, *, again: str | None = None) -> None:
        page = self.page
        here = again or page.url.removeprefix(self.site)
        for code in LANGUAGES:
            joiner = "&" if "?" in here else "?"
            page.goto(f"{self.site}{here}{joiner}lang={code}")
            assert page.locator("html").get_attribute("lang") == code, name
            self.problems += [f"{name} [{code}] {problem}" for problem in violations(page)]
        page.goto(f"{self.site}{here}{'&' if '?' in here else '?'}lang=en")
        self.seen += 1


def test_axe_finds_nothing_on_any_public_page_in_any_language_at_any_width(
    live_server, desktop_page
):
    checked = Checked(desktop_page, live_server.url)

    walk_public_pages(desktop_page, live_server.url, checked.show)
    for code in LANGUAGES:
        failed_step_in(desktop_page, live_server.url, code)
        checked.problems += [f"failed step [{code}] {p}" for p in violations(desktop_page)]

    assert checked.seen >= 25
    assert checked.problems == [], "\n".join(checked.problems)
