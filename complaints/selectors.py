"""Reads for the public pages, each with its joins done."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    Appeal,
    AppealJudgment,
    Complaint,
    Consent,
    Decision,
    Evidence,
    Message,
    PublishedOpinion,
    Status,
    StatusChange,
)
from complaints.receipts import receipt_hash
from complaints.workflow import PUBLIC_STATUS

REFERENCE_LENGTH = len("AFR-XXXX-XXXX")


def complaint_by_receipt(receipt: str) -> Complaint | None:
    """The complaint a receipt opens: one query on the unique hash index."""
    return Complaint.objects.filter(receipt_hash=receipt_hash(receipt)).only("pk").first()


def complaint_for_tracking(pk: int) -> Complaint | None:
    """The case as its tracking page shows it: a fixed number of queries, however long its
    history (each decision comes with its appeal and judgment in one query, their opinions in
    one more)."""
    complaint = (
        Complaint.objects.filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.only(
                    "uid", "complaint_id", "from_status", "to_status", "by_complainant", "at"
                ),
            ),
            Prefetch(
                "messages",
                queryset=Message.objects.only(
                    "uid", "complaint_id", "direction", "body", "sent_at"
                ),
            ),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.only(
                    "uid",
                    "complaint_id",
                    "appeal_id",
                    "kind",
                    "original_name",
                    "description",
                    "uploaded_at",
                ),
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("appeal__judgment"),
            ),
            "consent_changes",
            Prefetch(
                "decisions__appeal__judgment__opinions",
                queryset=PublishedOpinion.objects.only(
                    "uid", "complaint_id", "judgment_id", "kind", "text", "position"
                ),
            ),
        )
        .first()
    )
    if complaint is not None:
        _appeals_bound(complaint)
    return complaint


@dataclass(frozen=True)
class TrackedAppeal:
    """An appeal as the complainant reads it: what they sent, and the Appeal Body's answer."""

    appeal: Appeal
    files: list[Evidence]
    judgment: AppealJudgment | None
    opinions: list[PublishedOpinion]


def latest_decision(complaint: Complaint) -> Decision | None:
    """The decision the case stands on, among those complaint_for_tracking fetched."""
    return max(complaint.decisions.all(), key=lambda d: (d.adopted_at, d.pk), default=None)


def decision_appeal(decision: Decision | None) -> Appeal | None:
    """The appeal against a decision complaint_for_tracking fetched (no query), if any."""
    return getattr(decision, "appeal", None)  # a missing one raises a kind of AttributeError


def complaint_appeals(complaint: Complaint) -> list[TrackedAppeal]:
    """The appeals of a case complaint_for_tracking fetched, oldest first, each with the files
    sent with it, its judgment and the judgment's published opinions (unsigned)."""
    files: dict[int, list[Evidence]] = {}
    for item in complaint.evidence.all():
        if item.appeal_id is not None:
            files.setdefault(item.appeal_id, []).append(item)
    tracked = []
    for decision in complaint.decisions.all():
        appeal = decision_appeal(decision)
        if appeal is None:
            continue
        judgment = getattr(appeal, "judgment", None)
        opinions = list(judgment.opinions.all()) if judgment else []
        tracked.append(TrackedAppeal(appeal, files.get(appeal.pk, []), judgment, opinions))
    return sorted(tracked, key=lambda item: (item.appeal.lodged_at, item.appeal.pk))


def _appeals_bound(complaint: Complaint) -> None:
    """Hand each appeal, judgment and opinion the case it belongs to: their encrypted values
    are bound to the case's uid, which each would otherwise fetch with a query of its own."""
    for item in complaint_appeals(complaint):
        for row in (item.appeal, item.judgment, *item.opinions):
            if row is not None:
                row.complaint = complaint


# What the timeline says of each consent given (True) or withdrawn (False).
CONSENT_WORDS = {
    Consent.CONTACT: {
        True: _("You agreed that the Committee may contact you"),
        False: _("You asked the Committee not to contact you"),
    },
    Consent.DISCLOSE_IDENTITY: {
        True: _("You agreed that your identity may be given to the authorities concerned"),
        False: _("You asked that your identity is never given to the authorities concerned"),
    },
    Consent.ANONYMISED_USE: {
        True: _("You agreed that your complaint may be used, without names, in statistics"),
        False: _("You asked that your complaint is not used in reports and statistics"),
    },
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    body: str = ""
    from_complainant: bool = False
    rank: int = 1  # the order among entries of the same moment (status_rank)


def complaint_timeline(complaint: Complaint) -> list[TimelineEntry]:
    """What the complainant may see, oldest first: never notes or reviewers' names."""
    entries = [
        TimelineEntry(
            at=message.sent_at,
            body=message.body,
            from_complainant=message.direction == Message.Direction.FROM_COMPLAINANT,
            title=_("You wrote")
            if message.direction == Message.Direction.FROM_COMPLAINANT
            else _("Message from the Committee"),
        )
        for message in complaint.messages.all()
    ]
    entries += [
        TimelineEntry(
            at=item.uploaded_at,
            title=_("File added: %(kind)s") % {"kind": item.get_kind_display()},
            body=item.description,
            from_complainant=True,
        )
        for item in complaint.evidence.all()
    ]
    entries += [
        # Before the status it moved the case to: the complainant's act, then what it started.
        TimelineEntry(
            at=item.appeal.lodged_at,
            title=_("You sent your appeal to the Appeal Body"),
            from_complainant=True,
            rank=-1,
        )
        for item in complaint_appeals(complaint)
    ]
    entries += [
        TimelineEntry(
            at=change.at, title=PUBLIC_STATUS[change.to_status][0], rank=status_rank(change)
        )
        for change in complaint.status_changes.all()
    ]
    entries += [
        TimelineEntry(
            at=change.at, title=CONSENT_WORDS[change.consent][change.given], from_complainant=True
        )
        for change in complaint.consent_changes.all()
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.rank))


def status_rank(change: StatusChange) -> int:
    """Where a status goes among what happened at the same moment: after the question that
    asked for an answer and after the answer that moved the case back, before anything else
    (a filing is received before its files are listed)."""
    answered = Status.AWAITING_COMPLAINANT in (change.from_status, change.to_status)
    return 2 if answered else 0


def reference_typed(typed: str) -> str:
    """A reference as staff type it (any case, spaces, with or without "AFR-" and dashes),
    written the way references are stored: "k2q2 fc" -> "AFR-K2Q2-FC"."""
    chars = "".join(c for c in typed.upper() if c.isascii() and c.isalnum())
    chars = chars.removeprefix("AFR")
    return "AFR-" + (f"{chars[:4]}-{chars[4:]}" if len(chars) > 4 else chars)


def complaints_by_reference(queryset: QuerySet[Complaint], typed: str) -> QuerySet[Complaint]:
    """The complaints whose reference is, or begins with, what was typed: on the unique index
    for a whole reference, on the prefix index (varchar_pattern_ops) for a part of one."""
    reference = reference_typed(typed)
    if len(reference) > REFERENCE_LENGTH:
        return queryset.none()  # longer than any reference
    if len(reference) == REFERENCE_LENGTH:
        return queryset.filter(reference=reference)
    if reference == "AFR-":
        return queryset.none()  # nothing of a reference was typed
    return queryset.filter(reference__startswith=reference)
