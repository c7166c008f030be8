"""Who sees what of an appeal.

- The registry (monitoring.form_panel) and the co-presidents see every appeal's allocation: the
  draws, the seats and declarations, how many votes are in. Never the file, a vote or an opinion.
- A judge sees the appeals of the panels they sit on. They read its file (the complaint, its
  evidence and messages, the first-instance decision, its reasons and checklist, the grounds and
  the files sent with the appeal; never the Committee's internal notes) once they have declared
  no conflict of interest, and identity only through the recorded reveal.
- The Committee that decided at first instance sees neither the grounds nor the files sent with
  the appeal; it reads the Appeal Body's judgment as the complainant does.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from complaints.models import Appeal, AppealJudgment, Complaint, Evidence, Status
from monitoring.appeals.models import LEFT, DeclarationState, JudgeProfile, Seat


def is_registry(user: AbstractBaseUser) -> bool:
    return user.has_perm("monitoring.form_panel")


def is_co_president(user: AbstractBaseUser) -> bool:
    return (
        user.has_perm("complaints.decide_appeal")
        and JudgeProfile.objects.filter(user=user, co_president=True, active=True).exists()
    )


def oversees(user: AbstractBaseUser) -> bool:
    """The registry and the co-presidents: every appeal's allocation, no deliberation."""
    return user.has_perm("complaints.view_appeal") and (is_registry(user) or is_co_president(user))


def seat_of(user: AbstractBaseUser, appeal: Appeal) -> Seat | None:
    """The user's seat on the appeal's panel, unless they recused."""
    if not user.has_perm("complaints.decide_appeal"):
        return None
    return Seat.objects.filter(appeal=appeal, judge=user).exclude(declaration__in=LEFT).first()


def may_read(user: AbstractBaseUser, appeal: Appeal) -> bool:
    """The file of the appeal: a member of its panel who declared no conflict of interest, while
    the appeal is being heard. Once decided, its panel reads the decision, not the file."""
    seat = seat_of(user, appeal)
    return (
        seat is not None
        and seat.declaration == DeclarationState.NO_CONFLICT
        and not AppealJudgment.objects.filter(appeal=appeal).exists()
    )


def _hearing(user: AbstractBaseUser, complaint: Complaint) -> QuerySet[Seat]:
    """The user's declared seats on the complaint's appeals still being heard."""
    if not user.has_perm("complaints.decide_appeal") or complaint.status != Status.APPEALED:
        return Seat.objects.none()
    return Seat.objects.filter(
        complaint=complaint,
        judge=user,
        declaration=DeclarationState.NO_CONFLICT,
        appeal__judgment__isnull=True,
    )


def may_read_file(user: AbstractBaseUser, evidence: Evidence) -> bool:
    """An evidence file, for a judge hearing an appeal on its complaint: the complaint's own
    files, and those sent with the appeal they hear (never another appeal's)."""
    seats = _hearing(user, evidence.complaint)
    if evidence.appeal_id is not None:
        seats = seats.filter(appeal_id=evidence.appeal_id)
    return seats.exists()


def judge_may_reveal(user: AbstractBaseUser, complaint: Complaint) -> bool:
    """The recorded reveal of identity, for a judge hearing an appeal on the complaint."""
    return user.has_perm("complaints.reveal_identity") and _hearing(user, complaint).exists()


def appeals_visible_to(user: AbstractBaseUser, appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    if not user.has_perm("complaints.view_appeal"):
        return appeals.none()
    if oversees(user):
        return appeals
    if not user.has_perm("complaints.decide_appeal"):
        return appeals.none()
    seated = (
        Seat.objects.filter(judge=user)
        .exclude(declaration__in=LEFT)
        .values_list("appeal_id", flat=True)
    )
    return appeals.filter(pk__in=list(seated))
