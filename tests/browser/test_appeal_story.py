"""The Appeal Body's whole story in browsers: a decided complaint appealed from the tracking page
on a phone with JavaScript off, a panel drawn and seated, one judge recusing and replaced, the
others declaring and voting with one dissent, the presiding judge recording the decision, and
the complainant reading it with the dissent."""

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from complaints.models import AppealResult, OpinionKind, Status
from monitoring.appeals.models import DeclarationState, PanelDraw, Seat, Vote
from tests.browser.desks import Desk, desks_opened, one_line, sign_in
from tests.browser.journey import follow, foreign_requests, open_case, path_of, press
from tests.filing import submit_directly
from tests.monitoring.appeal_body import decide, judge
from tests.monitoring.cast import member

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "appeal_shots"
GROUNDS = "Zxqgrounds: the Committee did not read my second letter about the arrest."
RECUSAL = "Zxqrecusal: I advised the family before I was a judge."
DISSENT = "Zxqdissent: the second letter shows the arrest was ordered; I would overturn."
REASONS = "Zxqjudgment: the Committee read both letters and weighed them fairly."


@pytest.fixture
def desks(browser, live_server, requested_urls) -> Iterator[Callable[[str], Desk]]:
    yield from desks_opened(browser, live_server, requested_urls, SHOTS)


@pytest.fixture
def cast(roles, django_user_model):
    return {
        "chair": member(django_user_model, "ngabo", "Committee chair"),
        "rapporteur": member(django_user_model, "amina", "Rapporteur"),
        "registrar": member(django_user_model, "registrar", "Appeal registrar"),
        # Four judges who all read English: any three make a panel, and a recusal leaves one.
        "judges": [
            judge(django_user_model, "judge_rw", "RW", "rw en", co_president=True),
            judge(django_user_model, "judge_fr", "FR", "fr en"),
            judge(django_user_model, "judge_ke", "KE", "sw en"),
            judge(django_user_model, "judge_gb", "GB", "en", co_president=True),
        ],
    }


def queues(desk: Desk) -> list[str]:
    items = desk.page.locator(".case-queues").last.locator("li").all_inner_texts()
    return [one_line(item) for item in items]


def open_appeal_from(desk: Desk, queue: str, reference: str) -> None:
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    desk.shot("index")
    follow(page, f"1 {queue}")
    assert page.locator("#result_list tbody tr").count() == 1
    desk.shot("appeal-list")
    follow(page, reference)
    assert page.get_by_role("heading", name=f"Appeal on {reference}").is_visible()


# --- each person's steps -------------------------------------------------------------------------


def complainant_appeals(page: Page, site: str, receipt: str) -> None:
    page.goto(f"{site}/")
    open_case(page, receipt)
    follow(page, "Appeal this decision")
    assert path_of(page) == "/track/case/appeal/"
    press(page, "Send my appeal")  # empty: refused, with the reason, nothing stored
    assert page.get_by_text("Please say why you disagree with the decision.").is_visible()
    page.get_by_label("Why do you disagree with the decision?").fill(GROUNDS)
    press(page, "Send my appeal")
    assert path_of(page) == "/track/case/"
    told = page.get_by_role("status")
    assert told.get_by_text("Your appeal has been sent to the Appeal Body.").is_visible()
    assert page.get_by_text(GROUNDS).is_visible()


def registrar_forms_the_panel(desk: Desk, reference: str) -> None:
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    assert queues(desk) == [
        "1 Appeals whose panel has seats to fill",
        "0 Appeals overdue, or a step of them",
    ]
    open_appeal_from(desk, "Appeals whose panel has seats to fill", reference)
    assert GROUNDS not in page.content()  # the registry never reads the file
    desk.shot("appeal-new")
    press(page, "Draw a panel")
    assert page.get_by_text("A panel was drawn. Check it below, then seat it.").is_visible()
    desk.shot("appeal-drawn")
    press(page, "Seat the judges drawn")
    assert page.get_by_text(
        "The judges were seated. Each now declares any conflict of interest."
    ).is_visible()
    assert page.locator("table.checklist").first.locator("tbody tr").count() == 3
    desk.shot("appeal-seated")


def judge_declares(desk: Desk, reference: str, *, recuse: bool) -> None:
    page = desk.page
    open_appeal_from(desk, "Appeals awaiting your declaration", reference)
    assert GROUNDS not in page.content()  # nothing of the case before the declaration
    desk.shot("declaration")
    if recuse:
        page.get_by_label("I recuse myself from this appeal.").check()
        page.get_by_label("If you recuse yourself: why").fill(RECUSAL)
        press(page, "Record my declaration")
        assert page.get_by_text("Your recusal was recorded.").is_visible()
        return
    page.get_by_label("I have no conflict of interest in this appeal.").check()
    press(page, "Record my declaration")
    assert page.get_by_text(GROUNDS).is_visible()
    assert page.get_by_text("The arrest was arbitrary.").first.is_visible()
    desk.shot("file")


def registrar_fills_the_seat(desk: Desk, reference: str) -> None:
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    assert queues(desk)[0] == "1 Appeals whose panel has seats to fill"
    open_appeal_from(desk, "Appeals whose panel has seats to fill", reference)
    assert RECUSAL not in page.content()  # the co-presidents read why; the registry does not
    desk.shot("appeal-vacated")
    follow(page, "Choose judges by hand")
    desk.shot("seat-by-hand")
    page.go_back()
    press(page, "Draw judges for the open seats")
    desk.shot("appeal-redrawn")
    press(page, "Seat the judges drawn")
    desk.shot("appeal-reseated")


def judge_votes(desk: Desk, reference: str, choice: str, opinion: str = "") -> None:
    page = desk.page
    open_appeal_from(desk, "Appeals awaiting your vote", reference)
    page.get_by_label(choice).check()
    if opinion:
        page.get_by_label("Separate or dissenting opinion").fill(opinion)
    desk.shot("vote")
    press(page, "Cast my vote")
    assert page.get_by_text("Your vote was recorded.").is_visible()


def presiding_judge_decides(desk: Desk, reference: str) -> None:
    page = desk.page
    open_appeal_from(desk, "Appeals awaiting you as presiding judge", reference)
    assert page.get_by_text(DISSENT).is_visible()  # the members read each other's votes now
    assert page.get_by_label("Uphold the Committee's decision").is_checked()
    page.get_by_label("Reasons (the complainant reads them)").fill(REASONS)
    desk.shot("judgment")
    press(page, "Record the decision")
    assert page.get_by_text(
        "The decision was recorded. The complainant can read it now."
    ).is_visible()
    desk.shot("decided")


def co_president_checks_the_allocation(desk: Desk, reference: str) -> None:
    page = desk.page
    page.goto(f"{desk.site}/staff/complaints/appeal/")
    follow(page, reference)
    assert page.get_by_text(RECUSAL).is_visible()  # why the seat was vacated
    assert page.locator("table.checklist").nth(1).get_by_text("Yes").count() == 2  # both draws
    desk.shot("co-president")
    page.goto(f"{desk.site}/staff/monitoring/judgeprofile/")
    desk.shot("roster")


def registrar_screens(desk: Desk) -> None:
    """The registry's other pages: a judge of the roster, and the lodging on behalf."""
    page = desk.page
    page.goto(f"{desk.site}/staff/monitoring/judgeprofile/")
    follow(page, "judge_ke")
    assert page.get_by_label("Kiswahili", exact=True).is_checked()
    desk.shot("judge-profile")
    page.goto(f"{desk.site}/staff/")
    follow(page, "Lodge an appeal on the complainant's behalf")
    assert page.get_by_label("The complainant's 16-digit receipt").is_visible()
    desk.shot("lodge")  # refusals are tested in tests/monitoring/test_appeal_admin.py


def complainant_reads_the_judgment(page: Page, site: str, receipt: str) -> None:
    page.goto(f"{site}/")
    open_case(page, receipt)
    card = page.locator(".judgment-card")
    assert card.get_by_text("The Committee's decision is upheld").is_visible()
    assert card.get_by_text(REASONS).is_visible()
    assert card.get_by_role("heading", name="Dissenting opinion").is_visible()
    assert card.get_by_text(DISSENT).is_visible()
    seen = page.content()
    assert [name for name in ["judge_", "registrar", RECUSAL] if name in seen] == []
    page.screenshot(path=str(SHOTS / "complainant-judgment.png"), full_page=True)


# --- the story -----------------------------------------------------------------------------------


def test_an_appeal_goes_from_the_tracking_page_to_a_decision_with_a_dissent(
    live_server, phone_page, desks, cast, requested_urls, now
):
    site = live_server.url
    submission = submit_directly(now=now)
    complaint = decide(
        submission.complaint, rapporteur=cast["rapporteur"], chair=cast["chair"], now=now
    )
    reference = complaint.reference

    complainant_appeals(phone_page, site, submission.receipt)

    registry = desks("registrar")
    sign_in(registry, cast["registrar"])
    registrar_forms_the_panel(registry, reference)

    judges = {user.pk: user for user in cast["judges"]}
    drawn = [judges[pk] for pk in PanelDraw.objects.get().panel]
    presiding = Seat.objects.get(presiding=True).judge
    leaving = next(user for user in drawn if user != presiding)
    benches = {user.pk: desks(user.username) for user in cast["judges"]}
    sign_in(benches[leaving.pk], leaving)
    judge_declares(benches[leaving.pk], reference, recuse=True)

    registrar_fills_the_seat(registry, reference)
    panel = [seat.judge for seat in Seat.objects.exclude(declaration=DeclarationState.RECUSED)]
    assert leaving not in panel
    assert len(panel) == 3
    for user in panel:
        sign_in(benches[user.pk], user)
        judge_declares(benches[user.pk], reference, recuse=False)

    presiding = Seat.objects.get(presiding=True).judge
    dissenter = next(user for user in panel if user != presiding)
    for user in panel:
        if user == dissenter:
            judge_votes(benches[user.pk], reference, "Overturn it", DISSENT)
        else:
            judge_votes(benches[user.pk], reference, "Uphold the Committee's decision")
    presiding_judge_decides(benches[presiding.pk], reference)

    co_president = next(
        user for user in cast["judges"] if user.judge_profile.co_president and user != presiding
    )
    if co_president not in panel and co_president != leaving:
        sign_in(benches[co_president.pk], co_president)  # not signed in yet today
    co_president_checks_the_allocation(benches[co_president.pk], reference)

    registrar_screens(registry)
    complainant_reads_the_judgment(phone_page, site, submission.receipt)

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    appeal = complaint.appeals.get()
    assert appeal.grounds == GROUNDS
    assert appeal.judgment.result == AppealResult.UPHELD
    assert [(o.kind, o.text) for o in appeal.judgment.opinions.all()] == [
        (OpinionKind.DISSENTING, DISSENT)
    ]
    assert Vote.objects.count() == 3
    assert Seat.objects.get(judge=leaving).recusal_reason == RECUSAL
    assert PanelDraw.objects.count() == 2
    assert foreign_requests(requested_urls, site) == []
