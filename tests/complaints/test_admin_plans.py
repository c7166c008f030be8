"""No plan of the staff list, its filters or its search reads the complaint table sequentially.

On PostgreSQL, over enough complaints, with fresh statistics, so that the planner chooses as it
would over a large table: every statement the list pages run is EXPLAINed. Lists the paginator
would count exactly (EXACT_UP_TO) are kept in proportion to this table's size, as they are to a
table of a million rows.
"""

import random
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import paginators
from complaints.models import Complaint
from tests.monitoring.cast import member
from tests.monitoring.staff import sign_in
from tests.scale import Committee, complaints_generate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans: the PostgreSQL run checks them"
)

SIZE = 20_000
LIST = reverse("admin:complaints_complaint_changelist")


@pytest.fixture(scope="module")
def many_complaints(django_db_setup, django_db_blocker):
    """The complaints, worked by a committee (a chair, six rapporteurs): the rapporteur of
    the first is the one whose lists are checked."""
    with django_db_blocker.unblock():
        try:
            committee = Committee(
                chair=member(get_user_model(), "plans-chair", "Committee chair"),
                rapporteurs=[
                    member(get_user_model(), f"plans-rapporteur{n}", "Rapporteur") for n in range(6)
                ],
            )
            # Building 20,000 cases is no request: its commit may outlast a request's time limit
            # for the database on a busy machine (complaints/outage.py), and is not what is tested.
            with override_settings(DATABASE_CLIENT_TIMEOUT_SECONDS=600):
                complaints_generate(SIZE, rng=random.Random(7), committee=committee)  # noqa: S311
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            yield committee
        finally:
            # The other tests start from empty tables, even when generating failed half-way.
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE complaints_complaint, complaints_complainant, "
                    "complaints_casehistory CASCADE"
                )
            get_user_model().objects.filter(username__startswith="plans-").delete()


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")  # no parameters: a % in the SQL is a LIKE's, not one
        return "\n".join(row[0] for row in cursor.fetchall())


NEAR_THE_END = "near the end"
LISTS = [
    {},
    {"status__exact": "triage"},
    {"status__exact": "received"},
    {"urgency__exact": "urgent"},
    {"channel__exact": "paper"},
    {"language": "sw"},
    {"submitted_at__gte": "2026-11-25 00:00:00+00:00"},  # as "Past 7 days" asks
    {"group": "liberty"},
    {"group": "documents"},
    {"q": "AFR-K"},
    {"q": "k2q2fcfj"},
    {"p": "2"},
    {"p": NEAR_THE_END},
    # A filtered list's last pages, read from the end ("near the end": found in the test).
    {"status__exact": "closed", "p": NEAR_THE_END},
    # The Committee's queues (monitoring/cases/selectors.py), each on its own index.
    {"queue": "mine"},
    {"queue": "unassigned"},
    {"queue": "urgent"},
    {"queue": "overdue"},
    {"queue": "awaiting"},
    {"queue": "proposed"},
    {"queue": "awaiting", "p": NEAR_THE_END},
]


# Who sees every case, and a rapporteur, whose lists hold their cases and the unassigned ones
# (the chair's queue of proposals is not theirs).
@pytest.mark.parametrize(
    ("viewer", "query"),
    [
        pytest.param(
            viewer,
            query,
            id=f"{viewer}: " + ("&".join(f"{k}={v}" for k, v in query.items()) or "page 1"),
        )
        for viewer in ["every case", "rapporteur"]
        for query in LISTS
        if viewer == "every case" or query.get("queue") != "proposed"
    ],
)
def test_no_list_filter_or_search_reads_the_complaint_table_sequentially(
    many_complaints, client, staff_viewer, monkeypatch, query, viewer
):
    monkeypatch.setattr(paginators, "EXACT_UP_TO", paginators.EXACT_UP_TO * SIZE // 1_000_000)
    sign_in(client, staff_viewer if viewer == "every case" else many_complaints.rapporteurs[0])
    if query.get("p") == NEAR_THE_END:
        pages = client.get(LIST, {**query, "p": "1"}).context["cl"].paginator.num_pages
        assert pages > 2
        query = {**query, "p": str(pages - 1)}

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, query)

    assert response.status_code == 200
    statements = [  # an EXPLAIN of the paginator's estimate runs nothing: not a read
        q["sql"]
        for q in queries.captured_queries
        if "complaints_complaint" in q["sql"] and q["sql"].startswith("SELECT")
    ]
    assert statements  # the list was read
    for sql in statements:
        # The captured SQL has its parameters inlined: EXPLAIN it as it ran.
        plan = plan_of(sql)
        assert not re.search(r"Seq Scan on complaints_complaint\b", plan), (sql, plan)


def test_the_suggestions_of_related_complaints_read_no_table_sequentially(
    many_complaints, django_user_model
):
    from monitoring.cases.selectors import related_suggestions

    chair = many_complaints.chair
    case = Complaint.objects.filter(incident_country="RW").order_by("pk").first()

    with CaptureQueriesContext(connection) as queries:
        related_suggestions(chair, case)

    statements = [q["sql"] for q in queries.captured_queries if "incident_date" in q["sql"]]
    assert statements
    for sql in statements:
        plan = plan_of(sql)
        assert not re.search(r"Seq Scan on complaints_complaint\b", plan), (sql, plan)
