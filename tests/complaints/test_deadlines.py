"""Deadlines: the rules as pure functions, then what the services store."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission

from complaints.deadlines import DeadlineRules, Step, deadline, lateness
from complaints.models import Status
from complaints.services import message_from_complainant
from complaints.workflow import complaint_transition
from tests.filing import step_data, submit_directly

S = Status
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RULES = DeadlineRules(
    triage=7 * DAY, triage_urgent=timedelta(hours=48), admissibility=30 * DAY, decision=90 * DAY
)


def history(*steps: tuple[str, int]) -> list[Step]:
    """(status, day after T0) pairs, oldest first."""
    return [Step(status=status, at=T0 + day * DAY) for status, day in steps]


def test_a_new_case_is_due_for_triage_within_seven_days():
    assert deadline(history((S.RECEIVED, 0)), danger=False, rules=RULES).due_at == T0 + 7 * DAY


def test_a_new_case_with_someone_in_danger_is_due_within_48_hours():
    due = deadline(history((S.RECEIVED, 0)), danger=True, rules=RULES).due_at

    assert due == T0 + timedelta(hours=48)


def test_triage_started_gives_thirty_days_for_admissibility():
    steps = history((S.RECEIVED, 0), (S.TRIAGE, 5))

    assert deadline(steps, danger=True, rules=RULES).due_at == T0 + 35 * DAY


def test_an_admissible_case_is_due_for_decision_from_the_day_it_was_declared_admissible():
    steps = history((S.RECEIVED, 0), (S.TRIAGE, 5), (S.EXAMINATION, 20))

    assert deadline(steps, danger=False, rules=RULES).due_at == T0 + 110 * DAY


def test_the_clock_stops_while_the_complainant_is_asked_and_says_what_is_left():
    steps = history((S.RECEIVED, 0), (S.TRIAGE, 5), (S.AWAITING_COMPLAINANT, 15))

    paused = deadline(steps, danger=False, rules=RULES)

    assert (paused.due_at, paused.paused, paused.remaining) == (None, True, 20 * DAY)


def test_the_clock_restarts_on_the_answer_with_the_time_that_was_left():
    steps = history((S.RECEIVED, 0), (S.TRIAGE, 5), (S.AWAITING_COMPLAINANT, 15), (S.TRIAGE, 55))

    # 30 days from day 5, plus the 40 days spent waiting.
    assert deadline(steps, danger=False, rules=RULES).due_at == T0 + 75 * DAY


def test_every_wait_of_a_stage_is_added_and_waits_of_an_earlier_stage_are_not():
    steps = history(
        (S.RECEIVED, 0),
        (S.TRIAGE, 1),
        (S.AWAITING_COMPLAINANT, 2),
        (S.TRIAGE, 12),  # 10 days waiting, in triage
        (S.EXAMINATION, 20),
        (S.AWAITING_COMPLAINANT, 30),
        (S.EXAMINATION, 33),  # 3 days
        (S.AWAITING_COMPLAINANT, 40),
        (S.EXAMINATION, 42),  # 2 days
    )

    assert deadline(steps, danger=False, rules=RULES).due_at == T0 + (20 + 90 + 5) * DAY


def test_a_case_sent_back_by_the_appeal_body_starts_a_new_decision_stage():
    steps = history(
        (S.RECEIVED, 0),
        (S.TRIAGE, 1),
        (S.EXAMINATION, 10),
        (S.DECIDED, 60),
        (S.APPEALED, 70),
        (S.APPEAL_DECIDED, 150),
        (S.EXAMINATION, 151),
    )

    assert deadline(steps, danger=False, rules=RULES).due_at == T0 + 241 * DAY


@pytest.mark.parametrize(
    "status",
    [S.INADMISSIBLE, S.DECIDED, S.APPEALED, S.APPEAL_DECIDED, S.CLOSED, S.WITHDRAWN],
)
def test_a_case_no_longer_with_the_committee_has_no_deadline(status):
    steps = history((S.RECEIVED, 0), (S.TRIAGE, 1), (status, 2))

    assert deadline(steps, danger=False, rules=RULES) == deadline([], danger=False, rules=RULES)
    assert deadline(steps, danger=False, rules=RULES).due_at is None


def test_lateness_is_how_long_ago_the_deadline_passed_and_nothing_before_it():
    due = T0 + 7 * DAY

    assert lateness(due, now=due + timedelta(days=3, hours=2)) == timedelta(days=3, hours=2)
    assert lateness(due, now=due) is None
    assert lateness(due, now=due - DAY) is None
    assert lateness(None, now=due) is None


def test_the_rules_come_from_settings(settings):
    settings.DEADLINE_TRIAGE_DAYS = 3
    settings.DEADLINE_TRIAGE_URGENT_HOURS = 12
    settings.DEADLINE_ADMISSIBILITY_DAYS = 20
    settings.DEADLINE_DECISION_DAYS = 60

    assert DeadlineRules.from_settings() == DeadlineRules(
        triage=3 * DAY, triage_urgent=timedelta(hours=12), admissibility=20 * DAY, decision=60 * DAY
    )


@pytest.fixture
def triager(django_user_model):
    user = django_user_model.objects.create_user(username="triager")
    user.user_permissions.add(Permission.objects.get(codename="triage_complaint"))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(("danger", "allowed"), [("no", 7 * DAY), ("yes", 2 * DAY)])
def test_a_filed_complaint_is_stored_with_its_triage_deadline(danger, allowed):
    data = step_data(what={"immediate_danger": danger, "danger_details": "Threatened."})

    complaint = submit_directly(now=T0, data=data).complaint

    complaint.refresh_from_db()
    assert complaint.due_at == T0 + allowed


@pytest.mark.django_db
def test_a_question_pauses_the_stored_deadline_and_the_answer_restarts_it(triager):
    complaint = submit_directly(now=T0).complaint
    complaint_transition(complaint=complaint, to=S.TRIAGE, by=triager, now=T0 + DAY)
    complaint_transition(
        complaint=complaint,
        to=S.AWAITING_COMPLAINANT,
        by=triager,
        reason="When was your brother taken?",
        now=T0 + 11 * DAY,
    )
    complaint.refresh_from_db()
    paused = complaint.due_at

    message_from_complainant(complaint=complaint, body="On 3 May.", now=T0 + 31 * DAY)

    complaint.refresh_from_db()
    assert paused is None
    assert complaint.status == S.TRIAGE
    assert complaint.due_at == T0 + (1 + 30 + 20) * DAY
    answer = complaint.status_changes.last()
    assert (answer.from_status, answer.to_status, answer.by_complainant, answer.by) == (
        S.AWAITING_COMPLAINANT,
        S.TRIAGE,
        True,
        None,
    )


@pytest.mark.django_db
def test_a_message_when_nothing_was_asked_changes_no_status(triager):
    complaint = submit_directly(now=T0).complaint
    complaint_transition(complaint=complaint, to=S.TRIAGE, by=triager, now=T0 + DAY)

    message_from_complainant(complaint=complaint, body="Any news?", now=T0 + 2 * DAY)

    complaint.refresh_from_db()
    assert complaint.status == S.TRIAGE
    assert complaint.status_changes.count() == 2


@pytest.mark.django_db
def test_a_file_sent_as_the_answer_also_moves_the_case_back(triager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from complaints.evidence import evidence_clean
    from complaints.services import evidence_add
    from tests.testdata import minimal_pdf

    complaint = submit_directly(now=T0).complaint
    complaint_transition(complaint=complaint, to=S.TRIAGE, by=triager, now=T0 + DAY)
    complaint_transition(
        complaint=complaint,
        to=S.AWAITING_COMPLAINANT,
        by=triager,
        reason="Do you have the arrest warrant?",
        now=T0 + 2 * DAY,
    )
    upload = SimpleUploadedFile("warrant.pdf", minimal_pdf())

    evidence_add(
        complaint=complaint, clean=evidence_clean(upload), description="", now=T0 + 4 * DAY
    )

    complaint.refresh_from_db()
    assert complaint.status == S.TRIAGE
    assert complaint.due_at == T0 + (1 + 30 + 2) * DAY


@pytest.mark.django_db
def test_the_complaint_in_hand_carries_its_new_deadline_without_reloading(triager):
    complaint = submit_directly(now=T0).complaint

    complaint_transition(complaint=complaint, to=S.TRIAGE, by=triager, now=T0 + DAY)

    assert complaint.due_at == T0 + 31 * DAY  # the object the caller holds, not reloaded
