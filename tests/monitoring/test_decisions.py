"""Decisions with four eyes: the rapporteur proposes with the checklist, the chair adopts or sends
back, the complainant reads only what was adopted, and the appeal window closes on schedule."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from complaints.models import Decision, DecisionKind, Status
from complaints.services import message_from_complainant
from monitoring.cases.checklist import (
    NO,
    QUESTIONS,
    UNCLEAR,
    YES,
    Facts,
    checklist_read,
    checklist_record,
    pre_answers,
)
from monitoring.cases.models import DecisionProposal, ProposalState
from monitoring.cases.services import (
    CaseWorkRefused,
    StaleCase,
    appeal_windows_close,
    case_move,
    conflict_declare,
    decision_adopt,
    decision_propose,
    decision_send_back,
)
from tests.filing import submit_directly
from tests.monitoring.cast import client_of, give


@pytest.fixture
def rapporteur(member_rapporteur):
    return member_rapporteur


CHECKLIST = checklist_record({q.key: (YES, "") for q in QUESTIONS})
FACTS = Facts(
    remedies_tried="no",
    no_remedy_reasons=("fear",),
    other_procedure="no",
    date_precision="month",
    relationship="self",
    authority="not_needed",
    immediate_danger=False,
)


# --- the checklist's pre-answers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "question", "answer"),
    [
        ({}, "remedies", YES),
        ({"remedies_tried": "yes", "no_remedy_reasons": ()}, "remedies", YES),
        ({"no_remedy_reasons": ()}, "remedies", UNCLEAR),
        ({}, "other_body", YES),
        ({"other_procedure": "yes"}, "other_body", NO),
        ({"other_procedure": "unknown"}, "other_body", UNCLEAR),
        ({}, "dates", YES),
        ({"date_precision": "day"}, "dates", YES),
        ({"date_precision": "year"}, "dates", UNCLEAR),
        ({"date_precision": "unknown"}, "dates", UNCLEAR),
        ({}, "authority", YES),
        ({"relationship": "family", "authority": "written"}, "authority", YES),
        ({"relationship": "family", "authority": "oral"}, "authority", UNCLEAR),
        ({"relationship": "witness", "authority": "unable"}, "authority", UNCLEAR),
        ({"relationship": "witness", "authority": "none"}, "authority", NO),
        ({}, "danger", YES),
        ({"immediate_danger": True}, "danger", NO),
    ],
)
def test_each_question_is_pre_answered_from_what_was_filed(change, question, answer):
    facts = Facts(**{**FACTS.__dict__, **change})

    assert pre_answers(facts)[question].answer == answer
    assert pre_answers(facts)[question].basis


def test_a_recorded_checklist_reads_back_question_by_question():
    record = checklist_record(
        {q.key: (NO if q.key == "dates" else YES, "See the letter.") for q in QUESTIONS}
    )

    rows = checklist_read(record)

    assert [row[0] for row in rows] == [str(q.text) for q in QUESTIONS]
    assert [row[1] for row in rows] == ["Yes", "Yes", "No", "Yes", "Yes"]
    assert {row[2] for row in rows} == {"See the letter."}


# --- proposing -----------------------------------------------------------------------------------


@pytest.fixture
def in_triage(chair, rapporteur, now):
    complaint = submit_directly(now=now).complaint
    give(complaint, rapporteur, by=chair, now=now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )
    return complaint


@pytest.fixture
def in_examination(in_triage, rapporteur, now):
    case_move(
        complaint=in_triage, to=Status.EXAMINATION, by=rapporteur, expected_status="triage", now=now
    )
    return in_triage


def propose_inadmissible(complaint, by, now, **extra):
    return decision_propose(
        complaint=complaint,
        by=by,
        kind=DecisionKind.INADMISSIBLE,
        ground=extra.pop("ground", "outside_mandate"),
        reasons=extra.pop("reasons", "The events are outside the Committee's mandate."),
        checklist=CHECKLIST,
        expected_status=complaint.status,
        now=now,
        **extra,
    )


def propose_merits(complaint, by, now):
    return decision_propose(
        complaint=complaint,
        by=by,
        kind=DecisionKind.MERITS,
        outcome="found",
        reasons="The arrest was arbitrary.",
        recommendations="Release and compensate.",
        checklist=CHECKLIST,
        expected_status=complaint.status,
        now=now,
    )


def test_the_rapporteur_proposes_and_nothing_reaches_the_complainant_yet(
    in_triage,
    rapporteur,
    now,
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)

    in_triage.refresh_from_db()
    assert in_triage.status == Status.TRIAGE
    assert (proposal.state, proposal.proposed_by, proposal.kind) == (
        ProposalState.PROPOSED,
        rapporteur,
        DecisionKind.INADMISSIBLE,
    )
    assert not Decision.objects.exists()


def test_only_the_cases_rapporteur_proposes(in_triage, chair, now):
    with pytest.raises(CaseWorkRefused):
        propose_inadmissible(in_triage, chair, now)

    assert not DecisionProposal.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ground": ""}, "Please choose why the complaint is not accepted."),
        ({"reasons": "  "}, "Please write the reasons: the complainant reads them."),
        ({"ground": "duplicate"}, "A duplicate names the other complaint; only a duplicate does."),
    ],
)
def test_an_incomplete_proposal_is_refused_and_nothing_is_stored(
    in_triage,
    rapporteur,
    now,
    extra,
    message,
):
    with pytest.raises(CaseWorkRefused) as refused:
        propose_inadmissible(in_triage, rapporteur, now, **extra)

    assert str(refused.value) == message
    assert not DecisionProposal.objects.exists()


def test_a_decision_on_the_facts_waits_for_the_examination(in_triage, rapporteur, now):
    with pytest.raises(CaseWorkRefused):
        propose_merits(in_triage, rapporteur, now)

    assert not DecisionProposal.objects.exists()


def test_one_proposal_at_a_time_awaits_the_chair(in_triage, rapporteur, now):
    propose_inadmissible(in_triage, rapporteur, now)

    with pytest.raises(CaseWorkRefused):
        propose_inadmissible(in_triage, rapporteur, now)

    assert DecisionProposal.objects.count() == 1


# --- adopting and sending back -------------------------------------------------------------------


def test_the_chair_adopts_and_the_complainant_may_appeal_for_thirty_days(
    in_examination,
    rapporteur,
    chair,
    now,
):
    proposal = propose_merits(in_examination, rapporteur, now)

    decision = decision_adopt(proposal=proposal, by=chair, now=now)

    in_examination.refresh_from_db()
    proposal.refresh_from_db()
    assert in_examination.status == Status.DECIDED
    change = in_examination.status_changes.last()
    assert (change.to_status, change.by) == (Status.DECIDED, chair)
    assert (decision.outcome, decision.reasons, decision.recommendations) == (
        "found",
        "The arrest was arbitrary.",
        "Release and compensate.",
    )
    assert decision.appeal_until == now + timedelta(days=30)
    assert (proposal.state, proposal.decided_by) == (ProposalState.ADOPTED, chair)


def test_nobody_adopts_their_own_proposal_not_even_a_chair(
    in_triage,
    chair,
    rapporteur,
    now,
):
    give(in_triage, chair, by=chair, now=now)  # the chair as the case's rapporteur
    proposal = propose_inadmissible(in_triage, chair, now)

    with pytest.raises(CaseWorkRefused) as refused:
        decision_adopt(proposal=proposal, by=chair, now=now)

    assert "Four eyes" in str(refused.value)
    assert not Decision.objects.exists()


def test_a_rapporteur_cannot_adopt(in_triage, rapporteur, now, django_user_model):
    proposal = propose_inadmissible(in_triage, rapporteur, now)

    with pytest.raises(CaseWorkRefused):
        decision_adopt(proposal=proposal, by=rapporteur, now=now)

    in_triage.refresh_from_db()
    assert in_triage.status == Status.TRIAGE


def test_sent_back_with_a_comment_the_rapporteur_may_propose_again(
    in_triage,
    rapporteur,
    chair,
    now,
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)

    with pytest.raises(CaseWorkRefused):
        decision_send_back(proposal=proposal, by=chair, comment=" ", now=now)
    decision_send_back(proposal=proposal, by=chair, comment="Ask about the dates first.", now=now)
    again = propose_inadmissible(in_triage, rapporteur, now)

    proposal.refresh_from_db()
    assert (proposal.state, proposal.chair_comment) == (
        ProposalState.SENT_BACK,
        "Ask about the dates first.",
    )
    assert again.state == ProposalState.PROPOSED
    with pytest.raises(StaleCase):
        decision_adopt(proposal=proposal, by=chair, now=now)  # the old one is decided


def test_the_complainant_reads_the_adopted_decision_and_its_appeal_date_not_the_proposal(
    rapporteur,
    chair,
    now,
    client,
):
    submission = submit_directly(now=now)
    complaint = submission.complaint
    give(complaint, rapporteur, by=chair, now=now)
    case_move(
        complaint=complaint, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )
    first = propose_inadmissible(complaint, rapporteur, now, reasons="Zxqfirst reasons.")
    decision_send_back(proposal=first, by=chair, comment="Zxqchair comment.", now=now)
    second = propose_inadmissible(complaint, rapporteur, now, reasons="Zxqadopted reasons.")
    client.post(reverse("complaints:track"), {"receipt": submission.receipt})
    before = client.get(reverse("complaints:track_case")).content.decode()

    decision_adopt(proposal=second, by=chair, now=now)
    after = client.get(reverse("complaints:track_case")).content.decode()

    assert "Zxqfirst" not in before + after
    assert "Zxqchair" not in before + after
    assert "Zxqadopted" not in before
    assert "Zxqadopted reasons." in after
    until = date_format(timezone.localtime(now + timedelta(days=30)), "DATE_FORMAT")
    assert "you may appeal to the Appeal Body until" in after
    assert until in after


# --- the appeal window ---------------------------------------------------------------------------


def test_cases_close_once_their_window_passes_and_running_again_closes_nothing(
    in_triage,
    in_examination,
    rapporteur,
    chair,
    now,
):
    decision_adopt(proposal=propose_merits(in_examination, rapporteur, now), by=chair, now=now)
    recent = submit_directly(now=now).complaint
    give(recent, rapporteur, by=chair, now=now)
    case_move(
        complaint=recent, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now
    )
    later = now + timedelta(days=20)
    decision_adopt(proposal=propose_inadmissible(recent, rapporteur, later), by=chair, now=later)

    too_early = appeal_windows_close(now=now + timedelta(days=29))
    closed = appeal_windows_close(now=now + timedelta(days=31))
    again = appeal_windows_close(now=now + timedelta(days=31))

    in_examination.refresh_from_db()
    recent.refresh_from_db()
    assert (too_early, closed, again) == (0, 1, 0)
    assert in_examination.status == Status.CLOSED
    assert recent.status == Status.INADMISSIBLE
    closing = in_examination.status_changes.last()
    assert (closing.by, closing.by_complainant) == (None, False)


def test_the_command_reports_how_many_cases_it_closed(rapporteur, chair, now):
    long_ago = now - timedelta(days=40)
    complaint = submit_directly(now=long_ago).complaint
    give(complaint, rapporteur, by=chair, now=long_ago)
    for status, expected in [(Status.TRIAGE, "received"), (Status.EXAMINATION, "triage")]:
        case_move(
            complaint=complaint, to=status, by=rapporteur, expected_status=expected, now=long_ago
        )
    decision_adopt(proposal=propose_merits(complaint, rapporteur, long_ago), by=chair, now=long_ago)
    out = StringIO()

    call_command("close_expired_appeal_windows", stdout=out)

    assert out.getvalue().strip() == "1 case(s) closed."


# --- through the admin pages ---------------------------------------------------------------------


def test_propose_then_adopt_through_the_case_pages(in_triage, rapporteur, chair):
    url = reverse("admin:case_decision", args=[in_triage.pk])
    member: Client = client_of(rapporteur)
    form = member.get(url)
    answers = {f"check_{q.key}": YES for q in QUESTIONS}

    proposed = member.post(
        url,
        {
            "ground": "outside_mandate",
            "reasons": "Outside the mandate.",
            "expected_status": "triage",
            **answers,
        },
    )
    review = client_of(chair).get(url)
    adopted = client_of(chair).post(url, {"adopt": "1"})

    assert form.status_code == 200
    assert "From the complaint:" in form.content.decode()
    assert proposed.status_code == 302
    assert review.status_code == 200
    assert "Outside the mandate." in review.content.decode()
    assert adopted.status_code == 302
    in_triage.refresh_from_db()
    assert in_triage.status == Status.INADMISSIBLE
    assert Decision.objects.get(complaint=in_triage).ground == "outside_mandate"


def test_the_chairs_index_counts_the_proposals_awaiting_them(in_triage, rapporteur, chair, now):
    propose_inadmissible(in_triage, rapporteur, now)

    queues = client_of(chair).get(reverse("admin:index")).context["queues"]

    assert {q.queue.slug: q.count for q in queues}["proposed"] == 1


def test_staff_read_the_adopted_decision_on_the_case_page_as_the_complainant_does(
    in_examination, rapporteur, chair, data_officer, now
):
    decision = decision_adopt(
        proposal=propose_merits(in_examination, rapporteur, now), by=chair, now=now
    )
    page = reverse("admin:complaints_complaint_change", args=[in_examination.pk])
    until = date_format(timezone.localtime(decision.appeal_until), "DATE_FORMAT")

    for reader in (rapporteur, chair):
        text = client_of(reader).get(page).content.decode()
        assert "Decision adopted on" in text
        assert "Violation found" in text
        assert "The arrest was arbitrary." in text
        assert "Release and compensate." in text
        assert f"Appeal window open until {until}" in text
    # Structured fields only: the outcome, not the reasons.
    structured = client_of(data_officer).get(page).content.decode()
    assert "Violation found" in structured
    assert "The arrest was arbitrary." not in structured


def test_each_checklist_comment_says_which_question_it_is_for(in_triage, rapporteur):
    form = client_of(rapporteur).get(reverse("admin:case_decision", args=[in_triage.pk]))

    text = form.content.decode()
    for question in QUESTIONS:
        assert f'aria-label="Comment on: {question.text}"'.replace("'", "&#x27;") in text


def test_a_proposal_whose_author_declared_a_conflict_is_not_adopted(
    in_triage, rapporteur, chair, now
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)
    conflict_declare(
        complaint=in_triage, member=rapporteur, reason="The accused is my brother.", now=now
    )

    with pytest.raises(CaseWorkRefused, match="no longer works on this case"):
        decision_adopt(proposal=proposal, by=chair, now=now)

    in_triage.refresh_from_db()
    assert in_triage.status == Status.TRIAGE
    assert not Decision.objects.exists()
    decision_send_back(proposal=proposal, by=chair, comment="Given to someone else.", now=now)


def test_a_proposal_made_before_the_case_moved_is_not_adopted(in_triage, rapporteur, chair, now):
    proposal = propose_inadmissible(in_triage, rapporteur, now)
    later = now + timedelta(hours=1)
    case_move(
        complaint=in_triage,
        to=Status.AWAITING_COMPLAINANT,
        by=chair,
        expected_status="triage",
        reason="Do you have the arrest warrant?",
        now=later,
    )
    message_from_complainant(complaint=in_triage, body="Yes, here it is.", now=later)

    with pytest.raises(CaseWorkRefused, match="has moved since this proposal"):
        decision_adopt(proposal=proposal, by=chair, now=later)

    assert not Decision.objects.exists()
