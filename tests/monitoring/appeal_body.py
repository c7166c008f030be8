"""The Appeal Body's cast and a case that reached it through the real services: filed, given to
a rapporteur, examined, decided by the chair on the rapporteur's proposal, appealed."""

from complaints.models import DecisionKind, Status
from complaints.services import appeal_lodge
from monitoring.appeals.models import JudgeProfile
from monitoring.cases.checklist import QUESTIONS, YES, checklist_record
from monitoring.cases.services import case_move, decision_adopt, decision_propose
from tests.filing import submit_directly
from tests.monitoring.cast import give, member

CHECKLIST = checklist_record({q.key: (YES, "") for q in QUESTIONS})
GROUNDS = "The Committee did not read my second letter."


def judge(django_user_model, username: str, nationalities: str, languages: str = "en", **extra):
    """An appeal judge of the roster: nationalities and languages as space-separated codes."""
    user = member(django_user_model, username, "Appeal judge")
    JudgeProfile.objects.create(
        user=user,
        nationalities=nationalities.split(),
        languages=languages.split(),
        **extra,
    )
    return user


def decided_case(*, rapporteur, chair, now):
    """A complaint decided on the merits: the rapporteur proposed, the chair adopted."""
    return decide(submit_directly(now=now).complaint, rapporteur=rapporteur, chair=chair, now=now)


def decide(complaint, *, rapporteur, chair, now, inadmissible: bool = False):
    """The Committee's work on a filed complaint, to a decision on the merits (or, in triage,
    not to accept it)."""
    give(complaint, rapporteur, by=chair, now=now)
    moves = [("received", Status.TRIAGE)]
    if not inadmissible:
        moves.append(("triage", Status.EXAMINATION))
    for source, target in moves:
        case_move(complaint=complaint, to=target, by=rapporteur, expected_status=source, now=now)
    if inadmissible:
        decided = {"kind": DecisionKind.INADMISSIBLE, "ground": "outside_mandate"}
    else:
        decided = {
            "kind": DecisionKind.MERITS,
            "outcome": "found",
            "recommendations": "Release and compensate.",
        }
    proposal = decision_propose(
        complaint=complaint,
        by=rapporteur,
        reasons="The arrest was arbitrary.",
        checklist=CHECKLIST,
        expected_status=complaint.status,
        now=now,
        **decided,
    )
    decision_adopt(proposal=proposal, by=chair, now=now)
    complaint.refresh_from_db()
    return complaint


def appealed_case(*, rapporteur, chair, now):
    """A decided complaint and the appeal its complainant lodged on the tracking page."""
    complaint = decided_case(rapporteur=rapporteur, chair=chair, now=now)
    appeal = appeal_lodge(complaint=complaint, grounds=GROUNDS, now=now)
    complaint.refresh_from_db()
    return complaint, appeal
