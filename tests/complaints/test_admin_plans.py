"""No plan of the staff list, its filters or its search reads the complaint table sequentially.

On PostgreSQL, over enough complaints, with fresh statistics, so that the planner chooses as it
would over a large table: every statement the list pages run is EXPLAINed. Lists the paginator
would count exactly (EXACT_UP_TO) are kept in proportion to this table's size, as they are to a
table of a million rows.
"""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import paginators
from complaints.models import Complaint
from tests.monitoring.staff import sign_in
from tests.scale import complaints_generate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans: the PostgreSQL run checks them"
)

SIZE = 20_000
LIST = reverse("admin:complaints_complaint_changelist")


@pytest.fixture(scope="module")
def many_complaints(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            complaints_generate(SIZE, rng=random.Random(7))  # noqa: S311 - made-up data
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            yield
        finally:
            # The other tests start from empty tables, even when generating failed half-way.
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE complaints_complaint, complaints_complainant, "
                    "complaints_casehistory CASCADE"
                )


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")  # no parameters: a % in the SQL is a LIKE's, not one
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "query",
    [
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
        {"p": "300"},
        {"status__exact": "received", "p": "40"},
        # The Committee's queues (monitoring/cases/selectors.py), each on its own index.
        {"queue": "mine"},
        {"queue": "unassigned"},
        {"queue": "urgent"},
        {"queue": "overdue"},
        {"queue": "awaiting"},
        {"queue": "proposed"},
        {"queue": "unassigned", "p": "30"},
    ],
    ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items()) or "page 1",
)
def test_no_list_filter_or_search_reads_the_complaint_table_sequentially(
    many_complaints, client, staff_viewer, monkeypatch, query
):
    monkeypatch.setattr(paginators, "EXACT_UP_TO", paginators.EXACT_UP_TO * SIZE // 1_000_000)
    sign_in(client, staff_viewer)

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

    chair = django_user_model.objects.create_superuser(username="plans-chair", password=None)
    case = Complaint.objects.filter(incident_country="RW").order_by("pk").first()

    with CaptureQueriesContext(connection) as queries:
        related_suggestions(chair, case)

    statements = [q["sql"] for q in queries.captured_queries if "incident_date" in q["sql"]]
    assert statements
    for sql in statements:
        plan = plan_of(sql)
        assert not re.search(r"Seq Scan on complaints_complaint\b", plan), (sql, plan)
