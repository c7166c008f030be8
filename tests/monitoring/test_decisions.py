"""Decisions with four eyes: the rapporteur proposes with the checklist, the chair adopts or sends
back, the complainant reads only what was adopted, and the appeal window closes on schedule."""

import json
from dataclasses import FrozenInstanceError
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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
from tests.monitoring.writes import columns_updated, refusal


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


@pytest.mark.parametrize(
    ("change", "question", "basis"),
    [
        ({"remedies_tried": "yes"}, "remedies", "The complainant says remedies were tried."),
        ({}, "remedies", "Not tried; the complainant gives reasons why not."),
        ({"no_remedy_reasons": ()}, "remedies", "Not tried, and no reason given."),
        ({}, "other_body", "The complainant says no other body was seized."),
        ({"other_procedure": "yes"}, "other_body", "The complainant says another body was seized."),
        ({"other_procedure": "unknown"}, "other_body", "The complainant does not know."),
        ({}, "dates", "A day or month is given."),
        ({"date_precision": "year"}, "dates", "Only the year is given."),
        ({"date_precision": "unknown"}, "dates", "No date is given."),
        ({}, "authority", "Filed by the victim, or with written authority."),
        (
            {"relationship": "self", "authority": "none"},
            "authority",
            "Filed by the victim, or with written authority.",
        ),
        (
            {"relationship": "family", "authority": "not_needed"},
            "authority",
            "Filed by the victim, or with written authority.",
        ),
        (
            {"relationship": "family", "authority": "oral"},
            "authority",
            "Oral agreement, or the victim cannot agree: check the details.",
        ),
        (
            {"relationship": "witness", "authority": "none"},
            "authority",
            "The complainant has no agreement from the victims.",
        ),
        ({}, "danger", "No immediate danger was reported."),
        (
            {"immediate_danger": True},
            "danger",
            "Someone is in immediate danger: consider protection first.",
        ),
    ],
)
def test_each_pre_answer_says_what_in_the_complaint_suggests_it(change, question, basis):
    # Two answers can be the same ("unclear") for different reasons: the basis tells them apart.
    facts = Facts(**{**FACTS.__dict__, **change})

    assert pre_answers(facts)[question].basis == basis


def test_the_checklist_asks_the_five_questions_of_a_treaty_body_in_order():
    assert [(q.key, str(q.text)) for q in QUESTIONS] == [
        ("remedies", "Were remedies at home tried, or is there a good reason why they were not?"),
        ("other_body", "Is the matter free of any other international procedure?"),
        ("dates", "Are the dates of the events known well enough?"),
        ("authority", "May the complainant act for the victims?"),
        ("danger", "Is everyone safe from immediate danger?"),
    ]


def test_a_checklist_is_stored_as_plain_json_with_comments_as_written():
    answers = dict(zip([q.key for q in QUESTIONS], [YES, NO, UNCLEAR, YES, NO], strict=True))

    record = checklist_record({key: (answer, f"Témoin: {key}") for key, answer in answers.items()})

    assert "Témoin" in record  # readable as written, not \u escapes
    # The stored words themselves: records written today must read the same in years to come.
    assert json.loads(record) == {
        "remedies": {"answer": "yes", "comment": "Témoin: remedies"},
        "other_body": {"answer": "no", "comment": "Témoin: other_body"},
        "dates": {"answer": "unclear", "comment": "Témoin: dates"},
        "authority": {"answer": "yes", "comment": "Témoin: authority"},
        "danger": {"answer": "no", "comment": "Témoin: danger"},
    }
    assert [row[1] for row in checklist_read(record)] == ["Yes", "No", "Unclear", "Yes", "No"]


@pytest.mark.parametrize("record", ["", "{}", json.dumps({"dates": {"answer": "yes"}})])
def test_a_checklist_missing_answers_reads_as_a_dash_with_no_comment(record):
    rows = checklist_read(record)

    assert [row[0] for row in rows] == [str(q.text) for q in QUESTIONS]
    assert [(row[1], row[2]) for row in rows if row[0] != str(QUESTIONS[2].text)] == [("—", "")] * 4


@pytest.mark.parametrize(
    ("value", "field"),
    [(QUESTIONS[0], "key"), (FACTS, "immediate_danger"), (pre_answers(FACTS)["danger"], "answer")],
)
def test_questions_facts_and_pre_answers_cannot_be_changed_in_place(value, field):
    # QUESTIONS is one list shared by every request: a change in place would reach them all.
    before = getattr(value, field)

    with pytest.raises(FrozenInstanceError):
        setattr(value, field, "changed")

    assert getattr(value, field) == before


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

    with pytest.raises(CaseWorkRefused) as refused:
        decision_adopt(proposal=proposal, by=chair, now=now)

    assert str(refused.value) == "Its author no longer works on this case: send the proposal back."

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

    with pytest.raises(CaseWorkRefused) as refused:
        decision_adopt(proposal=proposal, by=chair, now=later)

    assert str(refused.value) == (
        "The case has moved since this proposal was made: send it back to be revised."
    )

    assert not Decision.objects.exists()


# --- proposals and decisions at their edges ------------------------------------------------------


def propose(complaint, by, now, *, kind, **fields):
    return decision_propose(
        complaint=complaint,
        by=by,
        kind=kind,
        reasons=fields.pop("reasons", "Because."),
        checklist=CHECKLIST,
        expected_status=fields.pop("expected_status", complaint.status),
        now=now,
        **fields,
    )


@pytest.mark.parametrize(
    ("stage", "kind", "fields", "message"),
    [
        (
            "in_examination",
            DecisionKind.INADMISSIBLE,
            {"ground": "outside_mandate"},
            "Admissibility is decided during triage.",
        ),
        (
            "in_triage",
            DecisionKind.MERITS,
            {"outcome": "found"},
            "The facts are decided once the case is being examined.",
        ),
        ("in_examination", DecisionKind.MERITS, {"outcome": ""}, "Please choose the outcome."),
        (
            "in_triage",
            DecisionKind.INADMISSIBLE,
            {"ground": "duplicate", "duplicate_of": "itself"},
            "A complaint cannot duplicate itself.",
        ),
        (
            "in_triage",
            DecisionKind.INADMISSIBLE,
            {"ground": "outside_mandate", "duplicate_of": "another"},
            "A duplicate names the other complaint; only a duplicate does.",
        ),
    ],
)
def test_a_proposal_out_of_place_is_refused_with_the_reason_and_nothing_is_stored(
    request, rapporteur, now, stage, kind, fields, message
):
    complaint = request.getfixturevalue(stage)
    others = {"itself": complaint, "another": submit_directly(now=now).complaint}
    if "duplicate_of" in fields:
        fields = {**fields, "duplicate_of": others[fields["duplicate_of"]]}

    assert refusal(lambda: propose(complaint, rapporteur, now, kind=kind, **fields)) == message
    assert not DecisionProposal.objects.exists()


def test_a_duplicate_proposal_keeps_the_other_complaint_the_checklist_and_the_time(
    in_triage, rapporteur, now
):
    original = submit_directly(now=now).complaint
    later = now + timedelta(days=3)

    proposal = propose(
        in_triage,
        rapporteur,
        later,
        kind=DecisionKind.INADMISSIBLE,
        ground="duplicate",
        duplicate_of=original,
    )

    proposal.refresh_from_db()
    assert (proposal.ground, proposal.duplicate_of, proposal.outcome) == ("duplicate", original, "")
    assert (proposal.checklist, proposal.proposed_at) == (CHECKLIST, later)


def test_who_is_refused_proposing_and_what_they_are_told(
    in_triage, rapporteur, chair, now, django_user_model
):
    stale = refusal(
        lambda: propose(
            in_triage,
            rapporteur,
            now,
            kind=DecisionKind.INADMISSIBLE,
            ground="outside_mandate",
            expected_status="received",
        )
    )
    not_theirs = refusal(lambda: propose_inadmissible(in_triage, chair, now))
    rapporteur.groups.clear()  # their role was taken away; the case is still theirs
    without_role = refusal(
        lambda: propose_inadmissible(
            in_triage, django_user_model.objects.get(pk=rapporteur.pk), now
        )
    )

    assert stale == str(StaleCase.default_message)
    assert stale.startswith("Someone else changed this case since you opened it.")
    assert not_theirs == "The case's rapporteur proposes its decision."
    assert without_role == "You do not have permission to do this."
    assert not DecisionProposal.objects.exists()


def test_a_proposal_waiting_on_one_case_does_not_hold_up_another(in_triage, rapporteur, chair, now):
    other = submit_directly(now=now).complaint
    give(other, rapporteur, by=chair, now=now)
    case_move(complaint=other, to=Status.TRIAGE, by=rapporteur, expected_status="received", now=now)
    propose_inadmissible(in_triage, rapporteur, now)

    propose_inadmissible(other, rapporteur, now)
    twice = refusal(lambda: propose_inadmissible(in_triage, rapporteur, now))

    assert twice == "A proposed decision already awaits the chair."
    assert DecisionProposal.objects.filter(state=ProposalState.PROPOSED).count() == 2


def test_only_someone_who_may_decide_adopts_or_sends_back(
    in_triage, rapporteur, other_rapporteur, staff_viewer, chair, now
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)

    def send_back(by):
        return refusal(
            lambda: decision_send_back(proposal=proposal, by=by, comment="Look again.", now=now)
        )

    refusals = [
        send_back(other_rapporteur),
        send_back(staff_viewer),
        refusal(lambda: decision_adopt(proposal=proposal, by=staff_viewer, now=now)),
        refusal(lambda: decision_adopt(proposal=proposal, by=rapporteur, now=now)),
    ]

    assert refusals == ["You do not have permission to do this."] * 4
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (ProposalState.PROPOSED, None)


def test_a_chair_proposing_as_rapporteur_is_told_that_another_must_adopt(in_triage, chair, now):
    give(in_triage, chair, by=chair, now=now)
    proposal = propose_inadmissible(in_triage, chair, now)

    refused = refusal(lambda: decision_adopt(proposal=proposal, by=chair, now=now))

    assert refused == "Four eyes: someone other than the proposer adopts a decision."


def test_a_chair_with_a_conflict_on_the_case_cannot_adopt_its_decision(
    in_triage, rapporteur, chair, now
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)
    conflict_declare(complaint=in_triage, member=chair, reason="A relative.", now=now)

    refused = refusal(lambda: decision_adopt(proposal=proposal, by=chair, now=now))

    assert refused == "You do not have permission to do this."
    assert not Decision.objects.exists()
    in_triage.refresh_from_db()
    assert in_triage.status == Status.TRIAGE


def test_adopting_records_why_the_case_moved_and_when_the_proposal_was_adopted(
    in_triage, rapporteur, chair, now
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)
    later = now + timedelta(days=2)

    with CaptureQueriesContext(connection) as queries:
        decision_adopt(proposal=proposal, by=chair, now=later)

    assert proposal.state == ProposalState.ADOPTED  # the object the caller holds
    change = in_triage.status_changes.last()
    assert (change.to_status, change.reason, change.at) == (
        Status.INADMISSIBLE,
        "Decision adopted.",
        later,
    )
    proposal.refresh_from_db()
    assert (proposal.decided_by, proposal.decided_at) == (chair, later)
    assert columns_updated(queries, "monitoring_decisionproposal") == [
        {"state", "decided_by_id", "decided_at"}
    ]


def test_sending_back_records_who_and_when_and_hands_back_the_proposal(
    in_triage, rapporteur, chair, now
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)
    later = now + timedelta(days=2)

    with CaptureQueriesContext(connection) as queries:
        sent_back = decision_send_back(proposal=proposal, by=chair, comment=" Dates? ", now=later)

    assert proposal.state == ProposalState.SENT_BACK  # the object the caller holds
    assert sent_back == proposal
    stored = DecisionProposal.objects.get()
    assert (stored.state, stored.decided_by, stored.decided_at, stored.chair_comment) == (
        ProposalState.SENT_BACK,
        chair,
        later,
        "Dates?",
    )
    assert (sent_back.decided_by, sent_back.chair_comment) == (chair, "Dates?")
    assert columns_updated(queries, "monitoring_decisionproposal") == [
        {"state", "decided_by_id", "decided_at", "chair_comment"}
    ]


def test_a_case_found_inadmissible_closes_once_its_window_passes(in_triage, rapporteur, chair, now):
    decision_adopt(proposal=propose_inadmissible(in_triage, rapporteur, now), by=chair, now=now)

    closed = appeal_windows_close(now=now + timedelta(days=31))

    in_triage.refresh_from_db()
    assert closed == 1
    assert in_triage.status == Status.CLOSED


def test_a_proposal_sent_back_without_a_comment_is_refused_with_the_reason(
    in_triage, rapporteur, chair, now
):
    proposal = propose_inadmissible(in_triage, rapporteur, now)

    refused = refusal(lambda: decision_send_back(proposal=proposal, by=chair, comment=" ", now=now))

    assert refused == "Please tell the rapporteur what to change."
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED


def test_a_chair_with_a_conflict_on_the_case_sends_nothing_back(in_triage, rapporteur, chair, now):
    proposal = propose_inadmissible(in_triage, rapporteur, now)
    conflict_declare(complaint=in_triage, member=chair, reason="The accused is my cousin.", now=now)

    with pytest.raises(CaseWorkRefused):
        decision_send_back(proposal=proposal, by=chair, comment="Say more.", now=now)

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
