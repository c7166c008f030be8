from django.core.management import call_command
from django.db import connection

from complaints.models import (
    CaseHistory,
    Complainant,
    Complaint,
    DeletedCase,
    Evidence,
    Message,
    StatusChange,
)
from tests.complaints.test_encryption import MARKERS, file_with_markers, media_bytes
from tests.complaints.test_privacy import database_text
from tests.filing import submit_directly


def test_the_purge_deletes_an_expired_case_and_leaves_only_a_contentless_record(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 0
    complaint = file_with_markers(client)  # ends withdrawn
    reference, year = complaint.reference, complaint.submitted_at.year
    settings.FIELD_ENCRYPTION_KEYS = "x:" + "A" * 43  # even with the key gone, nothing is left

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_purge")

    for model in (Complaint, Complainant, Evidence, Message, StatusChange):
        assert not model.objects.exists(), model
    assert not CaseHistory.objects.exists()
    tombstone = DeletedCase.objects.get()
    assert (tombstone.reference, tombstone.submitted_year) == (reference, year)
    assert media_bytes() == b""
    text = database_text()
    for marker in MARKERS.values():
        assert marker not in text
    if connection.vendor == "sqlite":
        assert b"Zqmarker" not in connection.connection.serialize()


def test_open_and_recently_closed_cases_are_kept(client, db, settings, now):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 30
    file_with_markers(client)  # withdrawn today
    submit_directly(now=now)  # still open

    call_command("retention_purge")

    assert Complaint.objects.count() == 2
    assert not DeletedCase.objects.exists()


def test_a_dry_run_only_counts(client, db, settings, capsys):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 0
    file_with_markers(client)

    call_command("retention_purge", "--dry-run")

    assert "1 complaint(s) past" in capsys.readouterr().out
    assert Complaint.objects.count() == 1
