import pytest
from django.urls import reverse

from tests.filing import TESTDATA
from tests.monitoring.staff import sign_in


def test_staff_see_a_read_only_complaint_without_identity(client, complainant_case, staff_viewer):
    complaint, _receipt = complainant_case
    sign_in(client, staff_viewer)

    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert complaint.narrative in html
    assert complaint.complainant.full_name not in html
    assert "Save" not in html


def test_the_complaint_list_loads_in_a_bounded_number_of_queries(
    client, complainant_case, staff_viewer, django_assert_max_num_queries
):
    sign_in(client, staff_viewer)

    # 9: the user, the session's OTP device (re-checked on each request), permissions, the page.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("admin:complaints_complaint_changelist"))

    assert complainant_case[0].reference in response.content.decode()


def test_staff_cannot_add_change_or_delete_a_complaint_in_the_admin(
    client, complainant_case, staff_viewer
):
    complaint, _receipt = complainant_case
    sign_in(client, staff_viewer)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])

    response = client.post(url, {"narrative": "rewritten"})

    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.narrative != "rewritten"
    assert client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    assert (
        client.get(reverse("admin:complaints_complaint_delete", args=[complaint.pk])).status_code
        == 403
    )


def test_evidence_downloads_only_for_staff_with_the_permission(client, db, staff_viewer, outsider):
    from tests.filing import file_through_pages

    file_through_pages(client, files=[TESTDATA / "minimal.pdf"])
    from complaints.models import Evidence

    evidence = Evidence.objects.get()
    url = reverse("admin:complaints_evidence_download", args=[evidence.pk])
    client.logout()
    assert client.get(url).status_code == 302  # to the staff sign-in
    client.force_login(outsider)
    assert client.get(url).status_code == 302

    sign_in(client, staff_viewer)
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_admin_shows_labels_and_the_date_only_as_precisely_as_known(
    client, complainant_case, staff_viewer
):
    complaint, _receipt = complainant_case
    sign_in(client, staff_viewer)

    html = client.get(
        reverse("admin:complaints_complaint_change", args=[complaint.pk])
    ).content.decode()

    assert "May 2023" in html
    assert "May 1, 2023" not in html
    assert "LIBERTY_ARBITRARY_ARREST" not in html
    assert "Fear of reprisals" in html
    assert "Police" in html


def test_the_complaint_list_costs_the_same_queries_for_one_or_many_complaints(
    client, complainant_case, staff_viewer, now
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.filing import submit_directly

    sign_in(client, staff_viewer)
    url = reverse("admin:complaints_complaint_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(25):
        submit_directly(now=now)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(one)
    sql = " ".join(query["sql"] for query in many.captured_queries)
    assert "DISTINCT" not in sql  # no drill-down or filter that scans every row
    assert '"narrative"' not in sql  # the list does not load encrypted texts
    assert len(response.context["cl"].result_list) == 26


def test_a_long_list_is_counted_from_statistics_and_a_short_one_exactly(monkeypatch, db, now):
    from django.db import connection

    from complaints import paginators
    from complaints.models import Complaint
    from tests.filing import submit_directly

    for _ in range(3):
        submit_directly(now=now)
    monkeypatch.setattr(connection, "vendor", "postgresql")
    monkeypatch.setattr(paginators, "table_row_estimate", lambda table: 1_000_000)
    monkeypatch.setattr(paginators, "planner_row_estimate", lambda queryset: 300_000)
    received = Complaint.objects.filter(status="received")
    closed = Complaint.objects.filter(status="closed")

    assert paginators.EstimatedCountPaginator(Complaint.objects.all(), 50).count == 1_000_000
    monkeypatch.setattr(paginators, "EXACT_UP_TO", 2)
    assert paginators.EstimatedCountPaginator(received, 50).count == 300_000  # 3 > 2: long
    assert paginators.EstimatedCountPaginator(closed, 50).count == 0  # short: counted exactly
    monkeypatch.setattr(paginators, "EXACT_UP_TO", 10)
    assert paginators.EstimatedCountPaginator(received, 50).count == 3  # the estimate was wrong


def test_the_row_estimate_reads_postgresqls_statistics(db):
    from django.db import connection

    from complaints.paginators import table_row_estimate

    if connection.vendor != "postgresql":
        pytest.skip("pg_class exists only on PostgreSQL; the PostgreSQL run checks this")
    assert table_row_estimate("complaints_complaint") >= 0


def test_the_planner_estimate_is_read_from_explain_without_running_the_query(db, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.models import Complaint
    from complaints.paginators import planner_row_estimate
    from tests.filing import submit_directly

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN (FORMAT JSON) is PostgreSQL's; the PostgreSQL run checks this")
    for _ in range(3):
        submit_directly(now=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")

    with CaptureQueriesContext(connection) as queries:
        estimate = planner_row_estimate(Complaint.objects.filter(status="received"))

    assert estimate >= 1
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["EXPLAIN"]
