"""When each step of an appeal is due: a pure rule over plain values, as complaints/deadlines.py
is for the Committee's.

An appeal is decided within APPEAL_DEADLINE_DAYS of being lodged, and each step of its panel has
its own time:
- panel: the registrar fills every seat within APPEAL_DEADLINE_PANEL_DAYS of the lodging, or of
  the recusal that vacated a seat;
- declaration: each judge declares within APPEAL_DEADLINE_DECLARATION_DAYS of being seated;
- votes: every member votes within APPEAL_DEADLINE_VOTE_DAYS of the last declaration (or of the
  new round opened after a round that decided nothing);
- judgment: the presiding judge records it within APPEAL_DEADLINE_JUDGMENT_DAYS of the last vote.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

PANEL, DECLARATION, VOTES, JUDGMENT = "panel", "declaration", "votes", "judgment"


@dataclass(frozen=True)
class AppealTimes:
    panel: timedelta
    declaration: timedelta
    votes: timedelta
    judgment: timedelta
    appeal: timedelta

    @classmethod
    def from_settings(cls) -> "AppealTimes":
        from django.conf import settings

        return cls(
            panel=timedelta(days=settings.APPEAL_DEADLINE_PANEL_DAYS),
            declaration=timedelta(days=settings.APPEAL_DEADLINE_DECLARATION_DAYS),
            votes=timedelta(days=settings.APPEAL_DEADLINE_VOTE_DAYS),
            judgment=timedelta(days=settings.APPEAL_DEADLINE_JUDGMENT_DAYS),
            appeal=timedelta(days=settings.APPEAL_DEADLINE_DAYS),
        )


@dataclass(frozen=True)
class SeatTimes:
    """A seat as the deadlines see it."""

    seated_at: datetime
    declared_at: datetime | None
    recused: bool
    voted_at: datetime | None  # in the current round


@dataclass(frozen=True)
class Progress:
    step: str | None  # None: decided
    step_due: datetime | None
    appeal_due: datetime

    def step_late(self, now: datetime) -> bool:
        return self.step_due is not None and self.step_due < now

    def appeal_late(self, now: datetime) -> bool:
        return self.step is not None and self.appeal_due < now


def appeal_progress(
    *,
    lodged_at: datetime,
    seats: Sequence[SeatTimes],
    size: int,
    round_opened_at: datetime | None,
    decided: bool,
    times: AppealTimes,
) -> Progress:
    """The step the appeal waits on, when it is due, and when the whole appeal is due."""
    appeal_due = lodged_at + times.appeal
    if decided:
        return Progress(None, None, appeal_due)
    sitting = [seat for seat in seats if not seat.recused]
    if len(sitting) < size:
        vacated = [seat.declared_at for seat in seats if seat.recused and seat.declared_at]
        return Progress(PANEL, max([lodged_at, *vacated]) + times.panel, appeal_due)
    pending = [seat for seat in sitting if seat.declared_at is None]
    if pending:
        first = min(seat.seated_at for seat in pending)
        return Progress(DECLARATION, first + times.declaration, appeal_due)
    ready = max(seat.declared_at for seat in sitting)
    if round_opened_at is not None:
        ready = max(ready, round_opened_at)
    if any(seat.voted_at is None for seat in sitting):
        return Progress(VOTES, ready + times.votes, appeal_due)
    last_vote = max(seat.voted_at for seat in sitting)
    return Progress(JUDGMENT, last_vote + times.judgment, appeal_due)
