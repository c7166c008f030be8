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


def decide(complaint, *, rapporteur, chair, now):
    """The Committee's work on a filed complaint, to a decision on the merits."""
    give(complaint, rapporteur, by=chair, now=now)
    for source, target in [("received", Status.TRIAGE), ("triage", Status.EXAMINATION)]:
        case_move(complaint=complaint, to=target, by=rapporteur, expected_status=source, now=now)
    proposal = decision_propose(
        complaint=complaint,
        by=rapporteur,
        kind=DecisionKind.MERITS,
        outcome="found",
        reasons="The arrest was arbitrary.",
        recommendations="Release and compensate.",
        checklist=CHECKLIST,
        expected_status=Status.EXAMINATION,
        now=now,
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
