"""Deleting closed cases once their retention period is over.

A deleted case leaves only a DeletedCase row (its reference, the year it was filed and when it
was deleted): enough to answer "what happened to AFR-…?", nothing about anyone.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from complaints.models import (
    AppealJudgment,
    CaseHistory,
    Complainant,
    Complaint,
    DeletedCase,
    PublishedOpinion,
    Status,
)

FINAL_STATUSES = [Status.CLOSED, Status.WITHDRAWN]


def complaints_past_retention(*, now: datetime) -> QuerySet[Complaint]:
    cutoff = now - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE)
    return (
        Complaint.objects.filter(status__in=FINAL_STATUSES)
        .annotate(
            final_at=Max(
                "status_changes__at", filter=Q(status_changes__to_status__in=FINAL_STATUSES)
            )
        )
        .filter(final_at__lt=cutoff)
    )


def _case_rows(complaint: Complaint) -> list[tuple[str, int]]:
    rows = [(Complaint._meta.db_table, complaint.pk)]
    for related in (
        complaint.victims,
        complaint.evidence,
        complaint.messages,
        complaint.status_changes,
        complaint.decisions,
        complaint.appeals,
        AppealJudgment.objects.filter(complaint=complaint),
        PublishedOpinion.objects.filter(complaint=complaint),
    ):
        rows += [(related.model._meta.db_table, pk) for pk in related.values_list("pk", flat=True)]
    return rows


def complaint_purge(*, complaint: Complaint, now: datetime) -> DeletedCase:
    """Delete a complaint with its people, messages, history and files; keep a tombstone."""
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status not in FINAL_STATUSES:
            raise ValueError(f"{locked.reference} is still open")
        paths = list(locked.evidence.values_list("file", flat=True))
        rows = _case_rows(locked)
        complainant = locked.complainant
        tombstone = DeletedCase.objects.create(
            reference=locked.reference, deleted_at=now, submitted_year=locked.submitted_at.year
        )
        locked.delete()
        if not complainant.complaints.exists():
            rows.append((Complainant._meta.db_table, complainant.pk))
            complainant.delete()
        # The history triggers have just copied the deleted rows (as ciphertext): those go too.
        for table, row_id in rows:
            CaseHistory.objects.filter(table=table, row_id=row_id).delete()
        # Files go only once the rows are gone for good; a rollback keeps both.
        transaction.on_commit(lambda: [default_storage.delete(path) for path in paths])
    return tombstone
