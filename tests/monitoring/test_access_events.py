import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction

from monitoring.models import AccessAction, AccessEvent
from monitoring.services import AccessRefused, identity_reveal


@pytest.fixture
def revealer(django_user_model):
    """The chair: the identity permission, on every case (monitoring/cases/access.py)."""
    user = django_user_model.objects.create_user(username="revealer", password="x" * 16)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "reveal_identity",
                "view_complaint",
                "view_case_content",
                "view_every_case",
            ]
        )
    )
    return user


def test_a_reveal_returns_the_identity_and_records_who_when_which_case_and_why(
    complainant_case, revealer, now
):
    complaint, _receipt = complainant_case

    complainant = identity_reveal(
        complaint=complaint, by=revealer, reason="To call her back.", now=now
    )

    assert complainant.full_name == "Zxqname Marker-Person"
    event = AccessEvent.objects.get()
    assert (event.action, event.actor, event.complaint_reference, event.reason, event.at) == (
        AccessAction.REVEAL_IDENTITY,
        revealer,
        complaint.reference,
        "To call her back.",
        now,
    )


def test_the_outsider_cannot_reveal_and_nothing_is_recorded(complainant_case, outsider, now):
    complaint, _receipt = complainant_case

    with pytest.raises(AccessRefused):
        identity_reveal(complaint=complaint, by=outsider, reason="curious", now=now)

    assert not AccessEvent.objects.exists()


def test_a_reveal_needs_a_reason(complainant_case, revealer, now):
    complaint, _receipt = complainant_case

    with pytest.raises(AccessRefused, match="why"):
        identity_reveal(complaint=complaint, by=revealer, reason="  ", now=now)

    assert not AccessEvent.objects.exists()


def test_access_records_cannot_be_rewritten_even_by_the_application(
    complainant_case, revealer, now
):
    complaint, _receipt = complainant_case
    identity_reveal(complaint=complaint, by=revealer, reason="needed", now=now)

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.update(complaint_reference="AFR-XXXX-XXXX")

    assert AccessEvent.objects.get().complaint_reference == complaint.reference


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite keeps deletes possible for the test flush; PostgreSQL run",
)
def test_access_records_cannot_be_deleted_on_postgresql(complainant_case, revealer, now):
    complaint, _receipt = complainant_case
    identity_reveal(complaint=complaint, by=revealer, reason="needed", now=now)

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitoring_accessevent")

    assert AccessEvent.objects.count() == 1
