"""Staff at their desks in the browser tests: a desktop browser each, signed in through the real
pages, a screenshot of each screen they pass (for people to look at, never committed)."""

from collections.abc import Callable, Iterator
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from tests.browser.conftest import DESKTOP
from tests.browser.journey import path_of, press
from tests.monitoring.staff import PASSWORD, next_code_for

STAFF_WIDTH = DESKTOP["viewport"]["width"]


def one_line(text: str) -> str:
    return " ".join(text.split())


class Desk:
    """A staff member's browser (its own context), with a screenshot of each screen passed."""

    def __init__(
        self, page: Page, site: str, shots: list[str], person: str, shots_dir: Path
    ) -> None:
        self.page, self.site, self.shots, self.person = page, site, shots, person
        self.shots_dir = shots_dir

    def shot(self, name: str) -> None:
        page = self.page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= STAFF_WIDTH, f"{path_of(page)} scrolls sideways at {STAFF_WIDTH} px"
        path = self.shots_dir / f"{len(self.shots) + 1:02d}-{self.person}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path.name)

    def fact(self, term: str) -> str:
        """A value of the case page's "Case work" box: Status, Rapporteur, Next step due."""
        row = self.page.locator(".case-facts > div").filter(
            has=self.page.get_by_text(term, exact=True)
        )
        return row.locator("dd").inner_text().strip()

    def told(self, text: str) -> bool:
        return self.page.locator(".messagelist").get_by_text(text, exact=True).is_visible()

    def queues(self) -> list[str]:
        # The count sits above its title; read as one line, as a screen reader says it.
        return [one_line(item) for item in self.page.locator(".case-queues li").all_inner_texts()]

    def timeline(self, kind: str) -> list[str]:
        """The case timeline's entries of one kind (status, message_in…), each on one line."""
        entries = self.page.locator(f"ol.case-timeline li.entry-{kind}").all_inner_texts()
        return [one_line(entry) for entry in entries]


def keep_console_error(errors: list[str], page: Page, message) -> None:
    # A failed resource is also a response, kept (or forgiven) by keep_failed_response.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(f"{page.url}: {message.text}")


def keep_failed_response(errors: list[str], response) -> None:
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        errors.append(f"{response.status} {response.url}")


def desks_opened(
    browser: object, live_server: object, requested_urls: list[str], shots_dir: Path
) -> Iterator[Callable[[str], "Desk"]]:
    """Opens a desktop browser per staff member; page errors, console errors and failed
    requests (but the favicon the browser asks for by itself) fail the test."""
    contexts, shots, errors = [], [], []
    shots_dir.mkdir(exist_ok=True)
    for old in shots_dir.glob("*.png"):
        old.unlink()

    def open_desk(person: str) -> Desk:
        context = browser.new_context(locale="en-GB", **DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested_urls.append(request.url))
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: keep_console_error(errors, page, message))
        page.on("response", lambda response: keep_failed_response(errors, response))
        return Desk(page, live_server.url, shots, person, shots_dir)

    yield open_desk
    for context in contexts:
        context.close()
    assert errors == []


def sign_in(desk: Desk, user) -> None:
    """Both steps of the staff sign-in: the password, then the code the person's app shows."""
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    assert path_of(page) == "/staff/login/"
    assert page.get_by_role("heading", name="Staff sign-in").is_visible()
    desk.shot("sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "Continue")
    assert path_of(page) == "/staff/login/code/"
    assert page.get_by_role("heading", name="Code from your authenticator app").is_visible()
    desk.shot("sign-in-code")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Six-digit code").fill(next_code_for(device))
    press(page, "Sign in")
    assert path_of(page) == "/staff/"
    assert page.get_by_role("heading", name="Case work").is_visible()
