"""Writes: filing a complaint, and what the complainant does afterwards on the tracking page."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from complaints.crypto import encrypt_bytes
from complaints.deadlines import DeadlineRules, Step, deadline
from complaints.errors import ComplaintError, EvidenceRefused
from complaints.evidence import MB, CleanFile, evidence_file_context
from complaints.models import (
    Appeal,
    Channel,
    Complainant,
    Complaint,
    Consent,
    ConsentChange,
    Decision,
    Evidence,
    Message,
    Status,
    StatusChange,
    Urgency,
    Victim,
)
from complaints.receipts import receipt_hash, receipt_new, reference_new
from complaints.workflow import APPEALABLE, awaiting_returns_to, complaint_transition

COMPLAINANT_FIELDS = [
    "full_name",
    "organisation_name",
    "contact_channel",
    "contact_details",
    "safe_contact_instructions",
    "country_of_residence",
    "residence_status",
    "nationality",
    "unhcr_number",
    "preferred_language",
    "relationship",
    "authority",
    "authority_details",
]
INCIDENT_FIELDS = [
    "incident_date",
    "incident_date_precision",
    "incident_country",
    "incident_place",
    "perpetrators",
    "narrative",
    "is_ongoing",
    "immediate_danger",
    "danger_details",
]
REMEDY_FIELDS = [
    "remedies_tried",
    "remedies_details",
    "no_remedy_reasons",
    "no_remedy_details",
    "other_procedure",
    "other_procedure_details",
    "remedy_sought",
    "protective_measures",
]
CONSENT_FIELDS = [
    "consent_processing",
    "consent_contact",
    "consent_disclose_identity",
    "consent_anonymised_use",
]


@dataclass(frozen=True)
class Submission:
    complaint: Complaint
    receipt: str | None  # None when this token had already filed: the receipt went out then
    created: bool


def evidence_store(*, clean: CleanFile, description: str) -> dict:
    """Encrypt cleaned bytes into private storage under a random name; describe what was stored.

    The description is what the filing draft remembers of an upload until the complaint is
    sent; its key becomes the Evidence row's uid, to which the file's encryption is bound.
    """
    uid = uuid.uuid4()
    sealed = encrypt_bytes(clean.content, context=evidence_file_context(uid))
    path = default_storage.save(f"evidence/{uuid.uuid4().hex}", ContentFile(sealed))
    return {
        "key": uid.hex,
        "path": path,
        "name": clean.original_name,
        "description": description,
        "kind": clean.file_type.kind,
        "content_type": clean.file_type.content_type,
        "extension": clean.file_type.extension,
        "size": clean.size,
        "sha256": clean.sha256,
        "stripped": clean.metadata_stripped,
    }


def evidence_check_room(*, count: int, total: int, adding: int) -> None:
    if count >= settings.EVIDENCE_MAX_FILES:
        raise EvidenceRefused(
            _("You have already sent the most files allowed (%(n)d).")
            % {"n": settings.EVIDENCE_MAX_FILES}
        )
    if total + adding > settings.EVIDENCE_MAX_TOTAL_MB * MB:
        raise EvidenceRefused(
            _("All files together may not be larger than %(mb)d MB.")
            % {"mb": settings.EVIDENCE_MAX_TOTAL_MB}
        )


def _evidence_row(*, complaint: Complaint, item: dict, now: datetime) -> Evidence:
    return Evidence(
        uid=uuid.UUID(item["key"]),
        complaint=complaint,
        file=item["path"],
        original_name=item["name"],
        description=item["description"],
        kind=item["kind"],
        content_type=item["content_type"],
        extension=item["extension"],
        size=str(item["size"]),
        sha256=item["sha256"],
        metadata_stripped=item["stripped"],
        uploaded_at=now,
    )


def _complaint_create(
    *,
    steps: dict,
    language: str,
    token: str,
    receipt: str,
    now: datetime,
    channel: Channel,
    recorded_by: AbstractBaseUser | None,
) -> Complaint:
    about, what = steps["about"], steps["what"]
    identity = {name: about[name] for name in COMPLAINANT_FIELDS}
    if about["anonymous"]:
        identity["full_name"] = ""
    complainant = Complainant.objects.create(
        is_anonymous=about["anonymous"], created_at=now, **identity
    )
    complaint = Complaint.objects.create(
        reference=reference_new(),
        receipt_hash=receipt_hash(receipt),
        submission_token=token,
        complainant=complainant,
        submitted_at=now,
        language=language,
        channel=channel,
        urgency=Urgency.URGENT if what["immediate_danger"] else Urgency.NORMAL,
        due_at=deadline(
            [Step(status=Status.RECEIVED, at=now)],
            danger=what["immediate_danger"],
            rules=DeadlineRules.from_settings(),
        ).due_at,
        **{name: what[name] for name in INCIDENT_FIELDS},
        **{name: steps["remedies"][name] for name in REMEDY_FIELDS},
        **{name: steps["consents"][name] for name in CONSENT_FIELDS},
    )
    complaint.categories.set(what["categories"])
    # Someone who files for themself anonymously is person 1: a name there would undo that.
    self_and_anonymous = about["anonymous"] and about["filing_for"] == "self"
    Victim.objects.bulk_create(
        [
            Victim(
                complaint=complaint,
                position=position,
                name="" if position == 1 and self_and_anonymous else person["name"],
                sex=person["sex"],
                age_group=person["age_group"],
                situation=person["situation"],
                is_complainant=position == 1 and about["filing_for"] == "self",
            )
            for position, person in enumerate(steps["victims"], start=1)
        ]
    )
    # Recorded on someone's behalf, the first row names who typed it in.
    StatusChange.objects.create(
        complaint=complaint,
        from_status="",
        to_status=Status.RECEIVED,
        by=recorded_by,
        by_complainant=recorded_by is None,
        at=now,
    )
    return complaint


def complaint_submit(
    *,
    steps: dict,
    evidence: list[dict],
    language: str,
    token: str,
    now: datetime,
    receipt_keep: Callable[[str], None] | None = None,
    channel: Channel = Channel.ONLINE,
    recorded_by: AbstractBaseUser | None = None,
) -> Submission:
    """File a complaint from the cleaned steps of a draft, once per submission token.

    An intake officer who records a complaint received on paper, by phone or in person passes
    the channel and themself as `recorded_by` (monitoring/intake.py); the complaint is the same.

    Pressing submit twice sends the same token twice: the second call finds the first
    complaint (waiting on the unique index if both race) and files nothing new.

    `receipt_keep` is handed the receipt before the complaint is committed, so that a second
    press, or a retry after a commit whose answer was lost, can still show it. Until the commit
    the receipt opens nothing; if the commit fails, it never will.
    """
    existing = Complaint.objects.filter(submission_token=token).first()
    if existing:
        return Submission(complaint=existing, receipt=None, created=False)
    receipt = receipt_new()
    if receipt_keep:
        receipt_keep(receipt)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint = _complaint_create(
                    steps=steps,
                    language=language,
                    token=token,
                    receipt=receipt,
                    now=now,
                    channel=channel,
                    recorded_by=recorded_by,
                )
                Evidence.objects.bulk_create(
                    [_evidence_row(complaint=complaint, item=item, now=now) for item in evidence]
                )
        except IntegrityError:
            existing = Complaint.objects.filter(submission_token=token).first()
            if existing:
                return Submission(complaint=existing, receipt=None, created=False)
            continue  # a reference or receipt collision, astronomically rare: draw again
        # No log line: one per filing, with its time, could be matched against network logs.
        return Submission(complaint=complaint, receipt=receipt, created=True)
    raise ComplaintError(_("Your complaint could not be saved. Please try again."))


def _answered(complaint: Complaint, *, now: datetime) -> None:
    """A message or file from the complainant answers the Committee's question: a case that
    was awaiting them goes back to where it was, and its deadline's clock restarts."""
    if complaint.status == Status.AWAITING_COMPLAINANT:
        complaint_transition(
            complaint=complaint, to=awaiting_returns_to(complaint), by_complainant=True, now=now
        )


def message_from_complainant(*, complaint: Complaint, body: str, now: datetime) -> Message:
    with transaction.atomic():
        # Locked, so that the answer and a move by staff at the same moment do not cross.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        message = Message.objects.create(
            complaint=locked, direction=Message.Direction.FROM_COMPLAINANT, body=body, sent_at=now
        )
        _answered(locked, now=now)
    complaint.status = locked.status
    return message


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """The paths of files stored inside the block: deleted if the block fails, so that no file
    stays behind without its record (wrap the transaction that writes the records)."""
    paths: list[str] = []
    try:
        yield paths
    except BaseException:
        for path in paths:
            default_storage.delete(path)
        raise


def _evidence_attach(
    locked: Complaint,
    *,
    clean: CleanFile,
    description: str,
    now: datetime,
    paths: list[str],
    appeal: Appeal | None = None,
) -> Evidence:
    """Store a file on a complaint its caller locked, within the complaint's limits."""
    # Sizes are encrypted, so they are summed here: at most EVIDENCE_MAX_FILES rows.
    sizes = [item.size_bytes for item in locked.evidence.only("uid", "complaint", "size")]
    evidence_check_room(count=len(sizes), total=sum(sizes), adding=clean.size)
    item = evidence_store(clean=clean, description=description)
    paths.append(item["path"])
    evidence = _evidence_row(complaint=locked, item=item, now=now)
    evidence.appeal = appeal
    evidence.save()
    return evidence


def evidence_add(
    *,
    complaint: Complaint,
    clean: CleanFile,
    description: str,
    now: datetime,
    from_complainant: bool = True,
) -> Evidence:
    """Attach a file sent from the tracking page, within the complaint's limits.

    A file from the complainant answers a question the Committee asked; one an intake officer
    adds for them (`from_complainant=False`) answers nothing.
    """
    with _stored_files() as paths, transaction.atomic():
        # Lock the complaint so that two uploads at once cannot both slip under the limits,
        # and an upload cannot land on a case withdrawn at the same moment.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if not locked.is_open:
            raise ComplaintError(_("This complaint is closed: it takes no more files."))
        evidence = _evidence_attach(
            locked, clean=clean, description=description, now=now, paths=paths
        )
        if from_complainant:
            _answered(locked, now=now)
    return evidence


def consents_change(
    *, complaint: Complaint, given: dict[Consent, bool], now: datetime
) -> list[ConsentChange]:
    """Give or withdraw consents from the tracking page: each one that changes is recorded.

    The row is locked so that two pages sent at once record each change once, against the
    consent as it then stood. Allowed at any stage: a closed case still counts in statistics.
    """
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        changes = [
            ConsentChange(complaint=locked, consent=consent, given=value, at=now)
            for consent, value in given.items()
            if getattr(locked, f"consent_{consent}") != value
        ]
        if not changes:
            return []
        for change in changes:
            setattr(locked, f"consent_{change.consent}", change.given)
        locked.save(update_fields=[f"consent_{change.consent}" for change in changes])
        ConsentChange.objects.bulk_create(changes)
    for change in changes:
        setattr(complaint, f"consent_{change.consent}", change.given)
    return changes


class AppealRefused(ComplaintError):
    default_message = _("This decision cannot be appealed now.")


def appeal_lodge(
    *,
    complaint: Complaint,
    grounds: str,
    now: datetime,
    evidence: CleanFile | None = None,
    evidence_description: str = "",
    recorded_by: AbstractBaseUser | None = None,
) -> Appeal:
    """Appeal the case's latest decision while its window is open, with an optional file.

    The complainant lodges it on the tracking page; staff holding `lodge_appeal_on_behalf` lodge
    it for them (`recorded_by`), on their request by letter, phone or in person. The grounds go to
    the Appeal Body only: the status history says no more than that an appeal was lodged.
    """
    if recorded_by is not None and not recorded_by.has_perm("complaints.lodge_appeal_on_behalf"):
        raise AppealRefused(_("You do not have permission to do this."))
    if not grounds.strip():
        raise AppealRefused(_("Please say why you disagree with the decision."))
    with _stored_files() as paths, transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        decision = locked.decisions.order_by("-adopted_at", "-pk").first()
        _appealable(locked, decision, now=now)
        appeal = Appeal.objects.create(
            complaint=locked,
            decision=decision,
            grounds=grounds.strip(),
            lodged_at=now,
            recorded_by=recorded_by,
        )
        if evidence is not None:
            _evidence_attach(
                locked,
                clean=evidence,
                description=evidence_description,
                now=now,
                paths=paths,
                appeal=appeal,
            )
        complaint_transition(
            complaint=locked,
            to=Status.APPEALED,
            by=recorded_by,
            by_complainant=True,  # the complainant's act, even when staff type it for them
            reason=str(_("Appeal lodged.")),
            now=now,
        )
    complaint.status = locked.status
    return appeal


def appeal_refusal(*, complaint: Complaint, decision: Decision | None, now: datetime) -> str | None:
    """Why `appeal_lodge` would refuse an appeal against `decision`, the case's latest, now;
    None while it would take one. For the pages that offer an appeal: the service itself checks
    again under its lock."""
    try:
        _appealable(complaint, decision, now=now)
    except AppealRefused as refused:
        return str(refused.message)
    return None


def _appealable(complaint: Complaint, decision: Decision | None, *, now: datetime) -> None:
    if decision is None:
        raise AppealRefused(_("This complaint has no decision that can be appealed now."))
    # A window that passed without an appeal is named with its date whatever the status now:
    # once it passes, the scheduled job closes the case.
    if decision.appeal_until < now and not hasattr(decision, "appeal"):
        raise AppealRefused(
            _("The time to appeal ended on %(date)s.")
            % {"date": date_format(timezone.localtime(decision.appeal_until), "DATE_FORMAT")}
        )
    if complaint.status not in APPEALABLE or decision.appeal_until < now:
        raise AppealRefused(_("This complaint has no decision that can be appealed now."))


def complaint_withdraw(*, complaint: Complaint, reason: str, now: datetime) -> StatusChange:
    return complaint_transition(
        complaint=complaint, to=Status.WITHDRAWN, by_complainant=True, reason=reason, now=now
    )
