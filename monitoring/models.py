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


class ExportLevel(models.TextChoices):
    # In the order of what they add; each is a permission (ExportRecord.Meta.permissions).
    CASE_LIST = "case_list", _("Case list (no free text, no identity)")
    NARRATIVE = "narrative", _("Case list with the facts, remedies and decisions")
    IDENTITY = "identity", _("Case list with the facts and the identity and contact of each person")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (Excel, LibreOffice)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ExportSource(models.TextChoices):
    ADMIN = "admin", _("The case list")
    COMMAND = "command", _("The export_complaints command")


class ExportRecord(models.Model):
    """Append-only: an export of the case list, written before its first byte is sent.

    Everything known before the file exists is here (who, when, level, filters, purpose); what
    is known only once the last row has gone (row count, sha256) is its ExportEnd, written when
    the download finishes or is cut off. An export that never gets an end was cut off by the
    process dying: it is still on record, so nobody escapes the record by breaking the download.
    The same triggers as AccessEvent's refuse UPDATE and DELETE.
    """

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    level = models.CharField(_("level"), max_length=20, choices=ExportLevel)
    file_format = models.CharField(_("format"), max_length=10, choices=ExportFormat)
    source = models.CharField(_("from"), max_length=10, choices=ExportSource)
    # The case list's filters and search as its query string: the same string opens the list
    # that was exported.
    filters = models.TextField(_("filters and search"), blank=True)
    # Plain text like AccessEvent.reason; the form asks for no names or contact details here.
    purpose = models.TextField(_("purpose stated"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-at"]
        permissions = [
            ("export_case_list", _("Can export the case list")),
            ("export_narrative", _("Can export the case list with facts and decisions")),
            ("export_identity", _("Can export the case list with identities, for a purpose")),
            ("view_statistics", _("Can view the statistics")),
        ]
        constraints = [
            models.CheckConstraint(**choices_check("level", ExportLevel)),
            models.CheckConstraint(**choices_check("file_format", ExportFormat)),
            models.CheckConstraint(**choices_check("source", ExportSource)),
            models.CheckConstraint(
                condition=~models.Q(level=ExportLevel.IDENTITY) | ~models.Q(purpose=""),
                name="exportrecord_identity_has_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.level} #{self.pk}"


class ExportOutcome(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    INTERRUPTED = "interrupted", _("Cut off before the end")


class ExportEnd(models.Model):
    """Append-only: how an export ended, with what it sent."""

    record = models.OneToOneField(
        ExportRecord, on_delete=models.PROTECT, related_name="end", verbose_name=_("export")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ExportOutcome)
    row_count = models.PositiveIntegerField(_("rows sent"))
    # Of the whole file; blank when it was cut off (no whole file was sent).
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    at = models.DateTimeField(_("ended"), default=timezone.now)

    class Meta:
        verbose_name = _("end of an export")
        verbose_name_plural = _("ends of exports")
        constraints = [
            models.CheckConstraint(**choices_check("outcome", ExportOutcome)),
            models.CheckConstraint(
                condition=models.Q(outcome=ExportOutcome.COMPLETE, sha256__regex=r"^[0-9a-f]{64}$")
                | models.Q(outcome=ExportOutcome.INTERRUPTED, sha256=""),
                name="exportend_sha256_only_when_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} #{self.record_id}"


class StatisticsRefresh(models.Model):
    """One computation of the kept figures (Tally): when, and how many complaints they count."""

    at = models.DateTimeField(_("computed"), default=timezone.now, db_index=True)
    complaints = models.PositiveIntegerField(_("complaints counted"))

    class Meta:
        verbose_name = _("statistics update")
        verbose_name_plural = _("statistics updates")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"statistics #{self.pk}"


class Dimension(models.TextChoices):
    TOTAL = "total", _("Complaints")
    CATEGORY = "category", _("Violation")
    GROUP = "group", _("Right concerned")
    RESIDENCE = "residence", _("Where the complainant lives")
    PERPETRATOR = "perpetrator", _("Who did it")
    STATUS = "status", _("Status")
    OUTCOME = "outcome", _("Decision")
    APPEAL = "appeal", _("Appeal")
    DAYS_TO_TRIAGE = "days_triage", _("Days to triage")
    DAYS_TO_DECISION = "days_decision", _("Days to decision")
    DAYS_TO_APPEAL_DECISION = "days_appeal", _("Days to appeal decision")
    OVERDUE = "overdue", _("Overdue")


# The country of a Tally row that counts every country (a country code is two letters, or
# blank when the complainant did not say).
ALL_COUNTRIES = "**"


class Tally(models.Model):
    """Kept counts of the complaints whose complainant agrees to their use in statistics, by
    month filed, country of the events and one dimension's value; rebuilt whole by
    monitoring.statistics.statistics_refresh, so the statistics pages read a few thousand rows,
    never the complaint table."""

    month = models.DateField(_("month filed"))
    country = models.CharField(_("country of the events"), max_length=2, blank=True)
    dimension = models.CharField(max_length=20, choices=Dimension)
    value = models.CharField(max_length=60, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("kept count")
        verbose_name_plural = _("kept counts")
        indexes = [models.Index(fields=["country", "month"], name="tally_country_month")]
        constraints = [models.CheckConstraint(**choices_check("dimension", Dimension))]

    def __str__(self) -> str:
        return f"{self.dimension} {self.month:%Y-%m} #{self.pk}"


class StaffChangeKind(models.TextChoices):
    GRANT_ROLE = "grant_role", _("New role")
    RESET_PASSWORD = "reset_password", _("Password reset")
    REMOVE_DEVICE = "remove_device", _("Authenticator app removal")
    REMOVE_ROLE = "remove_role", _("Role removed")
    RENAME = "rename", _("Username changed")


ROLE_KINDS = [StaffChangeKind.GRANT_ROLE, StaffChangeKind.REMOVE_ROLE]


class StaffChange(models.Model):
    """Append-only: a change to a staff account that someone asked for or made, and when.

    Giving a role that reaches case content, or resetting the password or authenticator app of
    an account that holds one, is what would let one person open cases to an account they
    control; so it is only proposed here and applied by a second person (StaffChangeDecision).
    Every other password reset, app removal, role removal and rename is recorded here too, as
    applied at once, so that whoever confirms a later grant sees what was done to the account
    before (the account could be stripped, reset and given its role back). The account's
    username and creation date are kept as they were: a rename cannot change what was asked.
    The same triggers as AccessEvent's refuse UPDATE and DELETE.
    """

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    kind = models.CharField(_("change"), max_length=20, choices=StaffChangeKind)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("role"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    at = models.DateTimeField(_("asked for on"), default=timezone.now, db_index=True)
    # Blank on the rows recorded before usernames were kept.
    username = models.CharField(_("username when asked"), max_length=150, blank=True)
    account_joined = models.DateTimeField(_("account created on"), null=True, blank=True)
    renamed_to = models.CharField(_("new username"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("staff account change")
        verbose_name_plural = _("staff account changes")
        ordering = ["-at"]
        permissions = [("confirm_staff_change", _("Can confirm or refuse staff account changes"))]
        constraints = [
            models.CheckConstraint(**choices_check("kind", StaffChangeKind)),
            models.CheckConstraint(
                condition=models.Q(kind__in=ROLE_KINDS, group__isnull=False)
                | (~models.Q(kind__in=ROLE_KINDS) & models.Q(group__isnull=True)),
                name="staffchange_group_only_for_roles",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind=StaffChangeKind.RENAME) & ~models.Q(renamed_to=""))
                | (~models.Q(kind=StaffChangeKind.RENAME) & models.Q(renamed_to="")),
                name="staffchange_new_username_only_for_renames",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class StaffChangeOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed and applied")
    REFUSED = "refused", _("Refused")
    APPLIED_DIRECTLY = "applied_directly", _("Applied directly by a superuser")
    RECORDED = "recorded", _("Applied at once: needs no confirmation")


class StaffChangeDecision(models.Model):
    """Append-only: who confirmed or refused a staff change, when; at most one per change."""

    change = models.OneToOneField(
        StaffChange, on_delete=models.PROTECT, related_name="decision", verbose_name=_("change")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=StaffChangeOutcome)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("staff change decision")
        verbose_name_plural = _("staff change decisions")
        constraints = [models.CheckConstraint(**choices_check("outcome", StaffChangeOutcome))]

    def __str__(self) -> str:
        return f"{self.outcome} #{self.change_id}"


class PendingPassword(models.Model):
    """The hash of a proposed password, kept only until the proposal is decided, then deleted.

    Not append-only on purpose: it is the one thing of a proposal that must not outlive it. It
    holds the same Argon2 hash that `auth_user.password` would hold, never the password.
    """

    change = models.OneToOneField(
        StaffChange, on_delete=models.CASCADE, primary_key=True, related_name="pending_password"
    )
    password_hash = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"pending password #{self.change_id}"


# The case work's models live in their package; imported here so that Django finds them.
from monitoring.appeals.models import (  # noqa: E402
    JudgeProfile,
    JudgmentRecord,
    PanelDraw,
    Seat,
    Vote,
    VoteRound,
)
from monitoring.cases.models import (  # noqa: E402
    Assignment,
    CaseLink,
    ConflictDeclaration,
    DecisionProposal,
    Note,
)

__all__ = [
    "AccessAction",
    "AccessEvent",
    "Assignment",
    "CaseLink",
    "ConflictDeclaration",
    "DecisionProposal",
    "Dimension",
    "ExportEnd",
    "ExportFormat",
    "ExportLevel",
    "ExportOutcome",
    "ExportRecord",
    "ExportSource",
    "JudgeProfile",
    "JudgmentRecord",
    "Note",
    "PanelDraw",
    "PendingPassword",
    "Seat",
    "StaffChange",
    "StaffChangeDecision",
    "StaffChangeKind",
    "StaffChangeOutcome",
    "StatisticsRefresh",
    "Tally",
    "Vote",
    "VoteRound",
]
