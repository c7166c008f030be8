"""The Committee's whole story in browsers: a complaint filed, triaged, asked about, answered,
examined, proposed, adopted and read, each person signing in through the real pages."""

import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page

from complaints.models import Complaint, Decision, DecisionKind, Message, Outcome, Status
from monitoring.cases.checklist import QUESTIONS, checklist_read
from monitoring.cases.models import Assignment, DecisionProposal, ProposalState
from tests.browser.desks import Desk, desks_opened, sign_in
from tests.browser.journey import (
    file_complaint,
    follow,
    foreign_requests,
    open_case,
    path_of,
    press,
    read_receipt,
)
from tests.monitoring.cast import member

pytestmark = pytest.mark.browser

# Screenshots of each staff screen, for people to look at; not part of the repository.
SHOTS = Path(tempfile.gettempdir()) / "story_shots"

QUESTION = "Zxqquestion: on which day of May 2023 was your brother arrested, and by whom?"
ANSWER = "Zxqanswer: on 14 May 2023, by two police officers from the Kicukiro station."
ADMISSIBLE = "Zxqadmissible: remedies were unsafe to try; the dates are now known."
REASONS = "Zxqreasons: the arrest on 14 May 2023 had no legal basis and was arbitrary."
RECOMMENDATIONS = "Zxqrecommendations: release him and compensate the family."
DATES_COMMENT = "Zxqcomment: the complainant gave the day in their answer."
# The complainant's timeline entries that are not statuses: the photo filed, the two messages.
WRITTEN = ["File added: Photo or image", "Message from the Committee", "You wrote"]
# Written only for the Committee: none of it may reach the tracking page.
INTERNAL = ["Zxqadmissible", "Zxqcomment"]


@pytest.fixture
def desks(browser, live_server, requested_urls) -> Iterator[Callable[[str], Desk]]:
    yield from desks_opened(browser, live_server, requested_urls, SHOTS)


@pytest.fixture
def chair(roles, django_user_model):
    return member(django_user_model, "ngabo", "Committee chair")


@pytest.fixture
def rapporteur(roles, django_user_model):
    return member(django_user_model, "amina", "Rapporteur")


def open_from_queue(desk: Desk, queue: str, reference: str) -> None:
    """From the index, through one of "Your queues", to the case page."""
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    slug = queue.lower().replace(" ", "-")
    desk.shot(f"index-{slug}")
    follow(page, f"1 {queue}")
    assert page.locator("#result_list tbody tr").count() == 1
    desk.shot(f"queue-{slug}")
    follow(page, reference)
    assert page.get_by_role("heading", name="Case work").is_visible()


def move(desk: Desk, button: str, reason: str, *, field: str, shot: str) -> None:
    """One of the case page's moves: its page asks for a reason, then the case page again."""
    follow(desk.page, button)
    desk.page.get_by_label(field).fill(reason)
    desk.shot(shot)
    press(desk.page, button)
    assert path_of(desk.page).endswith("/change/")


# --- the people's steps --------------------------------------------------------------------------


def complainant_files(page: Page, site: str) -> tuple[str, str]:
    file_complaint(page, site)
    reference, groups = read_receipt(page)
    press(page, "I have written down my receipt")
    return reference, " ".join(groups)


def chair_takes_it_in(desk: Desk, reference: str) -> None:
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    assert desk.queues() == [
        "0 Assigned to me",
        "1 Not yet assigned",
        "0 Urgent: someone in immediate danger",
        "0 Overdue",
        "0 Awaiting the complainant",
        "0 Decision proposed",
    ]
    open_from_queue(desk, "Not yet assigned", reference)
    assert (desk.fact("Status"), desk.fact("Rapporteur")) == ("Received", "Nobody yet")
    desk.shot("case-received")
    move(desk, "Start triage", "", field="Note for the record (optional)", shot="start-triage")
    assert desk.told("The case is now “Triage”.")
    assert desk.fact("Status") == "Triage"
    follow(page, "Give to a rapporteur")
    page.get_by_label("Rapporteur").select_option(label="amina")
    desk.shot("assign")
    press(page, "Give the case to a rapporteur")
    assert desk.told("The case's rapporteur was changed.")
    assert desk.fact("Rapporteur") == "amina"
    assert desk.timeline("assignment")[-1].endswith("· Given to amina · ngabo")
    desk.shot("case-assigned")


def rapporteur_asks(desk: Desk, reference: str) -> None:
    desk.page.goto(f"{desk.site}/staff/")
    assert desk.queues() == [  # no "Decision proposed": that queue is the chair's
        "1 Assigned to me",
        "0 Not yet assigned",
        "0 Urgent: someone in immediate danger",
        "0 Overdue",
        "0 Awaiting the complainant",
    ]
    open_from_queue(desk, "Assigned to me", reference)
    assert (desk.fact("Status"), desk.fact("Rapporteur")) == ("Triage", "amina")
    desk.shot("case-triage")
    move(
        desk,
        "Ask the complainant a question",
        QUESTION,
        field="Your question.",
        shot="ask-question",
    )
    assert desk.told("The case is now “Awaiting the complainant”.")
    assert desk.fact("Status") == "Awaiting the complainant"
    assert desk.fact("Next step due") == "Clock stopped: awaiting the complainant"
    assert desk.timeline("message_out")[-1].endswith(f"· Message sent · amina {QUESTION}")
    desk.shot("case-awaiting")


def complainant_answers(page: Page, site: str, receipt: str) -> None:
    page.goto(f"{site}/")
    open_case(page, receipt)
    assert page.locator(".status-card").get_by_text("Waiting for your answer").is_visible()
    assert f"Message from the Committee\n{QUESTION}" in page.locator("ol.timeline").inner_text()
    page.get_by_label("Your message or new information").fill(ANSWER)
    press(page, "Send")
    assert page.get_by_text("Your message was sent to the Committee.").is_visible()
    assert page.locator(".status-card").get_by_text("Being checked").is_visible()
    assert f"You wrote\n{ANSWER}" in page.locator("ol.timeline").inner_text()


def rapporteur_reads_the_answer_and_admits(desk: Desk, reference: str) -> None:
    open_from_queue(desk, "Assigned to me", reference)
    assert desk.fact("Status") == "Triage"  # the answer brought the case back
    unread = desk.page.locator("ol.case-timeline li.unread")
    assert unread.count() == 1
    assert "Message from the complainant · the complainant New" in unread.inner_text()
    assert ANSWER in unread.inner_text()
    desk.shot("case-answered")
    move(
        desk,
        "Declare admissible and examine the facts",
        ADMISSIBLE,
        field="Why the complaint is admissible (optional)",
        shot="declare-admissible",
    )
    assert desk.told("The case is now “Examination”.")
    assert desk.fact("Status") == "Examination"
    assert desk.page.locator("ol.case-timeline li.unread").count() == 0  # read when opened
    desk.shot("case-examination")


def tick_checklist(page: Page) -> None:
    """Every question pre-answered from the complaint (all "Yes" here), confirmed one by one."""
    for question in QUESTIONS:
        group = page.get_by_role("group", name=str(question.text))
        assert group.get_by_text("From the complaint:").is_visible()
        assert group.get_by_label("Yes", exact=True).is_checked()
        group.get_by_label("Yes", exact=True).check()
    # Each question's comment box is named for its question, as a screen reader hears it.
    dates = next(question for question in QUESTIONS if question.key == "dates")
    page.get_by_label(f"Comment on: {dates.text}", exact=True).fill(DATES_COMMENT)


def rapporteur_proposes(desk: Desk) -> None:
    page = desk.page
    follow(page, "Propose a decision")
    assert page.get_by_role("heading", name=re.compile(r"^Propose a decision: AFR-")).is_visible()
    tick_checklist(page)
    page.get_by_label("Outcome").select_option(label="Violation found")
    page.get_by_label("Reasons (the complainant reads them; write plainly)").fill(REASONS)
    page.get_by_label("Recommendations (optional)").fill(RECOMMENDATIONS)
    desk.shot("propose")
    press(page, "Propose a decision")
    assert desk.told("Your proposal was sent to the chair.")
    assert desk.fact("Status") == "Examination"  # nothing is decided by a proposal
    desk.shot("case-proposal-sent")
    follow(page, "Proposed decision: read it")
    assert page.get_by_text("This proposal awaits the chair").is_visible()
    assert page.get_by_role("button", name="Adopt this decision").count() == 0  # four eyes
    desk.shot("proposal-awaits-chair")


def chair_adopts(desk: Desk, reference: str) -> None:
    page = desk.page
    page.goto(f"{desk.site}/staff/")
    assert desk.queues() == [
        "0 Assigned to me",
        "0 Not yet assigned",
        "0 Urgent: someone in immediate danger",
        "0 Overdue",
        "0 Awaiting the complainant",
        "1 Decision proposed",
    ]
    open_from_queue(desk, "Decision proposed", reference)
    desk.shot("case-proposed")
    follow(page, "Proposed decision: read it")
    facts = page.locator(".case-facts").inner_text()
    assert "Decision on the facts" in facts
    assert "Violation found" in facts
    assert "amina" in facts
    assert page.get_by_text(REASONS).is_visible()
    assert page.get_by_text(RECOMMENDATIONS).is_visible()
    rows = page.locator("table.checklist tbody tr").all_inner_texts()
    assert rows[[q.key for q in QUESTIONS].index("dates")] == (
        f"Are the dates of the events known well enough?\tYes\t{DATES_COMMENT}"
    )
    desk.shot("proposal-review")
    press(page, "Adopt this decision")
    assert desk.told("The decision was adopted. The complainant can read it now.")
    assert desk.fact("Status") == "Decided"
    desk.shot("case-decided")


def complainant_reads_the_decision(
    page: Page, site: str, receipt: str, *, appeal_until: str
) -> None:
    page.goto(f"{site}/")
    open_case(page, receipt)
    assert page.locator(".status-card").get_by_text("Decided", exact=True).is_visible()
    decision = page.locator(".decision-card")
    assert decision.get_by_role("heading", name="The Committee's decision").is_visible()
    assert decision.get_by_text("Violation found", exact=True).is_visible()
    assert decision.get_by_text(REASONS).is_visible()
    assert decision.get_by_text(RECOMMENDATIONS).is_visible()
    assert decision.get_by_text(
        f"If you disagree, you may appeal to the Appeal Body until {appeal_until}."
    ).is_visible()
    titles = page.locator("ol.timeline li .fw-semibold").all_inner_texts()
    assert [title for title in titles if title not in WRITTEN] == [
        "Received",
        "Being checked",
        "Waiting for your answer",
        "Being checked",
        "Being examined",
        "Decided",
    ]
    assert sorted(title for title in titles if title in WRITTEN) == sorted(WRITTEN)
    seen = page.content()
    assert [text for text in [*INTERNAL, "amina", "ngabo"] if text in seen] == []


# --- what was stored ------------------------------------------------------------------------------


def history_is_stored(complaint: Complaint, *, chair, rapporteur) -> None:
    """Who moved the case, when it was given to whom, and the two messages."""
    changes = complaint.status_changes.order_by("at", "pk")
    assert [(c.from_status, c.to_status, c.by, c.by_complainant) for c in changes] == [
        ("", Status.RECEIVED, None, True),
        (Status.RECEIVED, Status.TRIAGE, chair, False),
        (Status.TRIAGE, Status.AWAITING_COMPLAINANT, rapporteur, False),
        (Status.AWAITING_COMPLAINANT, Status.TRIAGE, None, True),
        (Status.TRIAGE, Status.EXAMINATION, rapporteur, False),
        (Status.EXAMINATION, Status.DECIDED, chair, False),
    ]
    assert [c.reason for c in changes][2:5] == [QUESTION, "", ADMISSIBLE]
    (assignment,) = Assignment.objects.filter(complaint=complaint)
    assert (assignment.rapporteur, assignment.by) == (rapporteur, chair)
    question, answer = complaint.messages.order_by("sent_at", "pk")
    assert (question.direction, question.author, question.body) == (
        Message.Direction.TO_COMPLAINANT,
        rapporteur,
        QUESTION,
    )
    assert (answer.direction, answer.body) == (Message.Direction.FROM_COMPLAINANT, ANSWER)
    assert answer.read_at is not None


def decision_is_stored(complaint: Complaint, decision: Decision, *, chair, rapporteur) -> None:
    """The proposal with its checklist, adopted by the other person; the decision it became."""
    proposal = DecisionProposal.objects.get(complaint=complaint)
    assert (proposal.state, proposal.proposed_by, proposal.decided_by) == (
        ProposalState.ADOPTED,
        rapporteur,
        chair,
    )
    assert checklist_read(proposal.checklist) == [
        (str(q.text), "Yes", DATES_COMMENT if q.key == "dates" else "") for q in QUESTIONS
    ]
    assert (decision.complaint, decision.kind, decision.outcome, decision.ground) == (
        complaint,
        DecisionKind.MERITS,
        Outcome.FOUND,
        "",
    )
    assert (decision.reasons, decision.recommendations) == (REASONS, RECOMMENDATIONS)
    assert decision.appeal_until - decision.adopted_at == timedelta(days=30)
    assert complaint.status_changes.order_by("at", "pk").last().at == decision.adopted_at


# --- the story -----------------------------------------------------------------------------------


def test_a_complaint_goes_from_the_public_form_to_a_decision_the_complainant_reads(
    live_server, phone_page, desks, chair, rapporteur, requested_urls
):
    site = live_server.url
    reference, receipt = complainant_files(phone_page, site)

    chair_desk = desks("chair")
    sign_in(chair_desk, chair)
    chair_takes_it_in(chair_desk, reference)

    rapporteur_desk = desks("rapporteur")
    sign_in(rapporteur_desk, rapporteur)
    rapporteur_asks(rapporteur_desk, reference)

    complainant_answers(phone_page, site, receipt)

    rapporteur_reads_the_answer_and_admits(rapporteur_desk, reference)
    rapporteur_proposes(rapporteur_desk)

    chair_adopts(chair_desk, reference)

    decision = Decision.objects.get()
    with translation.override("en"):
        until = date_format(timezone.localtime(decision.appeal_until), "DATE_FORMAT")
    complainant_reads_the_decision(phone_page, site, receipt, appeal_until=until)

    complaint = Complaint.objects.get()
    assert (complaint.reference, complaint.status) == (reference, Status.DECIDED)
    assert complaint.rapporteur == rapporteur
    history_is_stored(complaint, chair=chair, rapporteur=rapporteur)
    decision_is_stored(complaint, decision, chair=chair, rapporteur=rapporteur)
    assert foreign_requests(requested_urls, site) == []
