"""What the Appeal Body records about its work: the roster, each panel's draw and seats, the
declarations, the votes and opinions. The appeal itself, its grounds and the judgment the
complainant reads are complaints.Appeal and complaints.AppealJudgment.

Nothing here is shown to the Committee that decided at first instance, nor to the complainant
(they read the judgment and the opinions published with it, not the votes).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from complaints.fields import EncryptedTextField
from complaints.models import Appeal, AppealJudgment, Complaint, choices_check


class JudgeProfile(models.Model):
    """A judge of the Appeal Body's roster, as the panel draw sees them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="judge_profile",
        verbose_name=_("judge"),
    )
    nationalities = CountryField(_("nationalities"), multiple=True)
    # Language codes (settings.LANGUAGES); a panel needs a member who reads the complaint's.
    languages = models.JSONField(_("languages read"), default=list)
    active = models.BooleanField(_("sits on new panels"), default=True)
    # The co-presidents oversee the registry's allocations (every appeal's draws and seats,
    # never a deliberation): at most two, one of the respondent state's nationality, one not.
    co_president = models.BooleanField(_("co-president of the Appeal Body"), default=False)

    class Meta:
        verbose_name = _("appeal judge")
        verbose_name_plural = _("appeal judges")
        ordering = ["user__username"]
        permissions = [
            ("form_panel", _("Can form the panel of an appeal")),
            # Not the registry's: the co-presidents oversee the registry.
            ("designate_co_president", _("Can designate the co-presidents of the Appeal Body")),
        ]

    def __str__(self) -> str:
        return f"Judge #{self.pk}"


class PanelDraw(models.Model):
    """A proposal of the registry: the seed, the roster and the case as the draw saw them, and
    what it gave. Re-running monitoring.appeals.panels.panel_draw on them gives it again."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="draws")
    # Drawn with `secrets` for each proposal, so that nobody can choose a seed for a panel.
    seed = models.BigIntegerField(_("seed"))
    roster = models.JSONField(_("roster as drawn"))
    case = models.JSONField(_("the case as drawn"))
    rules = models.JSONField(_("rules in force"))
    kept = models.JSONField(_("judges already seated"), default=list)
    panel = models.JSONField(_("panel proposed"), null=True, blank=True)
    presiding = models.IntegerField(_("presiding judge proposed"), null=True, blank=True)
    failing_rule = models.CharField(_("rule that no panel met"), max_length=30, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("panel draw")
        verbose_name_plural = _("panel draws")
        ordering = ["appeal", "at", "pk"]

    def __str__(self) -> str:
        return f"Draw #{self.pk}"


class DeclarationState(models.TextChoices):
    PENDING = "pending", _("Not declared yet")
    NO_CONFLICT = "no_conflict", _("Declared no conflict of interest")
    RECUSED = "recused", _("Recused")
    # The registry freed the seat of a judge who did not declare in time or left the roster.
    VACATED = "vacated", _("Seat freed by the registry")


# Seats whose judge no longer sits: they stay as the record, and the seat is filled anew.
LEFT = (DeclarationState.RECUSED, DeclarationState.VACATED)


class Seat(models.Model):
    """A judge seated on the panel of an appeal. A recusal vacates the seat (the row stays, as
    the record of it) and the registrar seats someone else."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="seats")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeal_seats",
        verbose_name=_("judge"),
    )
    presiding = models.BooleanField(_("presides"), default=False)
    draw = models.ForeignKey(
        PanelDraw, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("seated by"),
    )
    seated_at = models.DateTimeField(_("seated"))
    declaration = models.CharField(
        _("declaration"),
        max_length=20,
        choices=DeclarationState,
        default=DeclarationState.PENDING,
    )
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    recusal_reason = EncryptedTextField(_("why they recused"), blank=True)
    # The judge's nationalities when seated: the majority rule counts these, so a later edit of
    # the roster cannot change what a panel's votes decide.
    nationalities = models.JSONField(_("nationalities when seated"), default=list)

    class Meta:
        verbose_name = _("panel seat")
        verbose_name_plural = _("panel seats")
        ordering = ["appeal", "seated_at", "pk"]
        constraints = [
            models.CheckConstraint(**choices_check("declaration", DeclarationState)),
            # Once on an appeal, ever: a judge who recused is not seated on it again.
            models.UniqueConstraint(fields=["appeal", "judge"], name="seat_once_per_appeal"),
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(presiding=True),
                name="one_presiding_judge_per_appeal",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    presiding=True,
                    declaration__in=[DeclarationState.RECUSED, DeclarationState.VACATED],
                ),
                name="a_recused_judge_does_not_preside",
            ),
        ]
        indexes = [models.Index(fields=["judge", "declaration"], name="seat_judge")]

    def __str__(self) -> str:
        return f"Seat #{self.pk} ({self.declaration})"

    @property
    def is_open(self) -> bool:
        return self.declaration not in LEFT


class VoteChoice(models.TextChoices):
    UPHOLD = "uphold", _("Uphold the Committee's decision")
    OVERTURN = "overturn", _("Overturn it (the Appeal Body finds otherwise)")
    REMIT = "remit", _("Send it back to the Committee to examine again")


class Vote(models.Model):
    """A judge's vote in a round of the panel's deliberation, once, with an optional separate
    or dissenting opinion. A new round opens only when a round gave no valid majority."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="votes")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    choice = models.CharField(_("vote"), max_length=20, choices=VoteChoice)
    opinion = EncryptedTextField(_("separate or dissenting opinion"), blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["seat", "round", "pk"]
        constraints = [
            models.CheckConstraint(**choices_check("choice", VoteChoice)),
            models.UniqueConstraint(fields=["seat", "round"], name="vote_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"Vote #{self.pk}"


class VoteRound(models.Model):
    """The presiding judge opened a new round of votes: the last one gave no valid majority."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="vote_rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("new round of votes")
        verbose_name_plural = _("new rounds of votes")
        ordering = ["appeal", "number"]
        constraints = [models.UniqueConstraint(fields=["appeal", "number"], name="vote_round_once")]

    def __str__(self) -> str:
        return f"Round {self.number} #{self.pk}"


class JudgmentRecord(models.Model):
    """Who recorded a judgment, and whether the panel withheld its opinions from the
    complainant (and why)."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    judgment = models.OneToOneField(AppealJudgment, on_delete=models.CASCADE, related_name="record")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    opinions_withheld = models.BooleanField(_("opinions withheld from the complainant"))
    withheld_reason = EncryptedTextField(_("why they are withheld"), blank=True)

    class Meta:
        verbose_name = _("judgment record")
        verbose_name_plural = _("judgment records")

    def __str__(self) -> str:
        return f"Judgment record #{self.pk}"
