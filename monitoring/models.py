"""The committee's and Appeal Body's records.

`monitoring` may import `complaints`, never the reverse.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import choices_check


class AccessAction(models.TextChoices):
    REVEAL_IDENTITY = "reveal_identity", _("Revealed a complainant's identity")
    EXPORT = "export", _("Exported a case list")
    DOWNLOAD_EVIDENCE = "download_evidence", _("Downloaded an evidence file")


class AccessEvent(models.Model):
    """Append-only: who saw whose identity, opened which case's files, or exported what, when.

    Database triggers (monitoring/migrations/0002_access_event.py) refuse any UPDATE or DELETE,
    so not even the application can rewrite this record. The case is named by its reference, so
    the record outlives a case deleted at the end of its retention period.
    """

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    complaint_reference = models.CharField(_("case"), max_length=13, blank=True, db_index=True)
    # Plain text, not encrypted: an append-only row could never be re-encrypted under a new key.
    # The form asks staff to write no names or contact details here.
    reason = models.TextField(_("reason given"))
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-at"]
        constraints = [models.CheckConstraint(**choices_check("action", AccessAction))]

    def __str__(self) -> str:
        return f"{self.action} {self.complaint_reference} #{self.pk}"
