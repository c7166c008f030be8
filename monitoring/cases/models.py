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
from complaints.models import (
    Complaint,
    DecisionKind,
    InadmissibilityGround,
    Outcome,
    choices_check,
)


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


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed: awaits the chair")
    ADOPTED = "adopted", _("Adopted")
    SENT_BACK = "sent_back", _("Sent back to the rapporteur")


class DecisionProposal(models.Model):
    """A rapporteur's proposed decision, with the admissibility checklist; the chair adopts it
    (it becomes a complaints.Decision the complainant reads) or sends it back with a comment."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind)
    ground = models.CharField(
        _("why it is not accepted"), max_length=20, choices=InadmissibilityGround, blank=True
    )
    # Internal: the complainant's decision never names another case.
    duplicate_of = models.ForeignKey(
        Complaint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    reasons = EncryptedTextField(_("reasons (the complainant reads them)"))
    recommendations = EncryptedTextField(_("recommendations"), blank=True)
    # The admissibility checklist as the rapporteur answered it, as JSON (monitoring/cases/
    # checklist.py); encrypted, since its comments speak of the case.
    checklist = EncryptedTextField(_("admissibility checklist"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"))
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState, default=ProposalState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopted or sent back by"),
    )
    decided_at = models.DateTimeField(_("adopted or sent back"), null=True, blank=True)
    chair_comment = EncryptedTextField(_("the chair's comment"), blank=True)

    class Meta:
        verbose_name = _("proposed decision")
        verbose_name_plural = _("proposed decisions")
        ordering = ["complaint", "proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(**choices_check("kind", DecisionKind)),
            models.CheckConstraint(**choices_check("ground", InadmissibilityGround, blank=True)),
            models.CheckConstraint(**choices_check("outcome", Outcome, blank=True)),
            models.CheckConstraint(**choices_check("state", ProposalState)),
            # One proposal at a time awaits the chair on a case.
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(state=ProposalState.PROPOSED),
                name="one_waiting_proposal_per_case",
            ),
        ]
        indexes = [
            # The chair's queue: the proposals waiting (few, whatever the number of cases).
            models.Index(
                fields=["proposed_at"],
                condition=models.Q(state=ProposalState.PROPOSED),
                name="proposal_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"Proposal #{self.pk} ({self.state})"


class CaseLink(models.Model):
    """Two complaints about the same events (several people report one mass arrest), linked
    by a committee member; shown from each case. Stored once per pair, the lower id first."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    other = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("linked case")
    )
    reason = EncryptedTextField(_("why they are linked"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("linked complaint")
        verbose_name_plural = _("linked complaints")
        ordering = ["complaint", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "other"], name="case_link_once"),
            models.CheckConstraint(
                condition=models.Q(complaint__lt=models.F("other")), name="case_link_ordered"
            ),
        ]
        indexes = [models.Index(fields=["other"], name="case_link_other")]

    def __str__(self) -> str:
        return f"Link #{self.pk}"
