"""Many complaints quickly, through the model layer: every encrypted field encrypted under its
row, the history triggers firing. For the scale measurements (bench/admin_scale.py) and the
PostgreSQL plan checks (tests/complaints/test_admin_plans.py).

Receipts are random 64-character hashes here, not Argon2: only their unique index matters to
what these measure.
"""

import secrets
import time
from datetime import UTC, datetime, timedelta
from random import Random

BATCH = 2000
COUNTRIES = ["RW"] * 12 + ["UG", "KE", "CD", "BI", "TZ", "GB", "FR", "BE", "ZA", "US", "CA", ""]


def complaints_generate(count: int, *, rng: Random, progress: bool = False) -> float:
    """`count` more complaints through the model layer; returns complaints per second."""
    from django.db import transaction

    from complaints import models as m
    from complaints.receipts import reference_new

    categories = list(m.ViolationCategory.objects.values_list("pk", flat=True))
    statuses = [s for s, _label in m.Status.choices]
    weights = [30 if s == m.Status.RECEIVED else 4 for s in statuses]
    start = time.perf_counter()
    now = datetime.now(UTC)
    made = 0
    while made < count:
        size = min(BATCH, count - made)
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
            cases = m.Complaint.objects.bulk_create(
                [
                    _complaint(person, rng, statuses, weights, now, reference_new)
                    for person in people
                ]
            )
            m.Victim.objects.bulk_create(
                [m.Victim(complaint=case, position=1, name="A victim") for case in cases]
            )
            m.StatusChange.objects.bulk_create(
                [
                    m.StatusChange(
                        complaint=case, to_status=m.Status.RECEIVED, at=case.submitted_at
                    )
                    for case in cases
                ]
            )
            through = m.Complaint.categories.through
            through.objects.bulk_create(
                [
                    through(complaint_id=case.pk, violationcategory_id=category)
                    for case in cases
                    for category in rng.sample(categories, rng.choice([1, 1, 2, 3]))
                ]
            )
        made += size
        if progress and made % 50_000 < BATCH:
            rate = made / (time.perf_counter() - start)
            print(f"  … {made:,} generated, {rate:,.0f} complaints/s", flush=True)
    return count / (time.perf_counter() - start)


def _complaint(person, rng, statuses, weights, now, reference_new):
    from complaints import models as m

    danger = rng.random() < 0.03
    return m.Complaint(
        reference=reference_new(),
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
    )
