"""The whole filing and tracking journey with the keyboard alone: every control reached by Tab in
the page's order, worked with Space, Enter, arrows and typing; the focus always visible and never
hidden under the bar that holds the quick exit; a failed step puts the focus on its summary."""

import re

import pytest
from playwright.sync_api import Locator, Page

from tests.browser.journey import path_of
from tests.filing import MARKERS

pytestmark = pytest.mark.browser

MAX_TABS = 150  # more presses than any page needs: a control not reached by then is unreachable


def focus_is_shown(page: Page) -> None:
    """The focused control has a visible focus indicator and lies clear of the sticky bar."""
    style = page.evaluate(
        """async () => {
                   // after the frame in which the browser scrolls the focus into view
                   await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                   const el = document.activeElement, s = getComputedStyle(el);
                   const box = el.getBoundingClientRect();
                   const bar = document.querySelector('.site-header').getBoundingClientRect();
                   return {outline: s.outlineStyle, shadow: s.boxShadow, top: box.top,
                           bottom: box.bottom, barTop: bar.top, barBottom: bar.bottom,
                           inBar: !!el.closest('.site-header'), height: window.innerHeight,
                           what: el.outerHTML.slice(0, 120)}; }"""
    )
    assert style["outline"] != "none" or style["shadow"] != "none", (
        f"no visible focus: {style['what']}"
    )
    if not style["inBar"]:
        under_bar = style["top"] < style["barBottom"] - 1 and style["bottom"] > style["barTop"] + 1
        assert not under_bar, f"the focus is hidden under the quick-exit bar: {style['what']}"
        assert style["top"] < style["height"] - 8, f"the focus is below the screen: {style['what']}"


def reach(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, checking the focus at every stop."""
    element = target.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", element):
            focus_is_shown(page)
            return
        if page.evaluate("() => document.activeElement !== document.body"):
            focus_is_shown(page)
    raise AssertionError(f"{target} cannot be reached with Tab on {path_of(page)}")


def type_into(page: Page, label: str, text: str) -> None:
    reach(page, page.get_by_label(label))
    page.keyboard.type(text)


def tick(page: Page, label: str) -> None:
    exactly = re.compile(r"^\s*" + re.escape(label) + r"\*?\s*$")  # crispy's hidden "*"
    box = page.locator("#" + page.locator("label").filter(has_text=exactly).get_attribute("for"))
    reach(page, box)
    page.keyboard.press("Space")
    assert box.is_checked(), label


def choose(page: Page, question: str, answer: str) -> None:
    """A radio group: Tab reaches its first answer, the arrows move to the one wanted."""
    group = page.get_by_role("group", name=question)
    radios = group.get_by_role("radio")
    reach(page, radios.first)
    page.keyboard.press("Space")
    for _ in range(radios.count()):
        if group.get_by_label(answer, exact=True).is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{answer!r} of {question!r} was never chosen")


def send(page: Page, button: str) -> None:
    reach(page, page.get_by_role("main").get_by_role("button", name=button, exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def on(page: Page, slug: str) -> None:
    assert path_of(page) == f"/file/{slug}/", f"stuck on {path_of(page)}"


def test_filing_and_following_a_complaint_with_the_keyboard_alone(live_server, desktop_page):
    page, site = desktop_page, live_server.url
    page.emulate_media(reduced_motion="reduce")  # scrolling into view at once, not animated
    page.goto(site + "/")
    reach(page, page.get_by_role("link", name="Skip to the content"))
    reach(page, page.get_by_role("link", name="File a complaint").first)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    send(page, "Save and continue")  # nothing answered: the summary takes the focus
    assert page.title().startswith("Error: ")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    focus_is_shown(page)
    page.keyboard.press("Tab")  # the first error's link, which takes the focus to its question
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#id_filing_for_0"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.name") == "filing_for"
    focus_is_shown(page)

    page.goto(site + "/file/about/")
    choose(page, "Who are you filing for?", "For myself")
    choose(page, "Do you want to stay anonymous?", "No")
    send(page, "Save and continue")
    on(page, "about-you")
    type_into(page, "Your name", MARKERS["name"])
    with page.expect_navigation():
        page.keyboard.press("Enter")  # in a field: saves and continues, in the same language
    on(page, "contact")
    assert page.locator("html").get_attribute("lang") == "en"
    choose(
        page,
        "How may the Committee contact you?",
        "Do not contact me; I will check with my receipt",
    )
    send(page, "Save and continue")
    on(page, "where")
    reach(page, page.get_by_label("Country where you live now (optional)"))
    page.keyboard.type("Uganda")  # a closed list follows what is typed
    assert page.get_by_label("Country where you live now (optional)").input_value() == "UG"
    send(page, "Save and continue")
    on(page, "victims")
    send(page, "Save and continue")  # the person's details may stay "not known"
    on(page, "what")
    tick(page, page.locator(".category-group").first.locator("label").first.inner_text())
    send(page, "Save and continue")
    on(page, "when")
    type_into(page, "Year (optional)", "2023")
    send(page, "Save and continue")
    on(page, "account")
    type_into(page, "What happened, in the order it happened", MARKERS["narrative"])
    choose(page, "Is it still going on?", "No")
    choose(page, "Is anyone in immediate danger now?", "No")
    send(page, "Save and continue")
    on(page, "remedies")
    choose(page, "Did you or the victims go to the police", "Yes")
    type_into(page, "Where did you go, when, and what happened?", "The police in Kigali, 2023.")
    choose(page, "Has this matter been sent to another international body", "No")
    type_into(page, "What do you ask the Committee for?", "An investigation.")
    send(page, "Save and continue")
    on(page, "evidence")
    send(page, "Save and continue")
    on(page, "consents")
    tick(page, "I agree that the Committee keeps and examines this complaint.")
    send(page, "Save and continue")
    on(page, "review")
    assert MARKERS["narrative"] in page.get_by_role("main").inner_text()
    send(page, "Send my complaint")

    digits = page.locator(".receipt-digits span").all_inner_texts()
    assert len(digits) == 4
    send(page, "I have written down my receipt")
    reach(page, page.get_by_role("link", name="Follow my complaint").first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    type_into(page, "Your 16-digit receipt", " ".join(digits))
    send(page, "Open my complaint")

    assert path_of(page) == "/track/case/"
    assert re.search(r"Complaint AFR-", page.get_by_role("main").inner_text())
