"""Writes of the committee's side: each checks permission, writes atomically, records who."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from complaints.errors import ComplaintError
from complaints.evidence import evidence_read
from complaints.models import Complainant, Complaint, Evidence
from monitoring.models import AccessAction, AccessEvent


class AccessRefused(ComplaintError):
    default_message = _("You do not have permission to do this.")


def access_event_record(
    *,
    action: AccessAction,
    actor: AbstractBaseUser,
    reason: str,
    now: datetime,
    complaint: Complaint | None = None,
) -> AccessEvent:
    if not reason.strip():
        raise AccessRefused(_("Please say why you need this."))
    return AccessEvent.objects.create(
        action=action,
        actor=actor,
        reason=reason.strip(),
        at=now,
        complaint_reference=complaint.reference if complaint else "",
    )


def identity_reveal(
    *, complaint: Complaint, by: AbstractBaseUser, reason: str, now: datetime
) -> Complainant:
    """The complainant's identity, for a permitted reviewer who says why; always recorded."""
    from monitoring.appeals.access import judge_may_reveal
    from monitoring.cases.access import may_reveal

    if not (may_reveal(by, complaint) or judge_may_reveal(by, complaint)):
        raise AccessRefused
    with transaction.atomic():
        access_event_record(
            action=AccessAction.REVEAL_IDENTITY,
            actor=by,
            reason=reason,
            now=now,
            complaint=complaint,
        )
        return Complainant.objects.get(pk=complaint.complainant_id)


@dataclass(frozen=True)
class EvidenceDownload:
    content: bytes
    filename: str
    content_type: str


def evidence_download(
    *, evidence: Evidence, by: AbstractBaseUser, now: datetime
) -> EvidenceDownload:
    """An evidence file, decrypted, for a permitted reviewer; every download is recorded.

    The file is named by its place in the case ("evidence-2.jpg"), never by the case's
    reference: a downloads folder on a seized laptop must not say which cases it came from.
    """
    from monitoring.appeals.access import may_read_file
    from monitoring.cases.access import Access, access_to

    # The file permission, and the case in full: its rapporteur or the chair, never a member
    # who sees only its structured fields or declared a conflict on it; or a judge of its
    # appeal who declared no conflict. A file sent with an appeal is the Appeal Body's alone.
    if not by.has_perm("complaints.view_evidence_file"):
        raise AccessRefused
    on_appeal = may_read_file(by, evidence)
    first_instance = evidence.appeal_id is None and access_to(by, evidence.complaint) >= Access.FULL
    if not (on_appeal or first_instance):
        raise AccessRefused
    with transaction.atomic():
        # No reason is asked for a file of a case one works on; the record says who and when.
        AccessEvent.objects.create(
            action=AccessAction.DOWNLOAD_EVIDENCE,
            actor=by,
            reason="",
            at=now,
            complaint_reference=evidence.complaint.reference,
        )
        position = Evidence.objects.filter(complaint_id=evidence.complaint_id, pk__lte=evidence.pk)
        return EvidenceDownload(
            content=evidence_read(evidence),
            filename=f"evidence-{position.count()}{evidence.extension}",
            content_type=evidence.content_type,
        )
