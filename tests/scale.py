"""Many complaints quickly, through the model layer: every encrypted field encrypted under its
row, the history triggers firing. For the scale measurements (bench/admin_scale.py,
bench/case_queues.py) and the PostgreSQL plan checks (tests/complaints/test_admin_plans.py).

Receipts are random 64-character hashes here, not Argon2: only their unique index matters to
what these measure.

Without a `Committee`, a complaint's status is drawn at random (most received), whatever its
age, and nobody works on it: no rapporteur, no deadline. With one, each complaint lives a case's
life from its filing to now (`_life`): triage, a question to the complainant now and then (a few
never answered), admissibility, examination, the decision, an appeal now and then, closing. Most
stages end within their deadline and some late, so that old cases are closed and the open ones
recent, a few of them overdue. Its status history, the questions and answers, the chair's
assignment to one of the rapporteurs (most as triage starts, the rest before its decision),
the proposals adopted and those still waiting for the chair are written as the services would
write them, and `due_at` is what complaints/deadlines.py computes from that history. No
complaints.Decision rows: the queues never read them.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random

from complaints.deadlines import (
    AWAITING,
    EXAMINATION,
    RECEIVED,
    TRIAGE,
    DeadlineRules,
    Step,
    deadline,
)

BATCH = 2000
COUNTRIES = ["RW"] * 12 + ["UG", "KE", "CD", "BI", "TZ", "GB", "FR", "BE", "ZA", "US", "CA", ""]
INADMISSIBLE, DECIDED, APPEALED, APPEAL_DECIDED, CLOSED, WITHDRAWN = (
    "inadmissible",
    "decided",
    "appealed",
    "appeal_decided",
    "closed",
    "withdrawn",
)
# Moves that need a reason (complaints/workflow.py), and those the complainant makes.
REASONED = {AWAITING, INADMISSIBLE, DECIDED, APPEALED, APPEAL_DECIDED, WITHDRAWN}
APPEAL_WINDOW = timedelta(days=30)
PERPETRATORS = ["police", "military", "intelligence", "officials", "prison", "unknown"]
QUESTION = "Could you tell us the date of the arrest, as near as you know it?"


@dataclass(frozen=True)
class Committee:
    """Who works the generated cases: the chair gives them out and adopts the decisions, the
    rapporteurs (a few, with the Rapporteur role) take them."""

    chair: object
    rapporteurs: list


def complaints_generate(
    count: int, *, rng: Random, progress: bool = False, committee: Committee | None = None
) -> float:
    """`count` more complaints through the model layer; returns complaints per second."""
    from complaints import models as m

    categories = list(m.ViolationCategory.objects.values_list("pk", flat=True))
    # References are random (8 of 31 characters): among a million, two alike are likely. The
    # service draws again on a collision; here each is drawn against those already made.
    _references_used.update(m.Complaint.objects.values_list("reference", flat=True))
    start = time.perf_counter()
    now = datetime.now(UTC)
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        _batch(size, rng=rng, now=now, categories=categories, committee=committee)
        made += size
        if progress and made % 50_000 < BATCH:
            rate = made / (time.perf_counter() - start)
            print(f"  … {made:,} generated, {rate:,.0f} complaints/s", flush=True)
    return count / (time.perf_counter() - start)


_references_used: set[str] = set()


def _reference_unused(reference_new) -> str:
    while (reference := reference_new()) in _references_used:
        continue
    _references_used.add(reference)
    return reference


def _batch(
    size: int, *, rng: Random, now: datetime, categories: list[int], committee: Committee | None
) -> None:
    from django.db import transaction

    from complaints import models as m
    from complaints.receipts import reference_new

    statuses = [s for s, _label in m.Status.choices]
    weights = [30 if s == m.Status.RECEIVED else 4 for s in statuses]
    with transaction.atomic():
        people = m.Complainant.objects.bulk_create(
            [
                m.Complainant(
                    full_name=f"Person {rng.random()}",
                    contact_details="+250 700 000 000",
                    residence_status=rng.choice(m.ResidenceStatus.values),
                    relationship=m.Relationship.SELF,
                    authority=m.Authority.NOT_NEEDED,
                    country_of_residence=rng.choice(COUNTRIES),
                )
                for _ in range(size)
            ]
        )
        cases = [
            _complaint(person, rng, statuses, weights, now, reference_new) for person in people
        ]
        lives = [_lived(case, rng=rng, committee=committee, now=now) for case in cases]
        cases = m.Complaint.objects.bulk_create(cases)
        m.Victim.objects.bulk_create(
            [m.Victim(complaint=case, position=1, name="A victim") for case in cases]
        )
        if committee is None:
            m.StatusChange.objects.bulk_create(
                [
                    m.StatusChange(
                        complaint=case, to_status=m.Status.RECEIVED, at=case.submitted_at
                    )
                    for case in cases
                ]
            )
        else:
            _case_work_create(list(zip(cases, lives, strict=True)), committee=committee, now=now)
        through = m.Complaint.categories.through
        through.objects.bulk_create(
            [
                through(complaint_id=case.pk, violationcategory_id=category)
                for case in cases
                for category in rng.sample(categories, rng.choice([1, 1, 2, 3]))
            ]
        )


def _complaint(person, rng, statuses, weights, now, reference_new):
    from complaints import models as m

    danger = rng.random() < 0.03
    return m.Complaint(
        reference=_reference_unused(reference_new),
        receipt_hash=secrets.token_hex(32),
        submission_token=secrets.token_urlsafe(32),
        complainant=person,
        status=rng.choices(statuses, weights)[0],
        urgency=m.Urgency.URGENT if danger else m.Urgency.NORMAL,
        immediate_danger=danger,
        channel=rng.choice([m.Channel.ONLINE] * 8 + [m.Channel.PAPER, m.Channel.PHONE]),
        language=rng.choice(["en", "fr", "fr", "rw", "rw", "rw", "sw"]),
        submitted_at=now - timedelta(seconds=rng.randrange(5 * 365 * 86400)),
        incident_country=rng.choice(COUNTRIES),
        incident_date=(now - timedelta(days=rng.randrange(6 * 365))).date(),
        incident_date_precision=m.DatePrecision.MONTH,
        narrative="They came at night and took him away. " * 8,
        remedies_tried=m.RemediesTried.NO,
        other_procedure=m.OtherProcedure.NO,
        remedy_sought="That he be released and the family told where he is.",
        consent_processing=True,
        # Most agree to statistics (the statistics pages count only those), some name who did it.
        consent_anonymised_use=rng.random() < 0.8,
        perpetrators=rng.sample(PERPETRATORS, rng.choice([0, 1, 1, 2])),
    )


# A case's life: pure functions of the random source and plain values.


@dataclass(frozen=True)
class Life:
    steps: list[Step]  # up to now, oldest first
    rapporteur: object | None
    assigned_at: datetime | None
    waiting_since: datetime | None  # a proposal awaits the chair since then


def _lived(
    complaint: object, *, rng: Random, committee: Committee | None, now: datetime
) -> Life | None:
    """The complaint's life up to now; its status, deadline and rapporteur set from it."""
    if committee is None:
        return None
    rules = DeadlineRules.from_settings()  # settings read once per case: cheap next to AES
    danger = complaint.immediate_danger
    steps = [s for s in _life(rng, complaint.submitted_at, danger, rules) if s.at <= now]
    assigned_at = _assigned_at(rng, steps)
    complaint.status = steps[-1].status
    complaint.due_at = deadline(steps, danger=danger, rules=rules).due_at
    complaint.rapporteur = rng.choice(committee.rapporteurs) if assigned_at else None
    waiting = complaint.rapporteur is not None and complaint.status in {TRIAGE, EXAMINATION}
    since = max(assigned_at, steps[-1].at) if waiting else None
    waiting_since = since + (now - since) * rng.random() if waiting and rng.random() < 0.1 else None
    return Life(steps, complaint.rapporteur, assigned_at, waiting_since)


def _taken(rng: Random, allowed: timedelta) -> timedelta:
    """The time a stage takes: mostly within what it is allowed, one time in six late."""
    return allowed * (rng.uniform(0.1, 0.95) if rng.random() < 5 / 6 else rng.uniform(1, 3))


def _stage(rng: Random, status: str, start: datetime, allowed: timedelta, then: str) -> list[Step]:
    """A clocked stage that began at `start` and ends in `then`; perhaps with a question to the
    complainant on the way (the clock paused while it waits), perhaps never answered."""
    taken = _taken(rng, allowed)
    if rng.random() > 0.3:
        return [Step(then, start + taken)]
    asked = start + taken * rng.random()
    if rng.random() < 0.06:
        return [Step(AWAITING, asked)]
    waited = timedelta(days=rng.expovariate(1 / 20))
    return [Step(AWAITING, asked), Step(status, asked + waited), Step(then, start + taken + waited)]


def _life(rng: Random, filed: datetime, danger: bool, rules: DeadlineRules) -> list[Step]:
    """Every status the case will go through, and when (some of it may lie in the future)."""
    steps = [Step(RECEIVED, filed)]
    if rng.random() < 0.03:
        return [*steps, Step(WITHDRAWN, filed + _taken(rng, rules.triage))]
    steps.append(Step(TRIAGE, filed + _taken(rng, rules.triage_urgent if danger else rules.triage)))
    then = rng.choices([EXAMINATION, INADMISSIBLE, WITHDRAWN], [70, 25, 5])[0]
    steps += _stage(rng, TRIAGE, steps[-1].at, rules.admissibility, then)
    if steps[-1].status == EXAMINATION:
        steps += _stage(rng, EXAMINATION, steps[-1].at, rules.decision, DECIDED)
    if steps[-1].status in {INADMISSIBLE, DECIDED}:
        steps += _after_the_decision(rng, steps[-1].at)
    return steps


def _after_the_decision(rng: Random, decided: datetime) -> list[Step]:
    """Closed when the appeal window has passed, unless appealed (one case in ten)."""
    if rng.random() > 0.1:
        return [Step(CLOSED, decided + APPEAL_WINDOW + timedelta(days=1))]
    appealed = decided + APPEAL_WINDOW * rng.random()
    ruled = appealed + timedelta(days=rng.uniform(30, 180))
    return [Step(APPEALED, appealed), Step(APPEAL_DECIDED, ruled), Step(CLOSED, ruled)]


def _assigned_at(rng: Random, steps: list[Step]) -> datetime | None:
    """When the chair gave the case to a rapporteur: most as triage starts, the rest half-way
    through triage (a decision is always proposed by the case's rapporteur); cases still in
    triage and not given as it started are the unassigned queue."""
    triage = next((step for step in steps if step.status == TRIAGE), None)
    if triage is None:
        return None
    if rng.random() < 0.7:
        return triage.at
    done = next((s for s in steps if s.status in {EXAMINATION, INADMISSIBLE, WITHDRAWN}), None)
    if done is None or done.status == WITHDRAWN:
        return None
    return triage.at + (done.at - triage.at) / 2


# Writing a life as the services would have.


def _case_work_create(cases: list[tuple[object, Life]], *, committee: Committee, now: datetime):
    from complaints import models as m
    from monitoring.cases.models import Assignment, DecisionProposal

    changes, messages, assignments, proposals = [], [], [], []
    for case, life in cases:
        changes += _status_changes(case, life, chair=committee.chair)
        messages += _messages(case, life, now=now)
        if life.rapporteur is not None:
            assignments.append(
                Assignment(
                    complaint=case,
                    rapporteur=life.rapporteur,
                    by=committee.chair,
                    at=life.assigned_at,
                )
            )
        proposals += _proposals(case, life, chair=committee.chair)
    m.StatusChange.objects.bulk_create(changes)
    m.Message.objects.bulk_create(messages)
    Assignment.objects.bulk_create(assignments)
    DecisionProposal.objects.bulk_create(proposals)


def _status_changes(case: object, life: Life, *, chair: object) -> list:
    from complaints import models as m

    changes = []
    for before, step in zip([None, *life.steps], life.steps, strict=False):
        answered = before is not None and before.status == AWAITING
        by_complainant = answered or step.status in {APPEALED, WITHDRAWN}
        staff = life.rapporteur if life.assigned_at and step.at >= life.assigned_at else chair
        nobody = by_complainant or step.status in {RECEIVED, CLOSED, APPEAL_DECIDED}
        changes.append(
            m.StatusChange(
                complaint=case,
                from_status=before.status if before else "",
                to_status=step.status,
                by=None if nobody else staff,
                by_complainant=by_complainant,
                reason=_reason(step.status),
                at=step.at,
            )
        )
    return changes


def _reason(status: str) -> str:
    if status == AWAITING:
        return QUESTION  # case_move sends the question as the reason of the move
    return "As recorded on the case." if status in REASONED else ""


def _messages(case: object, life: Life, *, now: datetime) -> list:
    """The question each wait for the complainant began with, and the answers (those of the
    last two days unread)."""
    from complaints import models as m

    messages = []
    for before, step in zip(life.steps, life.steps[1:], strict=False):
        if step.status == AWAITING:
            messages.append(
                m.Message(
                    complaint=case,
                    direction=m.Message.Direction.TO_COMPLAINANT,
                    body=QUESTION,
                    author=life.rapporteur if life.assigned_at else None,
                    sent_at=step.at,
                )
            )
        elif before.status == AWAITING:
            read = step.at + timedelta(hours=6) if step.at < now - timedelta(days=2) else None
            messages.append(
                m.Message(
                    complaint=case,
                    direction=m.Message.Direction.FROM_COMPLAINANT,
                    body="It was at the start of the rainy season, in the night.",
                    sent_at=step.at,
                    read_at=read,
                )
            )
    return messages


def _proposals(case: object, life: Life, *, chair: object) -> list:
    """The proposal adopted on each decision, and the one waiting for the chair, if any."""
    from monitoring.cases.models import ProposalState

    proposals = [
        _proposal(case, life, at=step.at, kind=step.status, chair=chair)
        for step in life.steps
        if step.status in {INADMISSIBLE, DECIDED}
    ]
    if life.waiting_since is not None:
        kind = INADMISSIBLE if case.status == TRIAGE else DECIDED
        proposal = _proposal(case, life, at=life.waiting_since, kind=kind, chair=None)
        proposal.state = ProposalState.PROPOSED
        proposals.append(proposal)
    return proposals


def _proposal(case: object, life: Life, *, at: datetime, kind: str, chair: object | None):
    """A proposal made before `at` (adopted then by the chair), or at `at` when chair is None."""
    from complaints import models as m
    from monitoring.cases.checklist import QUESTIONS, YES, checklist_record
    from monitoring.cases.models import DecisionProposal, ProposalState

    inadmissible = kind == INADMISSIBLE
    proposed = at if chair is None else max(life.assigned_at, at - timedelta(days=3))
    return DecisionProposal(
        complaint=case,
        kind=m.DecisionKind.INADMISSIBLE if inadmissible else m.DecisionKind.MERITS,
        ground=m.InadmissibilityGround.ILL_FOUNDED if inadmissible else "",
        outcome="" if inadmissible else m.Outcome.PARTLY_FOUND,
        reasons="The facts, as described and checked, lead the Committee to this decision.",
        checklist=checklist_record({q.key: (YES, "") for q in QUESTIONS}),
        proposed_by=life.rapporteur,
        proposed_at=proposed,
        state=ProposalState.ADOPTED if chair else ProposalState.PROPOSED,
        decided_by=chair,
        decided_at=at if chair else None,
    )
