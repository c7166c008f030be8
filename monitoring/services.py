"""Writes of the committee's side: each checks permission, writes atomically, records who."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from complaints.errors import ComplaintError
from complaints.models import Complainant, Complaint
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
    if not by.has_perm("complaints.reveal_identity"):
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
