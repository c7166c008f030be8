"""Deadlines at their edges: what a running clock reports, and values nobody can alter."""

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta

import pytest

from complaints.deadlines import Deadline, DeadlineRules, Step, deadline
from complaints.models import Status

S = Status
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RULES = DeadlineRules(
    triage=7 * DAY, triage_urgent=timedelta(hours=48), admissibility=30 * DAY, decision=90 * DAY
)


@pytest.mark.parametrize(
    "steps",
    [
        [Step(S.RECEIVED, T0)],
        [Step(S.RECEIVED, T0), Step(S.TRIAGE, T0 + DAY)],
        [
            Step(S.RECEIVED, T0),
            Step(S.TRIAGE, T0 + DAY),
            Step(S.AWAITING_COMPLAINANT, T0 + 2 * DAY),
            Step(S.TRIAGE, T0 + 5 * DAY),
        ],
    ],
)
def test_a_running_clock_is_reported_neither_paused_nor_with_time_left_over(steps):
    answer = deadline(steps, danger=False, rules=RULES)

    assert answer.due_at is not None
    assert (answer.paused, answer.remaining) == (False, None)


def test_a_case_without_a_deadline_is_not_reported_paused():
    answer = deadline([Step(S.CLOSED, T0)], danger=False, rules=RULES)

    assert answer == Deadline(due_at=None, paused=False, remaining=None)


def test_a_question_asked_before_triage_starts_pauses_the_triage_clock():
    # The workflow asks questions from triage or examination only; the rule does not depend on it.
    steps = [Step(S.RECEIVED, T0), Step(S.AWAITING_COMPLAINANT, T0 + 2 * DAY)]

    answer = deadline(steps, danger=False, rules=RULES)

    assert answer == Deadline(due_at=None, paused=True, remaining=5 * DAY)


@pytest.mark.parametrize(
    "steps",
    [
        [Step(S.AWAITING_COMPLAINANT, T0)],
        [Step(S.AWAITING_COMPLAINANT, T0), Step(S.TRIAGE, T0 + DAY)],
    ],
)
def test_a_history_that_starts_with_a_wait_has_no_stage_to_continue_and_no_deadline(steps):
    # A return from waiting continues the stage it paused; here that stage is not in the history.
    answer = deadline(steps, danger=False, rules=RULES)

    assert answer == Deadline(due_at=None, paused=False, remaining=None)


# The answer for "no deadline" is one object shared by every case: were it changeable in place,
# one caller's change would alter every other case's answer.
@pytest.mark.parametrize(
    ("value", "field"),
    [
        (deadline([], danger=False, rules=RULES), "paused"),
        (deadline([Step(S.RECEIVED, T0)], danger=False, rules=RULES), "due_at"),
        (Step(S.RECEIVED, T0), "status"),
        (RULES, "triage"),
    ],
)
def test_deadlines_steps_and_rules_cannot_be_changed_in_place(value, field):
    before = getattr(value, field)

    with pytest.raises(FrozenInstanceError):
        setattr(value, field, None)

    assert getattr(value, field) == before
