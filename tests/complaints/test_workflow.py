import pytest
from django.contrib.auth.models import Permission

from complaints.errors import TransitionRefused
from complaints.models import Status
from complaints.workflow import PUBLIC_STATUS, TRANSITIONS, complaint_transition


@pytest.fixture
def triager(django_user_model):
    user = django_user_model.objects.create_user(username="triager", password="x" * 16)
    user.user_permissions.add(Permission.objects.get(codename="triage_complaint"))
    return user


def test_a_permitted_move_changes_status_and_records_who_and_why(complainant_case, triager, now):
    complaint, _receipt = complainant_case

    change = complaint_transition(complaint=complaint, to=Status.TRIAGE, by=triager, now=now)

    complaint.refresh_from_db()
    assert complaint.status == Status.TRIAGE
    assert (change.from_status, change.to_status, change.by, change.at) == (
        Status.RECEIVED,
        Status.TRIAGE,
        triager,
        now,
    )


def test_the_outsider_cannot_move_a_complaint(complainant_case, outsider, now):
    complaint, _receipt = complainant_case

    with pytest.raises(TransitionRefused, match="permission"):
        complaint_transition(complaint=complaint, to=Status.TRIAGE, by=outsider, now=now)

    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.status_changes.count() == 1


def test_a_move_not_in_the_table_is_refused_with_a_clear_message(complainant_case, triager, now):
    complaint, _receipt = complainant_case

    with pytest.raises(TransitionRefused, match="cannot become"):
        complaint_transition(complaint=complaint, to=Status.DECIDED, by=triager, now=now)


def test_the_complainant_cannot_make_the_committees_moves(complainant_case, now):
    complaint, _receipt = complainant_case

    with pytest.raises(TransitionRefused, match="Only the Committee"):
        complaint_transition(complaint=complaint, to=Status.TRIAGE, by_complainant=True, now=now)


def test_a_move_that_needs_a_reason_is_refused_without_one(complainant_case, now):
    complaint, _receipt = complainant_case

    with pytest.raises(TransitionRefused, match="reason"):
        complaint_transition(
            complaint=complaint, to=Status.WITHDRAWN, by_complainant=True, reason="  ", now=now
        )


def test_every_status_has_public_wording_and_closed_ones_lead_nowhere():
    assert set(PUBLIC_STATUS) == set(Status)
    assert not [pair for pair in TRANSITIONS if pair[0] in {Status.CLOSED, Status.WITHDRAWN}]
