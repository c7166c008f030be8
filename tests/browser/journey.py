"""What a complainant does in the browser, a small function per page, found by labels and roles."""

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

from tests.filing import MARKERS, TESTDATA

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHOTO = TESTDATA / "photo_with_gps.jpg"
PDF = TESTDATA / "minimal.pdf"
PHOTO_DESCRIPTION = "The house after the soldiers left"


def ignore(*_: object) -> None:
    """For callers who need no `arrived` callback."""


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def foreign_requests(urls: list[str], site: str) -> list[str]:
    """The URLs that went anywhere but `site`; data: URLs never leave the browser."""
    return [url for url in urls if not url.startswith("data:") and origin(url) != origin(site)]


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def press(page: Page, name: str) -> None:
    """Press a button in the page's content and wait for the page the server answers with."""
    with page.expect_navigation() as navigation:
        page.get_by_role("main").get_by_role("button", name=name, exact=True).click()
    response = navigation.value
    # Django's CSRF refusal is a friendly page, so say plainly when that is what came back.
    assert response.status != 403, f"{name!r} was refused ({response.url}): {page.title()}"


def follow(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name=name, exact=True).click()


def choose(page: Page, question: str, answer: str) -> None:
    """Tick one answer of the radio or checkbox group whose legend contains `question`."""
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def answer_about_you(page: Page) -> None:
    choose(page, "Who are you filing for?", "For myself")
    choose(page, "Do you want to stay anonymous?", "No")


def answer_who_you_are(page: Page) -> None:
    page.get_by_label("Your name", exact=True).fill(MARKERS["name"])


def answer_contact(page: Page) -> None:
    choose(page, "How may the Committee contact you?", "Messaging app (WhatsApp, Signal…)")
    page.get_by_label("Phone number, email or address").fill("+256 700 000000")
    page.get_by_label("When and how is it safe to contact you?").fill("Only after 6pm")


def answer_where_you_live(page: Page) -> None:
    page.get_by_label("Country where you live now").select_option(label="Uganda")
    choose(page, "Your situation there", "Refugee under UNHCR mandate")
    page.get_by_label("Your nationality").select_option(label="Rwanda")
    page.get_by_label("UNHCR registration number, if you have one").fill("UG-123")
    choose(page, "Language you prefer", "Kinyarwanda")


def answer_people_affected(page: Page) -> None:
    person = page.get_by_role("group", name="Person 1")
    person.get_by_label("Sex").select_option(label="Male")
    person.get_by_label("Age").select_option(label="Adult")
    person.get_by_label("Where is the person now?").select_option(label="In exile")


def answer_what_happened(page: Page) -> None:
    # Only the first group of categories starts open; without JavaScript the summary opens it.
    page.locator("summary", has_text="Liberty and security").click()
    page.get_by_label("Arbitrary arrest", exact=True).check()


def answer_when_and_where(page: Page) -> None:
    page.get_by_label("Year (optional)", exact=True).fill("2023")
    page.get_by_label("Month (optional)", exact=True).select_option(label="May")
    page.get_by_label("Country where it happened").select_option(label="Rwanda")
    page.get_by_label("Town, camp, prison or other place").fill("Kigali")
    choose(page, "Who did it?", "Police")


def answer_account(page: Page) -> None:
    page.get_by_label("What happened, in the order it happened").fill(MARKERS["narrative"])
    choose(page, "Is it still going on?", "No")
    choose(page, "Is anyone in immediate danger now?", "No")


# Each page of the filing up to the evidence, with what a complainant answers there, and the
# page that follows it.
ANSWERS = [
    (answer_about_you, "about-you"),
    (answer_who_you_are, "contact"),
    (answer_contact, "where"),
    (answer_where_you_live, "victims"),
    (answer_people_affected, "what"),
    (answer_what_happened, "when"),
    (answer_when_and_where, "account"),
    (answer_account, "remedies"),
]


def answer_remedies(page: Page) -> None:
    choose(page, "Did you or the victims go to the police", "No")
    choose(page, "If not, why not?", "Fear of reprisals")
    choose(page, "Has this matter been sent to another international body", "No")
    page.get_by_label("What do you ask the Committee for?").fill("An investigation.")


def add_file(page: Page, path: Path, description: str) -> None:
    """The upload form of the evidence step and of the tracking page are the same."""
    page.get_by_label("Choose a file").set_input_files(path)
    page.get_by_label("What does this file show?").fill(description)
    press(page, "Add this file")


def answer_consents(page: Page) -> None:
    page.get_by_label("I agree that the Committee keeps and examines this complaint.").check()
    page.get_by_label("The Committee may contact me in the way I chose.").check()


def step_shown(page: Page, slug: str) -> None:
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert path_of(page) == f"/file/{slug}/", f"stuck on {path_of(page)}: {errors}"


def fill_draft(page: Page, site: str, *, arrived: Callable[[str], None] = ignore) -> None:
    """From the home page to the review page; `arrived(name)` is called on each page shown."""
    page.goto(site + "/")
    arrived("home")
    follow(page, "File a complaint")
    arrived("step-about")
    press(page, "Save and continue")
    assert page.locator(".invalid-feedback").count() > 0, "an empty step must show its errors"
    arrived("step-about-errors")
    for answer, slug in [*ANSWERS, (answer_remedies, "evidence")]:
        answer(page)
        press(page, "Save and continue")
        step_shown(page, slug)
        arrived(f"step-{slug}")
    add_file(page, PHOTO, PHOTO_DESCRIPTION)
    assert page.get_by_text(PHOTO_DESCRIPTION).is_visible()
    arrived("step-evidence-added")
    press(page, "Save and continue")
    step_shown(page, "consents")
    arrived("step-consents")
    answer_consents(page)
    press(page, "Save and continue")
    step_shown(page, "review")
    arrived("review")


def file_complaint(page: Page, site: str, *, arrived: Callable[[str], None] = ignore) -> None:
    """From the home page to the receipt page."""
    fill_draft(page, site, arrived=arrived)
    press(page, "Send my complaint")
    assert page.locator(".receipt-digits span").count() == 4  # in the very answer to "Send"
    arrived("receipt")


def read_receipt(page: Page) -> tuple[str, list[str]]:
    reference = page.locator(".reference").inner_text()
    return reference, page.locator(".receipt-digits span").all_inner_texts()


def open_case(page: Page, receipt: str, *, arrived: Callable[[], None] = ignore) -> None:
    """From the home page, through the tracking form, to the case page."""
    follow(page, "Follow my complaint")
    arrived()
    page.get_by_label("Your 16-digit receipt").fill(receipt)
    press(page, "Open my complaint")


def walk_public_pages(page: Page, site: str, show: Callable[..., None]) -> None:
    """Every public page, in English (the journey's labels): `show(name)` on each page as the
    journey reaches it, `show(name, again=url)` where a GET of `url` shows it again (a page
    that answered a POST). Ends on the help pages and the page for an unknown address."""

    def arrived(name: str) -> None:
        if name == "receipt":
            show(name, again="/file/receipt/")
        elif name != "step-about-errors":  # a POST's answer: see failed_step_in()
            show(name)

    file_complaint(page, site, arrived=arrived)
    _reference, groups = read_receipt(page)
    press(page, "I have written down my receipt")
    open_case(page, " ".join(groups), arrived=lambda: show("track"))
    show("track-case")
    follow(page, "Withdraw my complaint")
    show("withdraw")
    for name, path in [
        ("appeal-none", "/track/case/appeal/"),
        ("help", "/help/"),
        ("help-after-filing", "/help/after-filing/"),
        ("help-who-sees-what", "/help/who-sees-what/"),
        ("help-protection", "/help/protection/"),
        ("help-staying-safe", "/help/staying-safe/"),
        ("help-contact", "/help/contact/"),
        ("figures", "/figures/"),
        ("not-found", "/no-such-page/"),
    ]:
        page.goto(site + path)
        show(name)


def failed_step_in(page: Page, site: str, code: str) -> None:
    """The first filing page sent empty, in the language `code`: the page with its errors."""
    page.goto(f"{site}/file/?lang={code}")
    with page.expect_navigation():
        page.locator("main form button[type=submit].btn-primary").first.click()
    assert page.locator(".invalid-feedback").count() > 0
    assert page.locator("html").get_attribute("lang") == code
