"""The Committee's reads: its queues, their counts, and a case's timeline as staff see it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    WITH_THE_COMMITTEE,
    Complaint,
    Consent,
    ConsentChange,
    Evidence,
    Message,
    Status,
    StatusChange,
)
from complaints.selectors import status_rank
from monitoring.cases.access import cases_visible_to, conflicts_of
from monitoring.cases.models import (
    Assignment,
    CaseLink,
    DecisionProposal,
    Note,
    ProposalState,
)

# A queue's count stops here ("1,000+"): counting a long queue to the last row costs a scan of
# its index on every page of the admin, and nobody acts on the difference.
COUNT_UP_TO = 1000


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    condition: object  # a Q, or a callable(user, now) -> Q
    who: str = ""  # the permission that makes the queue worth showing


def _mine(user: AbstractBaseUser, now: datetime) -> Q:
    return Q(rapporteur=user, status__in=WITH_THE_COMMITTEE)


def _unassigned(user: AbstractBaseUser, now: datetime) -> Q:
    # The same condition as the complaint_unassigned index, so that it is used.
    return Q(rapporteur__isnull=True, status__in=WITH_THE_COMMITTEE)


def _urgent(user: AbstractBaseUser, now: datetime) -> Q:
    return Q(immediate_danger=True, status__in=WITH_THE_COMMITTEE)


def _overdue(user: AbstractBaseUser, now: datetime) -> Q:
    return Q(due_at__lt=now)


def _awaiting(user: AbstractBaseUser, now: datetime) -> Q:
    return Q(status=Status.AWAITING_COMPLAINANT)


def _proposed(user: AbstractBaseUser, now: datetime) -> Q:
    # The waiting proposals are few (one per case at most, on their own partial index).
    waiting = DecisionProposal.objects.filter(state=ProposalState.PROPOSED).values("complaint_id")
    return Q(pk__in=waiting)


QUEUES = [
    Queue("mine", _("Assigned to me"), _mine, "complaints.examine_complaint"),
    Queue("unassigned", _("Not yet assigned"), _unassigned, "complaints.view_case_content"),
    Queue("urgent", _("Urgent: someone in immediate danger"), _urgent),
    Queue("overdue", _("Overdue"), _overdue),
    Queue("awaiting", _("Awaiting the complainant"), _awaiting),
    Queue("proposed", _("Decision proposed"), _proposed, "complaints.decide_complaint"),
]
QUEUE_BY_SLUG = {queue.slug: queue for queue in QUEUES}


def queue_cases(
    user: AbstractBaseUser, slug: str, *, now: datetime, conflicted: list[int] | None = None
) -> QuerySet[Complaint]:
    cases = Complaint.objects.filter(QUEUE_BY_SLUG[slug].condition(user, now))
    return cases_visible_to(user, cases, conflicted=conflicted)


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int

    @property
    def more(self) -> bool:
        return self.count > COUNT_UP_TO


def queue_counts(user: AbstractBaseUser, *, now: datetime) -> list[QueueCount]:
    """Each queue the user works from, with its count (capped): one short query per queue."""
    counts = []
    conflicted = conflicts_of(user)
    for queue in QUEUES:
        if queue.who and not user.has_perm(queue.who):
            continue
        cases = queue_cases(user, queue.slug, now=now, conflicted=conflicted)
        cases = cases.values("pk")[: COUNT_UP_TO + 1]
        counts.append(QueueCount(queue=queue, count=cases.count()))
    return counts


@dataclass(frozen=True)
class StaffTimelineEntry:
    at: datetime
    kind: str  # status, note, message_in, message_out, evidence, assignment
    title: str
    body: str = ""
    by: str = ""
    unread: bool = False
    rank: int = 1  # the order among entries of the same moment (status_rank)


def _name(user: AbstractBaseUser | None) -> str:
    return user.get_username() if user is not None else ""


# The moves the Appeal Body's decision makes (into and out of "appeal decided"): the Committee
# reads that the Appeal Body made them, not which judge; its panel is the Appeal Body's to tell.
def _mover(change: StatusChange) -> str:
    if change.by_complainant:
        return _("the complainant")
    if Status.APPEAL_DECIDED in (change.to_status, change.from_status):
        return _("the Appeal Body")
    return _name(change.by)


def _of(rows: QuerySet, complaint: Complaint) -> list:
    """The rows, each holding the case it belongs to: their encrypted values are bound to the
    case's uid, which each row would otherwise fetch with a query of its own."""
    rows = list(rows)
    for row in rows:
        row.complaint = complaint
    return rows


def case_timeline(complaint: Complaint) -> list[StaffTimelineEntry]:
    """Everything that happened on a case, oldest first, for those working on it."""
    entries = [
        StaffTimelineEntry(
            at=note.at, kind="note", title=_("Internal note"), body=note.body, by=_name(note.author)
        )
        for note in _of(
            Note.objects.filter(complaint=complaint).select_related("author"), complaint
        )
    ]
    messages = Message.objects.filter(complaint=complaint).select_related("author")
    for message in _of(messages, complaint):
        incoming = message.direction == Message.Direction.FROM_COMPLAINANT
        entries.append(
            StaffTimelineEntry(
                at=message.sent_at,
                kind="message_in" if incoming else "message_out",
                title=_("Message from the complainant") if incoming else _("Message sent"),
                body=message.body,
                by=_("the complainant") if incoming else _name(message.author),
                unread=incoming and message.read_at is None,
            )
        )
    entries += [
        StaffTimelineEntry(
            at=item.uploaded_at,
            kind="evidence",
            title=_("File added: %(kind)s") % {"kind": item.get_kind_display()},
            body=item.description,
        )
        for item in _of(
            # Files sent with an appeal are the Appeal Body's (monitoring/appeals/access.py).
            Evidence.objects.filter(complaint=complaint, appeal__isnull=True).only(
                "uid", "complaint", "kind", "description", "uploaded_at"
            ),
            complaint,
        )
    ]
    entries += [
        StaffTimelineEntry(
            at=assignment.at,
            kind="assignment",
            title=_("Given to %(name)s") % {"name": _name(assignment.rapporteur)}
            if assignment.rapporteur
            else _("Back in the queue"),
            by=_name(assignment.by),
        )
        for assignment in Assignment.objects.filter(complaint=complaint).select_related(
            "rapporteur", "by"
        )
    ]
    # A question is sent as a message with the move it makes: said once, in the message.
    said = {(entry.at, entry.body) for entry in entries if entry.kind == "message_out"}
    entries += [
        StaffTimelineEntry(
            at=change.at,
            kind="status",
            title=_("Status: %(status)s") % {"status": Status(change.to_status).label},
            body="" if (change.at, change.reason) in said else change.reason,
            by=_mover(change),
            rank=status_rank(change),
        )
        for change in _of(
            StatusChange.objects.filter(complaint=complaint).select_related("by"), complaint
        )
    ]
    entries += [
        StaffTimelineEntry(
            at=change.at,
            kind="consent",
            title=CONSENT_CHANGED[change.given] % {"consent": Consent(change.consent).label},
            by=_("the complainant"),
        )
        for change in ConsentChange.objects.filter(complaint=complaint)
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.rank))


# A consent the complainant gave (True) or withdrew (False) on the tracking page.
CONSENT_CHANGED = {
    True: _("Consent given: %(consent)s"),
    False: _("Consent withdrawn: %(consent)s"),
}


def proposal_waiting(complaint: Complaint) -> DecisionProposal | None:
    return (
        DecisionProposal.objects.filter(complaint=complaint, state=ProposalState.PROPOSED)
        .select_related("proposed_by", "duplicate_of")
        .first()
    )


def proposal_last_sent_back(complaint: Complaint) -> DecisionProposal | None:
    return (
        DecisionProposal.objects.filter(complaint=complaint, state=ProposalState.SENT_BACK)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


def linked_cases(complaint: Complaint, user: AbstractBaseUser) -> list[Complaint]:
    """The complaints linked to this one, from either side of each link, that the user may
    see (a link made by the chair, or before a conflict was declared, names no hidden case)."""
    visible = cases_visible_to(user, Complaint.objects.filter(pk__in=linked_ids(complaint)))
    return list(visible.only("pk", "reference", "status", "uid"))


def linked_ids(complaint: Complaint) -> set[int]:
    links = CaseLink.objects.filter(Q(complaint=complaint) | Q(other=complaint))
    return {
        link.complaint_id if link.other_id == complaint.pk else link.other_id
        for link in links.only("complaint_id", "other_id")
    }


RELATED_DAYS = 30
RELATED_SHOWN = 5


def related_suggestions(user: AbstractBaseUser, complaint: Complaint) -> list[Complaint]:
    """Complaints that may be about the same events, from structured fields only (never by
    reading texts): the same country of events, dates within RELATED_DAYS of each other, a
    violation in common; among those the user may see, not yet linked, newest first."""
    if not complaint.incident_country or complaint.incident_date is None:
        return []
    window = timedelta(days=RELATED_DAYS)
    shared = Complaint.categories.through.objects.filter(
        complaint_id=OuterRef("pk"),
        violationcategory_id__in=complaint.categories.values("pk"),
    )
    already = linked_ids(complaint) | {complaint.pk}
    candidates = (
        Complaint.objects.filter(
            incident_country=complaint.incident_country,
            incident_date__range=(
                complaint.incident_date - window,
                complaint.incident_date + window,
            ),
        )
        .filter(Exists(shared))
        .exclude(pk__in=already)
        .only("pk", "reference", "status", "uid", "incident_date")
        .order_by("-submitted_at")
    )
    return list(cases_visible_to(user, candidates)[:RELATED_SHOWN])
