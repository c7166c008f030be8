"""What the public submits: who filed, what happened, to whom, and the evidence.

Everything the complainant can see or write lives here (the complaint, its status history and
its messages), so that the public pages never need the committee's `monitoring` app.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from complaints.fields import EncryptedTextField


def choices_check(field: str, choices: type[models.TextChoices], *, blank: bool = False) -> dict:
    """Arguments for a CheckConstraint that keeps a TextChoices column to its values."""
    allowed = [*choices.values, ""] if blank else list(choices.values)
    return {"condition": models.Q(**{f"{field}__in": allowed}), "name": f"%(class)s_{field}_valid"}


class ResidenceStatus(models.TextChoices):
    REFUGEE = "refugee", _("Refugee under UNHCR mandate")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    STATELESS = "stateless", _("Stateless")
    DISPLACED = "displaced", _("Internally displaced")
    IN_RWANDA = "in_rwanda", _("Living in Rwanda")
    RELOCATED = "relocated", _("Relocated to Rwanda under the UK–Rwanda partnership")
    OTHER = "other", _("Other")


class ContactChannel(models.TextChoices):
    NONE = "none", _("Do not contact me; I will check with my receipt")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message (SMS)")
    MESSAGING = "messaging", _("Messaging app (WhatsApp, Signal…)")
    EMAIL = "email", _("Email")
    POST = "post", _("Post")
    INTERMEDIARY = "intermediary", _("Through a trusted person or organisation")


class Relationship(models.TextChoices):
    SELF = "self", _("I am the victim")
    FAMILY = "family", _("Family member of the victim")
    WITNESS = "witness", _("Witness")
    REPRESENTATIVE = "representative", _("Lawyer or representative")
    ORGANISATION = "organisation", _("Organisation")


class Authority(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed: I am filing for myself")
    WRITTEN = "written", _("The victim gave me written authority")
    ORAL = "oral", _("The victim agreed, but not in writing")
    UNABLE = "unable", _("The victim cannot agree (detained, missing, dead or a child)")
    NONE = "none", _("I do not have the victim's agreement")


class PreferredLanguage(models.TextChoices):
    KINYARWANDA = "rw", "Kinyarwanda"
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"
    SWAHILI = "sw", "Kiswahili"
    OTHER = "other", _("Another language")


class Complainant(models.Model):
    """The person or organisation who filed; may be anonymous."""

    # Random row identity, known before the first INSERT: encrypted fields are bound to it.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    full_name = EncryptedTextField(_("name"), blank=True)
    organisation_name = EncryptedTextField(_("organisation"), blank=True)
    contact_channel = models.CharField(
        _("contact channel"), max_length=20, choices=ContactChannel, default=ContactChannel.NONE
    )
    contact_details = EncryptedTextField(_("contact details"), blank=True)
    safe_contact_instructions = EncryptedTextField(_("safe-contact instructions"), blank=True)
    country_of_residence = CountryField(_("country of residence"), blank=True)
    residence_status = models.CharField(
        _("residence status"), max_length=20, choices=ResidenceStatus, blank=True
    )
    nationality = CountryField(_("nationality"), blank=True)
    unhcr_number = EncryptedTextField(_("UNHCR registration number"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=PreferredLanguage, blank=True
    )
    relationship = models.CharField(
        _("relationship to the victims"), max_length=20, choices=Relationship
    )
    authority = models.CharField(_("authority to act"), max_length=20, choices=Authority)
    authority_details = EncryptedTextField(_("about the authority to act"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("complainant")
        verbose_name_plural = _("complainants")
        constraints = [
            models.CheckConstraint(**choices_check("contact_channel", ContactChannel)),
            models.CheckConstraint(
                **choices_check("residence_status", ResidenceStatus, blank=True)
            ),
            models.CheckConstraint(**choices_check("relationship", Relationship)),
            models.CheckConstraint(**choices_check("authority", Authority)),
        ]

    def __str__(self) -> str:
        return f"Complainant #{self.pk}"


class ViolationGroup(models.TextChoices):
    LIFE = "life", _("Right to life")
    INTEGRITY = "integrity", _("Physical and mental integrity")
    LIBERTY = "liberty", _("Liberty and security")
    FAIR_TRIAL = "fair_trial", _("Fair trial")
    MOVEMENT = "movement", _("Movement and residence")
    REFUGEES = "refugees", _("Refugees and asylum")
    EXPRESSION = "expression", _("Expression")
    ASSEMBLY = "assembly", _("Assembly and association")
    POLITICAL = "political", _("Political participation")
    PROPERTY = "property", _("Property")
    FAMILY = "family", _("Family")
    DISCRIMINATION = "discrimination", _("Discrimination")
    DOCUMENTS = "documents", _("Documents and nationality")
    OTHER = "other", _("Other")


class ViolationCategory(models.Model):
    """The controlled vocabulary of what happened; loaded from seeds/ by a data migration."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    group = models.CharField(_("right concerned"), max_length=20, choices=ViolationGroup)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_rw = models.CharField(_("label (Kinyarwanda)"), max_length=120)
    label_sw = models.CharField(_("label (Swahili)"), max_length=120)
    huridocs_code = models.CharField(_("HURIDOCS type-of-act code"), max_length=20, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered on the form"), default=True)

    class Meta:
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")
        ordering = ["sort_order", "code"]
        constraints = [models.CheckConstraint(**choices_check("group", ViolationGroup))]

    def __str__(self) -> str:
        return self.code

    def label(self, language: str) -> str:
        return getattr(self, f"label_{language}", "") or self.label_en


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGE = "triage", _("Triage")
    AWAITING_COMPLAINANT = "awaiting_complainant", _("Awaiting the complainant")
    EXAMINATION = "examination", _("Examination")
    INADMISSIBLE = "inadmissible", _("Inadmissible")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Where the Committee has the next step: the queues and the deadlines are about these.
WITH_THE_COMMITTEE = [
    Status.RECEIVED,
    Status.TRIAGE,
    Status.AWAITING_COMPLAINANT,
    Status.EXAMINATION,
]


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent: someone is in immediate danger")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    UNKNOWN = "unknown", _("Unknown")


class Perpetrator(models.TextChoices):
    POLICE = "police", _("Police")
    MILITARY = "military", _("Army or military")
    INTELLIGENCE = "intelligence", _("Intelligence or security services")
    OFFICIALS = "officials", _("Local or national officials")
    PRISON = "prison", _("Prison or detention staff")
    JUDICIARY = "judiciary", _("Prosecutors or courts")
    ARMED_GROUP = "armed_group", _("Armed group")
    FOREIGN_STATE = "foreign_state", _("Authorities of another country")
    PRIVATE = "private", _("Private persons acting for the authorities")
    UNKNOWN = "unknown", _("Unknown")
    OTHER = "other", _("Other")


class RemediesTried(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class NoRemedyReason(models.TextChoices):
    FEAR = "fear", _("Fear of reprisals")
    NOT_INDEPENDENT = "not_independent", _("The courts or authorities are not independent")
    NO_ACCESS = "no_access", _("No access (in exile, detained, no lawyer)")
    COST = "cost", _("Too costly")
    NO_REMEDY = "no_remedy", _("No remedy exists for this")
    OTHER = "other", _("Another reason")


class OtherProcedure(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")
    UNKNOWN = "unknown", _("I do not know")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form")
    PAPER = "paper", _("Paper form")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class Complaint(models.Model):
    # Random row identity, known before the first INSERT: encrypted fields are bound to it.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    reference = models.CharField(_("reference"), max_length=13, unique=True, editable=False)
    # Keyed Argon2id hash of the receipt; the receipt itself is never stored.
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Random token of one filing session, so that pressing submit twice files once.
    submission_token = models.CharField(max_length=64, unique=True, editable=False)
    complainant = models.ForeignKey(
        Complainant,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("complainant"),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status, default=Status.RECEIVED, editable=False
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency, default=Urgency.NORMAL, editable=False
    )
    channel = models.CharField(
        _("received by"), max_length=20, choices=Channel, default=Channel.ONLINE
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    language = models.CharField(_("language of submission"), max_length=10)
    # The committee member in charge, set by the chair (monitoring.cases.services.case_assign).
    rapporteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # complaint_rapporteur below leads with it
        verbose_name=_("rapporteur"),
    )
    # When the Committee's next step is due (complaints/deadlines.py); None when the clock is
    # paused or the stage has no deadline. Written with the status, by complaint_transition.
    due_at = models.DateTimeField(_("next step due"), null=True, blank=True, editable=False)

    # What happened.
    categories = models.ManyToManyField(
        ViolationCategory, related_name="complaints", verbose_name=_("violations")
    )
    incident_date = models.DateField(_("when it happened"), null=True, blank=True)
    incident_date_precision = models.CharField(
        _("date precision"), max_length=10, choices=DatePrecision, default=DatePrecision.UNKNOWN
    )
    incident_country = CountryField(_("country where it happened"), blank=True, db_index=True)
    incident_place = EncryptedTextField(_("place"), blank=True)
    perpetrators = models.JSONField(_("who did it"), default=list, blank=True)
    narrative = EncryptedTextField(_("what happened, in order"))
    is_ongoing = models.BooleanField(_("still going on"), default=False)
    immediate_danger = models.BooleanField(_("someone is in immediate danger"), default=False)
    danger_details = EncryptedTextField(_("about the danger"), blank=True)

    # Admissibility: domestic remedies and other international procedures.
    remedies_tried = models.CharField(
        _("domestic remedies tried"), max_length=5, choices=RemediesTried
    )
    remedies_details = EncryptedTextField(_("remedies tried and their outcome"), blank=True)
    no_remedy_reasons = models.JSONField(_("why no remedy was tried"), default=list, blank=True)
    no_remedy_details = EncryptedTextField(_("more about why not"), blank=True)
    other_procedure = models.CharField(
        _("other international body seized"), max_length=10, choices=OtherProcedure
    )
    other_procedure_details = EncryptedTextField(_("which body, and where it stands"), blank=True)
    remedy_sought = EncryptedTextField(_("remedy sought"))
    protective_measures = EncryptedTextField(_("protective measures sought"), blank=True)

    # Consents, recorded as given at submission.
    consent_processing = models.BooleanField(_("agrees to the processing of the complaint"))
    consent_contact = models.BooleanField(_("may be contacted"), default=False)
    consent_disclose_identity = models.BooleanField(
        _("identity may be disclosed to the authorities concerned"), default=False
    )
    consent_anonymised_use = models.BooleanField(
        _("may be used anonymously in reports and statistics"), default=False
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-submitted_at"]
        permissions = [
            ("triage_complaint", _("Can triage complaints")),
            ("examine_complaint", _("Can examine complaints")),
            ("decide_complaint", _("Can decide complaints")),
            ("decide_appeal", _("Can record appeal decisions")),
            ("record_withdrawal", _("Can record a withdrawal asked for in writing")),
            ("view_evidence_file", _("Can open evidence files")),
            ("view_case_content", _("Can read what a case says (narrative, messages, files)")),
            ("reveal_identity", _("Can reveal a complainant's identity (recorded)")),
            (
                "record_on_behalf",
                _("Can record a complaint received on paper, by phone or in person"),
            ),
        ]
        indexes = [
            # The admin list's order (newest first, the id breaking ties), read from the index
            # at any depth instead of sorting the table.
            models.Index(fields=["submitted_at", "id"], name="complaint_submitted_id"),
            # A reference's beginning (LIKE 'AFR-K2%'): PostgreSQL uses a text index for that
            # only with this operator class; SQLite ignores it.
            models.Index(
                fields=["reference"],
                name="complaint_reference_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["status", "submitted_at"]),
            # The queues (monitoring/cases/selectors.py): each reads its own small index.
            models.Index(fields=["rapporteur", "submitted_at"], name="complaint_rapporteur"),
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(rapporteur__isnull=True, status__in=WITH_THE_COMMITTEE),
                name="complaint_unassigned",
            ),
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(immediate_danger=True, status__in=WITH_THE_COMMITTEE),
                name="complaint_urgent",
            ),
            models.Index(
                fields=["due_at"], condition=models.Q(due_at__isnull=False), name="complaint_due"
            ),
            models.Index(fields=["urgency", "submitted_at"]),
            models.Index(fields=["immediate_danger", "submitted_at"]),
            models.Index(fields=["channel", "submitted_at"]),
            # Possibly related complaints: same country, events close in time.
            models.Index(fields=["incident_country", "incident_date"], name="complaint_events"),
            models.Index(fields=["language", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(**choices_check("status", Status)),
            models.CheckConstraint(**choices_check("urgency", Urgency)),
            models.CheckConstraint(**choices_check("channel", Channel)),
            models.CheckConstraint(**choices_check("incident_date_precision", DatePrecision)),
            models.CheckConstraint(**choices_check("remedies_tried", RemediesTried)),
            models.CheckConstraint(**choices_check("other_procedure", OtherProcedure)),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in {Status.CLOSED, Status.WITHDRAWN}

    def incident_date_display(self) -> str:
        """The date only as precisely as the complainant knew it."""
        if self.incident_date is None or self.incident_date_precision == DatePrecision.UNKNOWN:
            return str(_("Unknown"))
        formats = {DatePrecision.DAY: "j F Y", DatePrecision.MONTH: "F Y", DatePrecision.YEAR: "Y"}
        return date_format(self.incident_date, formats[self.incident_date_precision])

    def perpetrator_labels(self) -> list[str]:
        return [str(Perpetrator(code).label) for code in self.perpetrators]

    def no_remedy_reason_labels(self) -> list[str]:
        return [str(NoRemedyReason(code).label) for code in self.no_remedy_reasons]


# A complaint's free texts: its story, as only those who work on the case read it (the staff
# case page, the exports with the facts).
CASE_TEXTS = [
    "incident_place",
    "narrative",
    "danger_details",
    "remedies_details",
    "no_remedy_details",
    "other_procedure_details",
    "remedy_sought",
    "protective_measures",
]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Prefer not to say / unknown")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult")
    OLDER = "older", _("Older person (over 60)")
    UNKNOWN = "unknown", _("Unknown")


class Situation(models.TextChoices):
    DETAINED = "detained", _("Detained")
    MISSING = "missing", _("Missing")
    DEAD = "dead", _("Dead")
    INJURED = "injured", _("Injured")
    IN_EXILE = "in_exile", _("In exile")
    SAFE = "safe", _("Safe")
    UNKNOWN = "unknown", _("Unknown")


class Victim(models.Model):
    # Random row identity, known before the first INSERT: encrypted fields are bound to it.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="victims")
    position = models.PositiveSmallIntegerField(default=1)
    is_complainant = models.BooleanField(_("is the complainant"), default=False)
    name = EncryptedTextField(_("name"), blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup, default=AgeGroup.UNKNOWN
    )
    situation = models.CharField(
        _("current situation"), max_length=10, choices=Situation, default=Situation.UNKNOWN
    )

    class Meta:
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        ordering = ["complaint", "position"]
        constraints = [
            models.CheckConstraint(**choices_check("sex", Sex)),
            models.CheckConstraint(**choices_check("age_group", AgeGroup)),
            models.CheckConstraint(**choices_check("situation", Situation)),
        ]

    def __str__(self) -> str:
        return f"Person {self.position}"


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Photo or image")
    DOCUMENT = "document", _("PDF document")
    AUDIO = "audio", _("Audio or voice note")
    VIDEO = "video", _("Video")


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: neither the original file name nor the case appears on disk.
    return f"evidence/{uuid.uuid4().hex}{instance.extension}"


class Evidence(models.Model):
    # Random row identity, known before the first INSERT: encrypted fields are bound to it.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = EncryptedTextField(_("file name as sent"), blank=True)
    description = EncryptedTextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind)
    content_type = models.CharField(_("detected type"), max_length=60)
    extension = models.CharField(max_length=10)
    # Encrypted like the file: a plain digest or exact size would let whoever holds a stolen
    # database and a seized phone's photo find the case that holds it. Staff read both here.
    size = EncryptedTextField(_("size in bytes"))
    sha256 = EncryptedTextField(_("SHA-256"))
    metadata_stripped = models.BooleanField(_("metadata removed"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # Sent with an appeal: for the Appeal Body's panel, not the Committee that decided.
    appeal = models.ForeignKey(
        "Appeal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("sent with the appeal"),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["complaint", "uploaded_at", "pk"]
        constraints = [models.CheckConstraint(**choices_check("kind", EvidenceKind))]

    def __str__(self) -> str:
        return f"Evidence #{self.pk} ({self.kind})"

    @property
    def size_bytes(self) -> int:
        return int(self.size)


class StatusChange(models.Model):
    """One row for each change of a complaint's status, written only by complaints.workflow."""

    # Random row identity, known before the first INSERT: encrypted fields are bound to it.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=30, choices=Status, blank=True)
    to_status = models.CharField(max_length=30, choices=Status)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_complainant = models.BooleanField(default=False)
    reason = EncryptedTextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["complaint", "at", "pk"]
        constraints = [
            models.CheckConstraint(**choices_check("from_status", Status, blank=True)),
            models.CheckConstraint(**choices_check("to_status", Status)),
        ]

    def __str__(self) -> str:
        source = Status(self.from_status).label if self.from_status else "—"
        return f"{source} → {Status(self.to_status).label}"


class Consent(models.TextChoices):
    """The consents a complainant may change after filing (processing is the complaint itself:
    withdrawing it is withdrawing the complaint). Each is the field `consent_<value>`."""

    CONTACT = "contact", _("may be contacted")
    DISCLOSE_IDENTITY = "disclose_identity", _("identity may be disclosed")
    ANONYMISED_USE = "anonymised_use", _("may be used anonymously in reports and statistics")


class ConsentChange(models.Model):
    """A consent given or withdrawn on the tracking page, and when; the complaint's
    `consent_*` field holds the consent as it stands, which every export, statistic and the
    public page read when they are made."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="consent_changes"
    )
    consent = models.CharField(_("consent"), max_length=20, choices=Consent)
    given = models.BooleanField(_("given"))
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(**choices_check("consent", Consent))]

    def __str__(self) -> str:
        return f"{self.consent} {'given' if self.given else 'withdrawn'} #{self.pk}"


class MessageDirection(models.TextChoices):
    FROM_COMPLAINANT = "in", _("From the complainant")
    TO_COMPLAINANT = "out", _("From the Committee")


class Message(models.Model):
    """A message between the complainant and the committee, shown on the tracking page."""

    # Random row identity, known before the first INSERT: encrypted fields are bound to it.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    Direction = MessageDirection

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=MessageDirection)
    body = EncryptedTextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # A message from the complainant is unread until a staff member opens the case page.
    read_at = models.DateTimeField(_("read"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["complaint", "sent_at", "pk"]
        constraints = [models.CheckConstraint(**choices_check("direction", MessageDirection))]

    def __str__(self) -> str:
        return f"Message #{self.pk} ({self.direction})"


class DecisionKind(models.TextChoices):
    INADMISSIBLE = "inadmissible", _("Not accepted (inadmissible)")
    MERITS = "merits", _("Decision on the facts")


class InadmissibilityGround(models.TextChoices):
    OUTSIDE_MANDATE = "outside_mandate", _("Outside what the Committee may deal with")
    INSUFFICIENT = "insufficient", _("Not enough information, even after we asked")
    DUPLICATE = "duplicate", _("The same matter is already in another complaint")
    ILL_FOUNDED = "ill_founded", _("The facts described cannot be a violation")
    OTHER = "other", _("Another reason")


class Outcome(models.TextChoices):
    FOUND = "found", _("Violation found")
    PARTLY_FOUND = "partly_found", _("Violation partly found")
    NOT_FOUND = "not_found", _("No violation found")


class Decision(models.Model):
    """A decision the chair adopted: what the complainant reads on the tracking page.

    Written by monitoring when the chair adopts a rapporteur's proposal; the proposal, its
    checklist and the chair's comments stay in monitoring and never reach a public page.
    """

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind)
    ground = models.CharField(
        _("why it was not accepted"), max_length=20, choices=InadmissibilityGround, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    reasons = EncryptedTextField(_("reasons"))
    recommendations = EncryptedTextField(_("recommendations"), blank=True)
    adopted_at = models.DateTimeField(_("adopted"))
    appeal_until = models.DateTimeField(_("may be appealed until"), db_index=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["complaint", "adopted_at", "pk"]
        constraints = [
            models.CheckConstraint(**choices_check("kind", DecisionKind)),
            models.CheckConstraint(**choices_check("ground", InadmissibilityGround, blank=True)),
            models.CheckConstraint(**choices_check("outcome", Outcome, blank=True)),
            # An inadmissibility has a ground and no outcome; a decision on the facts the reverse.
            models.CheckConstraint(
                condition=models.Q(kind=DecisionKind.INADMISSIBLE, outcome="")
                & ~models.Q(ground="")
                | models.Q(kind=DecisionKind.MERITS, ground="") & ~models.Q(outcome=""),
                name="decision_ground_or_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision #{self.pk} ({self.kind})"


class AppealResult(models.TextChoices):
    UPHELD = "upheld", _("The Committee's decision is upheld")
    OVERTURNED = "overturned", _("The Committee's decision is overturned")
    REMITTED = "remitted", _("Sent back to the Committee to examine again")


class Appeal(models.Model):
    """The complainant's appeal against a decision: lodged from the tracking page, or by staff
    on their behalf (`recorded_by`). One per decision. The Appeal Body's panel, votes and
    deliberation live in monitoring; the grounds are the panel's alone, never the Committee's.
    """

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="appeals")
    decision = models.OneToOneField(
        Decision, on_delete=models.CASCADE, related_name="appeal", verbose_name=_("decision")
    )
    grounds = EncryptedTextField(_("grounds of appeal"))
    lodged_at = models.DateTimeField(_("lodged"), default=timezone.now)
    # Staff who lodged it on the complainant's request; None: the complainant, online.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lodged on the complainant's behalf by"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["complaint", "lodged_at", "pk"]
        permissions = [
            ("lodge_appeal_on_behalf", _("Can lodge an appeal on the complainant's behalf")),
        ]
        indexes = [models.Index(fields=["lodged_at"], name="appeal_lodged")]

    def __str__(self) -> str:
        return f"Appeal #{self.pk}"


class AppealJudgment(models.Model):
    """The Appeal Body's reasoned decision, as the complainant reads it; written by the presiding
    judge once the panel's votes are in (monitoring.appeals.services.judgment_record)."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # The case as well as the appeal: encrypted values are bound to their case (fields.py).
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    appeal = models.OneToOneField(
        Appeal, on_delete=models.CASCADE, related_name="judgment", verbose_name=_("appeal")
    )
    result = models.CharField(_("decision"), max_length=20, choices=AppealResult)
    # Overturned: the Appeal Body's own finding on the facts, in place of the Committee's.
    finding = models.CharField(
        _("the Appeal Body's finding"), max_length=20, choices=Outcome, blank=True
    )
    reasons = EncryptedTextField(_("reasons"))
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        verbose_name = _("appeal decision")
        verbose_name_plural = _("appeal decisions")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(**choices_check("result", AppealResult)),
            models.CheckConstraint(**choices_check("finding", Outcome, blank=True)),
            # Only an overturning states a finding of its own, and it must.
            models.CheckConstraint(
                condition=models.Q(result=AppealResult.OVERTURNED) & ~models.Q(finding="")
                | ~models.Q(result=AppealResult.OVERTURNED) & models.Q(finding=""),
                name="appeal_judgment_finding_if_overturned",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal decision #{self.pk} ({self.result})"


class OpinionKind(models.TextChoices):
    SEPARATE = "separate", _("Separate opinion")
    DISSENTING = "dissenting", _("Dissenting opinion")


class PublishedOpinion(models.Model):
    """A judge's separate or dissenting opinion as published with the judgment, unsigned: the
    complainant never reads a judge's name."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    judgment = models.ForeignKey(AppealJudgment, on_delete=models.CASCADE, related_name="opinions")
    kind = models.CharField(_("kind"), max_length=20, choices=OpinionKind)
    text = EncryptedTextField(_("opinion"))
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("published opinion")
        verbose_name_plural = _("published opinions")
        ordering = ["judgment", "position", "pk"]
        constraints = [models.CheckConstraint(**choices_check("kind", OpinionKind))]

    def __str__(self) -> str:
        return f"Opinion #{self.pk} ({self.kind})"


class DeletedCase(models.Model):
    """All that is left of a complaint deleted at the end of its retention period."""

    reference = models.CharField(_("reference"), max_length=13, unique=True)
    submitted_year = models.PositiveSmallIntegerField(_("year submitted"))
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)

    class Meta:
        verbose_name = _("deleted case")
        verbose_name_plural = _("deleted cases")
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return self.reference


class CaseHistory(models.Model):
    """One row per INSERT, UPDATE or DELETE of a case's rows, written by database triggers.

    Triggers (complaints/history.py) catch every write, bulk updates and raw SQL included.
    Encrypted fields appear here as their ciphertext.
    """

    table = models.CharField(max_length=60)
    row_id = models.BigIntegerField()
    operation = models.CharField(max_length=6)
    at = models.DateTimeField()
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)

    class Meta:
        verbose_name = _("case history record")
        verbose_name_plural = _("case history")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["table", "row_id"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.table} #{self.row_id}"
