"""The workflow: which status may follow which, who may move it, and what the complainant sees.

`complaint_transition` is the only code that writes `Complaint.status`. It lives in `complaints`
rather than `monitoring` because the complainant moves the status too (withdrawal, appeal) from
the public pages, and `complaints` never imports `monitoring`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from complaints.deadlines import DeadlineRules, Step, deadline
from complaints.errors import TransitionRefused
from complaints.models import (
    AppealResult,
    Complaint,
    Decision,
    DecisionKind,
    Status,
    StatusChange,
)


@dataclass(frozen=True)
class Transition:
    permission: str | None  # the staff permission that allows it; None: staff cannot
    complainant_may: bool = False
    needs_reason: bool = False
    # Made by a scheduled job, never by a person (close_expired_appeal_windows).
    scheduled: bool = False
    # Made only with the Decision of this kind that the chair adopted at this stage.
    decision: DecisionKind | None = None
    # Made only while the appeal window of the case's latest decision is open.
    in_appeal_window: bool = False
    # Made only once the Appeal Body's judgment on the case's latest appeal is recorded, with
    # one of these results.
    appeal_results: frozenset[str] = frozenset()


_TRIAGE = "complaints.triage_complaint"
_EXAMINE = "complaints.examine_complaint"
_DECIDE = "complaints.decide_complaint"
_APPEAL = "complaints.decide_appeal"
_WITHDRAW = "complaints.record_withdrawal"

# Where a case awaiting the complainant's answer may go back to: the stage that asked.
RETURNS = {Status.TRIAGE, Status.EXAMINATION}

# A decision may be appealed while the case is in one of these (and its window is open).
APPEALABLE = {Status.INADMISSIBLE, Status.DECIDED}

OPEN_STATUSES = [s for s in Status if s not in {Status.CLOSED, Status.WITHDRAWN}]

TRANSITIONS: dict[tuple[Status, Status], Transition] = {
    (Status.RECEIVED, Status.TRIAGE): Transition(_TRIAGE),
    (Status.TRIAGE, Status.AWAITING_COMPLAINANT): Transition(_TRIAGE, needs_reason=True),
    # The complainant's answer moves the case back (complaint_answer), or staff do.
    (Status.AWAITING_COMPLAINANT, Status.TRIAGE): Transition(_TRIAGE, complainant_may=True),
    (Status.TRIAGE, Status.INADMISSIBLE): Transition(
        _DECIDE, needs_reason=True, decision=DecisionKind.INADMISSIBLE
    ),
    (Status.TRIAGE, Status.EXAMINATION): Transition(_TRIAGE),
    (Status.EXAMINATION, Status.AWAITING_COMPLAINANT): Transition(_EXAMINE, needs_reason=True),
    (Status.AWAITING_COMPLAINANT, Status.EXAMINATION): Transition(_EXAMINE, complainant_may=True),
    (Status.EXAMINATION, Status.DECIDED): Transition(
        _DECIDE, needs_reason=True, decision=DecisionKind.MERITS
    ),
    (Status.INADMISSIBLE, Status.APPEALED): Transition(
        None, complainant_may=True, needs_reason=True, in_appeal_window=True
    ),
    (Status.DECIDED, Status.APPEALED): Transition(
        None, complainant_may=True, needs_reason=True, in_appeal_window=True
    ),
    # Only once the appeal window has passed without an appeal: nobody may cut it short.
    (Status.INADMISSIBLE, Status.CLOSED): Transition(None, scheduled=True),
    (Status.DECIDED, Status.CLOSED): Transition(None, scheduled=True),
    (Status.APPEALED, Status.APPEAL_DECIDED): Transition(
        _APPEAL, needs_reason=True, appeal_results=frozenset(AppealResult)
    ),
    # Upheld or overturned, the case ends; sent back, the Committee examines it again.
    (Status.APPEAL_DECIDED, Status.CLOSED): Transition(
        _APPEAL, appeal_results=frozenset({AppealResult.UPHELD, AppealResult.OVERTURNED})
    ),
    (Status.APPEAL_DECIDED, Status.EXAMINATION): Transition(
        _APPEAL, needs_reason=True, appeal_results=frozenset({AppealResult.REMITTED})
    ),
    **{
        (status, Status.WITHDRAWN): Transition(_WITHDRAW, complainant_may=True, needs_reason=True)
        for status in OPEN_STATUSES
    },
}

# What the complainant reads: a plain-language name and what happens next, its time limits
# filled in from the settings by public_status().
PUBLIC_STATUS: dict[str, tuple[str, str]] = {
    Status.RECEIVED: (
        _("Received"),
        _(
            "Your complaint has arrived safely. A member of the Committee will start looking at it "
            "within %(triage_days)d days, or within %(urgent_hours)d hours if someone is in "
            "immediate danger."
        ),
    ),
    Status.TRIAGE: (
        _("Being checked"),
        _("The Committee is checking whether it can deal with your complaint."),
    ),
    Status.AWAITING_COMPLAINANT: (
        _("Waiting for your answer"),
        _("The Committee has asked you a question. Please read the messages below and answer."),
    ),
    Status.EXAMINATION: (
        _("Being examined"),
        _("The Committee is examining the facts of your complaint."),
    ),
    Status.INADMISSIBLE: (
        _("Not accepted"),
        _(
            "The Committee decided it cannot deal with your complaint. The reasons are below. "
            "You may appeal within %(appeal_days)d days."
        ),
    ),
    Status.DECIDED: (
        _("Decided"),
        _(
            "The Committee has decided. The decision is below. You may appeal within "
            "%(appeal_days)d days."
        ),
    ),
    Status.APPEALED: (_("Appeal under way"), _("Your appeal has been sent to the Appeal Body.")),
    Status.APPEAL_DECIDED: (
        _("Appeal decided"),
        _("The Appeal Body has decided your appeal. The decision is below."),
    ),
    Status.CLOSED: (_("Closed"), _("This complaint is closed.")),
    Status.WITHDRAWN: (_("Withdrawn"), _("This complaint was withdrawn.")),
}


def deadline_figures() -> dict[str, int]:
    """The time limits the public wording names, as the settings have them."""
    return {
        "triage_days": settings.DEADLINE_TRIAGE_DAYS,
        "urgent_hours": settings.DEADLINE_TRIAGE_URGENT_HOURS,
        "appeal_days": settings.APPEAL_WINDOW_DAYS,
    }


URGENT_RECEIVED = _(
    "Your complaint has arrived safely. You said that someone is in immediate danger, so a "
    "member of the Committee will start looking at it within %(urgent_hours)d hours."
)


def public_status(status: str, *, urgent: bool = False) -> tuple[str, str]:
    """A status as the complainant reads it: its name, and what happens next; an urgent
    complaint is told only the urgent time limit."""
    label, explanation = PUBLIC_STATUS[status]
    if urgent and status == Status.RECEIVED:
        explanation = URGENT_RECEIVED
    return str(label), str(explanation) % deadline_figures()


def transition_allowed(*, source: str, target: str) -> Transition | None:
    return TRANSITIONS.get((Status(source), Status(target)))


def _check(
    *,
    complaint: Complaint,
    to: Status,
    by: AbstractBaseUser | None,
    by_complainant: bool,
    by_schedule: bool,
    reason: str,
    decision: Decision | None,
    now: datetime,
) -> None:
    rule = transition_allowed(source=complaint.status, target=to)
    if rule is None:
        raise TransitionRefused(
            _("A complaint that is “%(source)s” cannot become “%(target)s”.")
            % {"source": Status(complaint.status).label, "target": to.label}
        )
    _check_actor(
        rule,
        complaint=complaint,
        by=by,
        by_complainant=by_complainant,
        by_schedule=by_schedule,
        now=now,
    )
    if rule.needs_reason and not reason.strip():
        raise TransitionRefused(_("Please give a reason for this change."))
    if rule.in_appeal_window and _appeal_window_passed(complaint, now=now):
        raise TransitionRefused(_("The time to appeal this decision has passed."))
    if rule.decision and not _adopted_at_this_stage(
        decision, complaint=complaint, kind=rule.decision
    ):
        raise TransitionRefused(_("Only a decision that the chair adopts can make this change."))
    if rule.appeal_results and _judged(complaint) not in rule.appeal_results:
        raise TransitionRefused(_("Only the Appeal Body's recorded decision can make this change."))
    if complaint.status == Status.AWAITING_COMPLAINANT and to in RETURNS:
        back = awaiting_returns_to(complaint)
        if to != back:
            raise TransitionRefused(
                _("A complaint awaiting an answer goes back to where it was: “%(status)s”.")
                % {"status": back.label}
            )


def _check_actor(
    rule: Transition,
    *,
    complaint: Complaint,
    by: AbstractBaseUser | None,
    by_complainant: bool,
    by_schedule: bool,
    now: datetime,
) -> None:
    """Whether whoever asks may make this move: the schedule, the complainant, or staff."""
    if by_schedule:
        if not rule.scheduled:
            raise TransitionRefused(_("Only a person can make this change."))
        if not _appeal_window_passed(complaint, now=now):
            raise TransitionRefused(_("The appeal window of this decision is still open."))
    elif by_complainant:
        if not rule.complainant_may:
            raise TransitionRefused(_("Only the Committee can make this change."))
    elif by is None or rule.permission is None or not by.has_perm(rule.permission):
        raise TransitionRefused(_("You do not have permission to make this change."))


def _adopted_at_this_stage(
    decision: Decision | None, *, complaint: Complaint, kind: DecisionKind
) -> bool:
    """Whether `decision` is this case's, of this kind, and adopted since its last move (the
    chair's adoption, monitoring.cases.services.decision_adopt, passes the one it made)."""
    if decision is None or decision.complaint_id != complaint.pk or decision.kind != kind:
        return False
    last_move = complaint.status_changes.order_by("-at", "-pk").values_list("at", flat=True)
    return decision.adopted_at >= last_move.first()


def _judged(complaint: Complaint) -> str | None:
    """The result of the Appeal Body's judgment on the case's latest appeal, if it has one."""
    latest = complaint.appeals.order_by("-lodged_at", "-pk").values_list(
        "judgment__result", flat=True
    )
    return latest.first()


def _appeal_window_passed(complaint: Complaint, *, now: datetime) -> bool:
    """Whether the window to appeal the case's latest decision has passed (no decision: no)."""
    latest = complaint.decisions.order_by("-adopted_at", "-pk").values_list(
        "appeal_until", flat=True
    )
    until = latest.first()
    return until is not None and until < now


def awaiting_returns_to(complaint: Complaint) -> Status:
    """The stage a complaint awaiting the complainant's answer returns to (triage or
    examination): the one it was in when the question was asked."""
    asked = (
        complaint.status_changes.filter(to_status=Status.AWAITING_COMPLAINANT)
        .order_by("-at", "-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    return Status(asked or Status.TRIAGE)


def _deadline(complaint: Complaint) -> datetime | None:
    steps = [
        Step(status=status, at=at)
        for status, at in complaint.status_changes.order_by("at", "pk").values_list(
            "to_status", "at"
        )
    ]
    return deadline(
        steps, danger=complaint.immediate_danger, rules=DeadlineRules.from_settings()
    ).due_at


def complaint_transition(
    *,
    complaint: Complaint,
    to: Status,
    by: AbstractBaseUser | None = None,
    by_complainant: bool = False,
    by_schedule: bool = False,
    reason: str = "",
    decision: Decision | None = None,
    now: datetime,
) -> StatusChange:
    """Move a complaint to a new status, or raise TransitionRefused and change nothing.

    A decision on the case (inadmissible, decided) also needs the Decision it publishes.

    The deadline of the stage it enters (complaints/deadlines.py) is written with the status.
    """
    with transaction.atomic():
        # Lock the row so that two reviewers (or a reviewer and the complainant) cannot both
        # move the case from the same starting status.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        _check(
            complaint=locked,
            to=to,
            by=by,
            by_complainant=by_complainant,
            by_schedule=by_schedule,
            reason=reason,
            decision=decision,
            now=now,
        )
        change = StatusChange.objects.create(
            complaint=locked,
            from_status=locked.status,
            to_status=to,
            by=by,
            by_complainant=by_complainant,
            reason=reason.strip(),
            at=now,
        )
        locked.status = to
        locked.due_at = _deadline(locked)
        locked.save(update_fields=["status", "due_at"])
    complaint.status = to
    complaint.due_at = locked.due_at
    return change
