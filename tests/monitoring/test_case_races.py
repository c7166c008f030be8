"""Two people acting on one case at the same moment: one wins, the other is told, nothing is lost.

PostgreSQL only: SQLite ignores SELECT … FOR UPDATE (and serialises writers anyway).
"""

import threading

import pytest
from django.db import connection

from complaints.errors import ComplaintError
from complaints.models import CaseHistory, Status, StatusChange
from complaints.services import message_from_complainant
from monitoring.cases.services import case_move
from tests.filing import submit_directly
from tests.monitoring.cast import give

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks: PostgreSQL run"
)
ROUNDS = 200


def at_the_same_moment(*actions) -> list[object]:
    """Run each action in its own thread and connection, released together; their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = actions[index]()
        except ComplaintError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def complaint_updates(complaint) -> int:
    return CaseHistory.objects.filter(
        table="complaints_complaint", row_id=complaint.pk, operation="UPDATE"
    ).count()


def test_two_moves_from_the_same_page_one_wins_every_time(
    transactional_db, seed_data, roles, chair, member_rapporteur, now
):
    for _round in range(ROUNDS):
        complaint = submit_directly(now=now).complaint
        give(complaint, member_rapporteur, by=chair, now=now)
        case_move(
            complaint=complaint,
            to=Status.TRIAGE,
            by=member_rapporteur,
            expected_status="received",
            now=now,
        )
        changes, updates = complaint.status_changes.count(), complaint_updates(complaint)

        outcomes = at_the_same_moment(
            lambda c=complaint: case_move(
                complaint=c,
                to=Status.EXAMINATION,
                by=member_rapporteur,
                expected_status="triage",
                now=now,
            ),
            lambda c=complaint: case_move(
                complaint=c,
                to=Status.AWAITING_COMPLAINANT,
                by=chair,
                expected_status="triage",
                reason="Which day?",
                now=now,
            ),
        )

        won = [o for o in outcomes if isinstance(o, StatusChange)]
        assert len(won) == 1, outcomes
        assert sum(isinstance(o, ComplaintError) for o in outcomes) == 1
        complaint.refresh_from_db()
        assert complaint.status == won[0].to_status
        assert complaint.status_changes.count() == changes + 1
        assert complaint_updates(complaint) == updates + 1  # one history record, not lost


def test_an_answer_and_a_staff_move_at_the_same_moment_move_the_case_once(
    transactional_db, seed_data, roles, chair, member_rapporteur, now
):
    for _round in range(ROUNDS // 4):
        complaint = submit_directly(now=now).complaint
        give(complaint, member_rapporteur, by=chair, now=now)
        case_move(
            complaint=complaint,
            to=Status.TRIAGE,
            by=member_rapporteur,
            expected_status="received",
            now=now,
        )
        case_move(
            complaint=complaint,
            to=Status.AWAITING_COMPLAINANT,
            by=member_rapporteur,
            expected_status="triage",
            reason="Which day?",
            now=now,
        )
        changes = complaint.status_changes.count()

        at_the_same_moment(
            lambda c=complaint: message_from_complainant(complaint=c, body="Monday.", now=now),
            lambda c=complaint: case_move(
                complaint=c,
                to=Status.TRIAGE,
                by=member_rapporteur,
                expected_status="awaiting_complainant",
                now=now,
            ),
        )

        complaint.refresh_from_db()
        assert complaint.status == Status.TRIAGE
        assert complaint.status_changes.count() == changes + 1
        assert complaint.messages.count() == 2  # the question and the answer
