"""What the Committee records about its work on a case; never shown to the complainant.

Each row belongs to its case and goes with it when the case is deleted at the end of its
retention period. Nothing here is changed once written: a reassignment is a new Assignment.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.fields import EncryptedTextField
from complaints.models import Complaint


class Assignment(models.Model):
    """The chair gave the case to a rapporteur (or took it back: rapporteur None)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    rapporteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapporteur"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["complaint", "at", "pk"]
        permissions = [
            ("assign_rapporteur", _("Can assign a rapporteur to a case")),
            ("view_every_case", _("Can see every case, assigned to anyone or to nobody")),
        ]

    def __str__(self) -> str:
        return f"Assignment #{self.pk}"


class ConflictDeclaration(models.Model):
    """A committee member declared a conflict of interest on a case: they no longer see it and
    cannot be given it."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    reason = EncryptedTextField(_("reason"))
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["complaint", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "complaint"], name="conflict_once_per_member_and_case"
            )
        ]

    def __str__(self) -> str:
        return f"Conflict #{self.pk}"


class Note(models.Model):
    """An internal note on a case: for the Committee only, never on any public page."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    body = EncryptedTextField(_("note"))
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["complaint", "at", "pk"]

    def __str__(self) -> str:
        return f"Note #{self.pk}"
