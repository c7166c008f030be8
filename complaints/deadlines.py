"""When the Committee's next step on a case is due, with the clock paused while it waits.

Pure functions over plain values (a case's status history), so that every rule can be tested
without a database. A case has one deadline at a time, for the stage it is in:

- received: triage starts within DEADLINE_TRIAGE_DAYS (DEADLINE_TRIAGE_URGENT_HOURS when someone
  is in immediate danger), counted from the filing;
- triage: admissibility is decided within DEADLINE_ADMISSIBILITY_DAYS of triage starting;
- examination: the decision is proposed and adopted within DEADLINE_DECISION_DAYS of the case
  being declared admissible (or sent back by the Appeal Body).

Time spent awaiting the complainant does not count: a question asked on day 10 of 30 and
answered 40 days later leaves 20 days. No other status has a deadline of the Committee's.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RECEIVED, TRIAGE, AWAITING, EXAMINATION = (
    "received",
    "triage",
    "awaiting_complainant",
    "examination",
)
CLOCKED = {RECEIVED, TRIAGE, EXAMINATION}


@dataclass(frozen=True)
class DeadlineRules:
    triage: timedelta
    triage_urgent: timedelta
    admissibility: timedelta
    decision: timedelta

    @classmethod
    def from_settings(cls) -> "DeadlineRules":
        from django.conf import settings

        return cls(
            triage=timedelta(days=settings.DEADLINE_TRIAGE_DAYS),
            triage_urgent=timedelta(hours=settings.DEADLINE_TRIAGE_URGENT_HOURS),
            admissibility=timedelta(days=settings.DEADLINE_ADMISSIBILITY_DAYS),
            decision=timedelta(days=settings.DEADLINE_DECISION_DAYS),
        )


@dataclass(frozen=True)
class Step:
    """A status the case entered, and when."""

    status: str
    at: datetime


@dataclass(frozen=True)
class Deadline:
    due_at: datetime | None  # None: no deadline, or the clock is paused
    paused: bool = False
    remaining: timedelta | None = None  # while paused: what is left when the clock restarts


NO_DEADLINE = Deadline(due_at=None)


def _stage_start(steps: Sequence[Step]) -> int | None:
    """Where the current stage began: the last entry into a clocked status that was not a
    return from awaiting the complainant (a return continues the stage it paused)."""
    for index in range(len(steps) - 1, -1, -1):
        returned = index > 0 and steps[index - 1].status == AWAITING
        if steps[index].status in CLOCKED and not returned:
            return index
    return None


def _allowed(stage: str, *, danger: bool, rules: DeadlineRules) -> timedelta:
    if stage == RECEIVED:
        return rules.triage_urgent if danger else rules.triage
    return rules.admissibility if stage == TRIAGE else rules.decision


def deadline(steps: Sequence[Step], *, danger: bool, rules: DeadlineRules) -> Deadline:
    """The deadline of the stage the case is in, from its status history (oldest first)."""
    if not steps or steps[-1].status not in CLOCKED | {AWAITING}:
        return NO_DEADLINE
    start = _stage_start(steps)
    if start is None:
        return NO_DEADLINE
    paused = timedelta()
    for step, following in zip(steps[start:], steps[start + 1 :], strict=False):
        if step.status == AWAITING:
            paused += following.at - step.at
    due = steps[start].at + _allowed(steps[start].status, danger=danger, rules=rules) + paused
    if steps[-1].status == AWAITING:
        return Deadline(due_at=None, paused=True, remaining=due - steps[-1].at)
    return Deadline(due_at=due)


def lateness(due_at: datetime | None, *, now: datetime) -> timedelta | None:
    """How late a case is, or None when it is not overdue."""
    if due_at is None or due_at >= now:
        return None
    return now - due_at
