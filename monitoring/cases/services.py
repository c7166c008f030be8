"""The Committee's writes on a case. Each checks who acts, locks the case, writes, records who.

Status moves go through complaints.workflow.complaint_transition, the only writer of `status`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.errors import ComplaintError, TransitionRefused
from complaints.models import (
    Complaint,
    Decision,
    DecisionKind,
    InadmissibilityGround,
    Message,
    Status,
    StatusChange,
)
from complaints.workflow import complaint_transition
from monitoring.cases.access import Access, access_to
from monitoring.cases.models import (
    Assignment,
    CaseLink,
    ConflictDeclaration,
    DecisionProposal,
    Note,
    ProposalState,
)


class CaseWorkRefused(ComplaintError):
    default_message = _("You do not have permission to do this.")


class StaleCase(ComplaintError):
    default_message = _(
        "Someone else changed this case since you opened it. Nothing was changed: "
        "look at the case again and decide."
    )


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _working_on(user: AbstractBaseUser, complaint: Complaint) -> None:
    if access_to(user, complaint) < Access.FULL:
        raise CaseWorkRefused


def rapporteurs_eligible(complaint: Complaint) -> list[AbstractBaseUser]:
    """Active staff who may read cases and work on them, without a conflict on this one."""
    conflicted = ConflictDeclaration.objects.filter(complaint=complaint).values("member_id")
    people = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(pk__in=conflicted)
        .order_by("username")
    )
    # Each permission held through a role or directly, read in the same query as the people
    # (has_perm on each account would cost two queries an account).
    for codename in ("view_case_content", "examine_complaint"):
        held = Permission.objects.filter(content_type__app_label="complaints", codename=codename)
        people = people.filter(
            Q(is_superuser=True) | Q(user_permissions__in=held) | Q(groups__permissions__in=held)
        )
    return list(people.distinct())


def case_assign(
    *,
    complaint: Complaint,
    rapporteur: AbstractBaseUser | None,
    by: AbstractBaseUser,
    expected_rapporteur_id: int | None,
    now: datetime,
) -> Assignment:
    """The chair gives a case to a rapporteur, another one, or nobody (back to the queue).

    `expected_rapporteur_id` is who held it when the chair opened the page: if that changed
    since, nothing is changed (another chair's choice is not overwritten unseen).
    """
    if not by.has_perm("monitoring.assign_rapporteur"):
        raise CaseWorkRefused
    with transaction.atomic():
        locked = _locked(complaint)
        if locked.rapporteur_id != expected_rapporteur_id:
            raise StaleCase
        if rapporteur is not None and rapporteur not in rapporteurs_eligible(locked):
            raise CaseWorkRefused(
                _(
                    "This person cannot be given the case: they do not work on cases, or have "
                    "declared a conflict of interest on it."
                )
            )
        if rapporteur is not None and rapporteur.pk == locked.rapporteur_id:
            raise CaseWorkRefused(_("The case is already theirs."))
        locked.rapporteur = rapporteur
        locked.save(update_fields=["rapporteur"])
        assignment = Assignment.objects.create(
            complaint=locked, rapporteur=rapporteur, by=by, at=now
        )
    complaint.rapporteur = rapporteur
    return assignment


def conflict_declare(
    *, complaint: Complaint, member: AbstractBaseUser, reason: str, now: datetime
) -> ConflictDeclaration:
    """A member declares a conflict of interest: the case leaves their hands and their sight."""
    if not member.has_perm("monitoring.add_conflictdeclaration"):
        raise CaseWorkRefused
    if not reason.strip():
        raise CaseWorkRefused(_("Please say what the conflict of interest is."))
    with transaction.atomic():
        locked = _locked(complaint)
        if ConflictDeclaration.objects.filter(complaint=locked, member=member).exists():
            raise CaseWorkRefused(_("You have already declared a conflict on this case."))
        if access_to(member, locked) == Access.NONE:
            raise CaseWorkRefused
        declaration = ConflictDeclaration.objects.create(
            complaint=locked, member=member, reason=reason.strip(), at=now
        )
        if locked.rapporteur_id == member.pk:
            locked.rapporteur = None
            locked.save(update_fields=["rapporteur"])
            # Recorded as the member's own giving up of the case.
            Assignment.objects.create(complaint=locked, rapporteur=None, by=member, at=now)
    complaint.rapporteur = locked.rapporteur
    return declaration


def note_add(*, complaint: Complaint, by: AbstractBaseUser, body: str, now: datetime) -> Note:
    if not by.has_perm("monitoring.add_note"):
        raise CaseWorkRefused
    _working_on(by, complaint)
    if not body.strip():
        raise CaseWorkRefused(_("The note is empty."))
    with transaction.atomic():
        locked = _locked(complaint)
        notes = Note.objects.filter(complaint=locked, author=by, at__gte=now - SAME_PRESS)
        if again := _same_text(notes.order_by("-at", "-pk").first(), body):
            return again
        return Note.objects.create(complaint=locked, author=by, body=body.strip(), at=now)


# Within this long, the same text from the same person on the same case is one press of the
# button twice (a double click, a resent form), not two notes or two messages.
SAME_PRESS = timedelta(minutes=2)


def _same_text(row: Note | Message | None, body: str) -> Note | Message | None:
    return row if row is not None and row.body == body.strip() else None


def message_to_complainant(
    *, complaint: Complaint, by: AbstractBaseUser, body: str, now: datetime
) -> Message:
    """A message the complainant reads on the tracking page (never the writer's name)."""
    if not by.has_perm("complaints.add_message"):
        raise CaseWorkRefused
    _working_on(by, complaint)
    if not body.strip():
        raise CaseWorkRefused(_("The message is empty."))
    if not complaint.is_open:
        raise CaseWorkRefused(_("This case is closed: the complainant can no longer answer."))
    with transaction.atomic():
        locked = _locked(complaint)
        sent = Message.objects.filter(
            complaint=locked,
            direction=Message.Direction.TO_COMPLAINANT,
            author=by,
            sent_at__gte=now - SAME_PRESS,
        )
        if again := _same_text(sent.order_by("-sent_at", "-pk").first(), body):
            return again
        return Message.objects.create(
            complaint=locked,
            direction=Message.Direction.TO_COMPLAINANT,
            body=body.strip(),
            author=by,
            sent_at=now,
        )


def case_move(
    *,
    complaint: Complaint,
    to: Status,
    by: AbstractBaseUser,
    expected_status: str,
    reason: str = "",
    now: datetime,
) -> StatusChange:
    """A move made from the case page or a bulk action, by someone working on the case.

    `expected_status` is the status the person saw: if the case moved since, nothing happens.
    Asking the complainant a question (awaiting_complainant) sends the question as a message
    they read on the tracking page, in the same transaction as the move.
    """
    with transaction.atomic():
        locked = _locked(complaint)
        if locked.status != expected_status:
            raise StaleCase
        _working_on(by, locked)
        change = complaint_transition(complaint=locked, to=to, by=by, reason=reason, now=now)
        if to == Status.AWAITING_COMPLAINANT:
            message_to_complainant(complaint=locked, by=by, body=reason, now=now)
    complaint.status, complaint.due_at = locked.status, locked.due_at
    return change


def messages_mark_read(complaint: Complaint, *, by: AbstractBaseUser, now: datetime) -> int:
    """Whoever answers the complainant opened the case: their messages are read. That is the
    case's rapporteur, or anyone who reads it in full while nobody has it; the chair glancing
    at a colleague's case leaves its answers new for the colleague."""
    if complaint.rapporteur_id not in (None, by.pk):
        return 0
    unread = Message.objects.filter(
        complaint=complaint, direction=Message.Direction.FROM_COMPLAINANT, read_at__isnull=True
    )
    return unread.update(read_at=now)


def _proposal_checks(
    *,
    locked: Complaint,
    kind: str,
    ground: str,
    outcome: str,
    reasons: str,
    duplicate_of: Complaint | None,
) -> None:
    if kind == DecisionKind.INADMISSIBLE:
        if locked.status != Status.TRIAGE:
            raise CaseWorkRefused(_("Admissibility is decided during triage."))
        if not ground:
            raise CaseWorkRefused(_("Please choose why the complaint is not accepted."))
        if (ground == InadmissibilityGround.DUPLICATE) != (duplicate_of is not None):
            raise CaseWorkRefused(
                _("A duplicate names the other complaint; only a duplicate does.")
            )
        if duplicate_of is not None and duplicate_of.pk == locked.pk:
            raise CaseWorkRefused(_("A complaint cannot duplicate itself."))
    else:
        if locked.status != Status.EXAMINATION:
            raise CaseWorkRefused(_("The facts are decided once the case is being examined."))
        if not outcome:
            raise CaseWorkRefused(_("Please choose the outcome."))
    if not reasons.strip():
        raise CaseWorkRefused(_("Please write the reasons: the complainant reads them."))


def decision_propose(
    *,
    complaint: Complaint,
    by: AbstractBaseUser,
    kind: str,
    reasons: str,
    checklist: str,
    expected_status: str,
    now: datetime,
    ground: str = "",
    outcome: str = "",
    recommendations: str = "",
    duplicate_of: Complaint | None = None,
) -> DecisionProposal:
    """The case's rapporteur proposes a decision; the chair will adopt it or send it back."""
    with transaction.atomic():
        locked = _locked(complaint)
        if locked.status != expected_status:
            raise StaleCase
        _working_on(by, locked)
        if locked.rapporteur_id != by.pk:
            raise CaseWorkRefused(_("The case's rapporteur proposes its decision."))
        _proposal_checks(
            locked=locked,
            kind=kind,
            ground=ground,
            outcome=outcome,
            reasons=reasons,
            duplicate_of=duplicate_of,
        )
        if duplicate_of is not None and access_to(by, duplicate_of) == Access.NONE:
            raise CaseWorkRefused(_("No complaint you may see has this reference."))
        if DecisionProposal.objects.filter(complaint=locked, state=ProposalState.PROPOSED).exists():
            raise CaseWorkRefused(_("A proposed decision already awaits the chair."))
        return DecisionProposal.objects.create(
            complaint=locked,
            kind=kind,
            ground=ground if kind == DecisionKind.INADMISSIBLE else "",
            outcome=outcome if kind == DecisionKind.MERITS else "",
            duplicate_of=duplicate_of,
            reasons=reasons.strip(),
            recommendations=recommendations.strip(),
            checklist=checklist,
            proposed_by=by,
            proposed_at=now,
        )


def _waiting(proposal: DecisionProposal, by: AbstractBaseUser) -> DecisionProposal:
    if not by.has_perm("complaints.decide_complaint"):
        raise CaseWorkRefused
    locked = DecisionProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.PROPOSED:
        raise StaleCase
    if locked.proposed_by_id == by.pk:
        raise CaseWorkRefused(_("Four eyes: someone other than the proposer adopts a decision."))
    return locked


def _still_stands(proposal: DecisionProposal, complaint: Complaint) -> None:
    """A proposal is adopted only as it was made: by the case's rapporteur, who declared no
    conflict on it since, and before anything moved the case (a question asked and answered
    after it may change the answer). Otherwise the chair sends it back."""
    if (
        proposal.proposed_by_id != complaint.rapporteur_id
        or ConflictDeclaration.objects.filter(
            complaint=complaint, member_id=proposal.proposed_by_id
        ).exists()
    ):
        raise CaseWorkRefused(_("Its author no longer works on this case: send the proposal back."))
    last_move = complaint.status_changes.order_by("-at", "-pk").values_list("at", flat=True)
    if last_move.first() > proposal.proposed_at:
        raise CaseWorkRefused(
            _("The case has moved since this proposal was made: send it back to be revised.")
        )


def decision_adopt(*, proposal: DecisionProposal, by: AbstractBaseUser, now: datetime) -> Decision:
    """The chair adopts a proposal: the complainant reads it, and may appeal until the window
    (APPEAL_WINDOW_DAYS) closes."""
    with transaction.atomic():
        complaint = _locked(proposal.complaint)
        locked = _waiting(proposal, by)
        _working_on(by, complaint)
        _still_stands(locked, complaint)
        decision = Decision.objects.create(
            complaint=complaint,
            kind=locked.kind,
            ground=locked.ground,
            outcome=locked.outcome,
            reasons=locked.reasons,
            recommendations=locked.recommendations,
            adopted_at=now,
            appeal_until=now + timedelta(days=settings.APPEAL_WINDOW_DAYS),
        )
        target = Status.INADMISSIBLE if locked.kind == DecisionKind.INADMISSIBLE else Status.DECIDED
        complaint_transition(
            complaint=complaint,
            to=target,
            by=by,
            reason=str(_("Decision adopted.")),
            decision=decision,
            now=now,
        )
        locked.state, locked.decided_by, locked.decided_at = ProposalState.ADOPTED, by, now
        locked.save(update_fields=["state", "decided_by", "decided_at"])
    proposal.state = locked.state
    return decision


def decision_send_back(
    *, proposal: DecisionProposal, by: AbstractBaseUser, comment: str, now: datetime
) -> DecisionProposal:
    """The chair sends a proposal back to its rapporteur, saying why; nothing is public."""
    if not comment.strip():
        raise CaseWorkRefused(_("Please tell the rapporteur what to change."))
    with transaction.atomic():
        complaint = _locked(proposal.complaint)
        locked = _waiting(proposal, by)
        _working_on(by, complaint)  # a chair who declared a conflict on it sends nothing back
        locked.state, locked.decided_by, locked.decided_at = ProposalState.SENT_BACK, by, now
        locked.chair_comment = comment.strip()
        locked.save(update_fields=["state", "decided_by", "decided_at", "chair_comment"])
    proposal.state = locked.state
    return locked


def appeal_windows_close(*, now: datetime) -> int:
    """Close every decided case whose appeal window passed without an appeal. Safe to run at
    any time and as often as wanted: a case closed, appealed or moved meanwhile is left alone."""
    expired = (
        Decision.objects.filter(
            appeal_until__lt=now, complaint__status__in=[Status.INADMISSIBLE, Status.DECIDED]
        )
        .values_list("complaint_id", flat=True)
        .distinct()
    )
    closed = 0
    for complaint in Complaint.objects.filter(pk__in=list(expired)).only("pk", "status"):
        try:
            complaint_transition(complaint=complaint, to=Status.CLOSED, by_schedule=True, now=now)
        except TransitionRefused:
            continue  # appealed or moved since the query, or a newer decision's window is open
        closed += 1
    return closed


def case_link(
    *, complaint: Complaint, other: Complaint, by: AbstractBaseUser, reason: str, now: datetime
) -> CaseLink:
    """Link two complaints about the same events; the linker works on the first and may see
    the second."""
    _working_on(by, complaint)
    if access_to(by, other) == Access.NONE:
        raise CaseWorkRefused(_("No complaint you may see has this reference."))
    if other.pk == complaint.pk:
        raise CaseWorkRefused(_("A complaint cannot be linked to itself."))
    low, high = sorted([complaint, other], key=lambda case: case.pk)
    try:
        with transaction.atomic():
            return CaseLink.objects.create(
                complaint=low, other=high, by=by, reason=reason.strip(), at=now
            )
    except IntegrityError:  # the pair's unique constraint: linked already, or at this moment
        raise CaseWorkRefused(_("These complaints are already linked.")) from None
