"""Reading appeals for the admin: each appeal's panel and progress in a fixed number of queries,
and the queues of the admin index.

Appeals are few beside complaints (one for a fraction of decided cases), and only those still
being heard are queued: the queues are worked out in Python over the open appeals the user may
see, each loaded with its seats and votes by prefetch.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import Appeal, Status
from monitoring.appeals.access import appeals_visible_to, oversees
from monitoring.appeals.deadlines import (
    DECLARATION,
    JUDGMENT,
    PANEL,
    VOTES,
    AppealTimes,
    Progress,
    SeatTimes,
    appeal_progress,
)
from monitoring.appeals.deliberation import Ballot, votes_result
from monitoring.appeals.models import DeclarationState, Seat, Vote
from monitoring.appeals.panels import PanelRules
from monitoring.appeals.services import majority_needs_other_national

NO_DECISION = _("No decision in the votes: a new round to open")
STEP_LABELS = {
    PANEL: _("Panel to form"),
    DECLARATION: _("Declarations awaited"),
    VOTES: _("Votes awaited"),
    JUDGMENT: _("Decision to write"),
    None: _("Decided"),
}


def appeals_loaded(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """Appeals with what their progress needs: the complaint, the judgment, the seats (with
    their judge and votes) and the rounds."""
    return appeals.select_related("complaint", "judgment").prefetch_related(
        Prefetch(
            "seats",
            # The complaint's uid: the recusal reason is encrypted bound to its case.
            queryset=Seat.objects.select_related("judge", "complaint")
            .only(
                "uid",
                "complaint__uid",
                "appeal_id",
                "judge__username",
                "presiding",
                "seated_at",
                "declaration",
                "declared_at",
                "recusal_reason",
                "nationalities",
            )
            .order_by("seated_at", "pk"),
        ),
        Prefetch("seats__votes", queryset=Vote.objects.only("seat_id", "round", "choice", "at")),
        "vote_rounds",
    )


def current_round(appeal: Appeal) -> int:
    return 1 + len(appeal.vote_rounds.all())


def progress_of(appeal: Appeal, *, times: AppealTimes | None = None) -> Progress:
    """The step the appeal waits on and when it is due (the appeal loaded by appeals_loaded)."""
    number = current_round(appeal)
    rounds = appeal.vote_rounds.all()
    seats = [
        SeatTimes(
            seated_at=seat.seated_at,
            declared_at=seat.declared_at,
            recused=not seat.is_open,
            voted_at=next((vote.at for vote in seat.votes.all() if vote.round == number), None),
        )
        for seat in appeal.seats.all()
    ]
    return appeal_progress(
        lodged_at=appeal.lodged_at,
        seats=seats,
        size=PanelRules.from_settings().size,
        round_opened_at=max((r.at for r in rounds), default=None),
        decided=_decided(appeal),
        times=times or AppealTimes.from_settings(),
    )


def round_decides(appeal: Appeal) -> bool:
    """Whether the current round's votes (all in) make a decision (the appeal loaded)."""
    number, rules = current_round(appeal), PanelRules.from_settings()
    sitting = [seat for seat in appeal.seats.all() if seat.is_open]
    ballots = [
        Ballot(seat.judge_id, vote.choice, rules.respondent_state in seat.nationalities)
        for seat in sitting
        for vote in seat.votes.all()
        if vote.round == number
    ]
    result = votes_result(
        ballots, size=rules.size, needs_other_national=majority_needs_other_national()
    )
    return result.problem is None


def waits_on(appeal: Appeal, progress: Progress) -> str:
    if progress.step == JUDGMENT and not round_decides(appeal):
        return NO_DECISION
    return STEP_LABELS[progress.step]


def _decided(appeal: Appeal) -> bool:
    try:
        return appeal.judgment is not None
    except Appeal.judgment.RelatedObjectDoesNotExist:
        return False


def open_seat_of(appeal: Appeal, user: AbstractBaseUser) -> Seat | None:
    """The user's seat among the loaded seats, unless they recused."""
    return next(
        (seat for seat in appeal.seats.all() if seat.judge_id == user.pk and seat.is_open),
        None,
    )


@dataclass(frozen=True)
class AppealQueue:
    slug: str
    title: str
    oversight: bool  # the registry's and co-presidents' queue, else a judge's own


APPEAL_QUEUES = [
    AppealQueue("panel", _("Appeals whose panel has seats to fill"), True),
    AppealQueue("overdue", _("Appeals overdue, or a step of them"), True),
    AppealQueue("declare", _("Appeals awaiting your declaration"), False),
    AppealQueue("vote", _("Appeals awaiting your vote"), False),
    # The votes are in: the presiding judge records the decision, or opens a new round.
    AppealQueue("judgment", _("Appeals awaiting you as presiding judge"), False),
]
APPEAL_QUEUE_BY_SLUG = {queue.slug: queue for queue in APPEAL_QUEUES}


def _in_queue(slug: str, appeal: Appeal, user: AbstractBaseUser, now: datetime) -> bool:
    progress = progress_of(appeal)
    if slug == "panel":
        return progress.step == PANEL
    if slug == "overdue":
        return progress.step_late(now) or progress.appeal_late(now)
    seat = open_seat_of(appeal, user)
    if seat is None:
        return False
    if slug == "declare":
        return seat.declaration == DeclarationState.PENDING
    if slug == "vote":
        number = current_round(appeal)
        voted = any(vote.round == number for vote in seat.votes.all())
        return progress.step == VOTES and not voted
    return slug == "judgment" and progress.step == JUDGMENT and seat.presiding


def open_appeals(user: AbstractBaseUser) -> list[Appeal]:
    """The appeals still being heard that the user may see, loaded."""
    appeals = Appeal.objects.filter(complaint__status=Status.APPEALED, judgment__isnull=True)
    return list(appeals_loaded(appeals_visible_to(user, appeals)).order_by("lodged_at", "pk"))


def queues_for(user: AbstractBaseUser) -> list[AppealQueue]:
    if not user.has_perm("complaints.view_appeal"):
        return []
    oversight = oversees(user)
    judging = user.has_perm("complaints.decide_appeal")
    return [queue for queue in APPEAL_QUEUES if (oversight if queue.oversight else judging)]


def queue_members(
    slug: str, user: AbstractBaseUser, now: datetime, appeals: list[Appeal] | None = None
) -> list[int]:
    """The ids of the open appeals in the user's queue."""
    appeals = open_appeals(user) if appeals is None else appeals
    return [appeal.pk for appeal in appeals if _in_queue(slug, appeal, user, now)]


def appeal_queue_counts(user: AbstractBaseUser, *, now: datetime) -> list[tuple[AppealQueue, int]]:
    queues = queues_for(user)
    if not queues:
        return []
    appeals = open_appeals(user)
    return [(queue, len(queue_members(queue.slug, user, now, appeals))) for queue in queues]
