"""The staff list's search, filters and pages: right answers, from indexes, at any depth."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint
from complaints.paginators import EstimatedCountPaginator
from complaints.selectors import complaints_by_reference, reference_typed
from tests.filing import step_data, submit_directly
from tests.monitoring.staff import sign_in

LIST = reverse("admin:complaints_complaint_changelist")


def listed(response) -> list[str]:
    return [complaint.reference for complaint in response.context["cl"].result_list]


@pytest.fixture
def two_cases(db, now):
    arrest = submit_directly(now=now).complaint
    expelled = submit_directly(
        now=now - timedelta(days=1),
        data=step_data(what={"categories": ["MOVEMENT_RESTRICTION"], "incident_country": "UG"}),
    ).complaint
    return arrest, expelled


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("AFR-K2Q2-FCFJ", "AFR-K2Q2-FCFJ"),
        ("afr-k2q2-fcfj", "AFR-K2Q2-FCFJ"),
        ("k2q2fcfj", "AFR-K2Q2-FCFJ"),
        (" K2Q2 FCFJ ", "AFR-K2Q2-FCFJ"),
        ("k2q2", "AFR-K2Q2"),
        ("K2Q2-F", "AFR-K2Q2-F"),
        ("AFR-K", "AFR-K"),
        ("afr", "AFR-"),
    ],
)
def test_a_reference_is_read_as_staff_type_it(typed, stored):
    assert reference_typed(typed) == stored


def test_a_whole_reference_typed_any_way_is_found_on_the_unique_index(two_cases):
    arrest, _expelled = two_cases
    typed = arrest.reference.lower().replace("-", " ")

    found = complaints_by_reference(Complaint.objects.all(), typed)

    assert list(found) == [arrest]
    assert '"reference" = ' in str(found.query)
    assert "UPPER" not in str(found.query)  # upper(reference) would scan the whole table


def test_the_beginning_of_a_reference_finds_the_cases_it_begins(two_cases):
    arrest, expelled = two_cases
    prefix = arrest.reference[len("AFR-") : len("AFR-") + 3]

    found = set(complaints_by_reference(Complaint.objects.all(), prefix))

    assert arrest in found
    assert (expelled in found) == expelled.reference.startswith(f"AFR-{prefix}")
    assert "LIKE" in str(complaints_by_reference(Complaint.objects.all(), prefix).query)


@pytest.mark.parametrize("typed", ["afr", "---", "AFR-K2Q2-FCFJX", "K2Q2FCFJ2"])
def test_a_search_that_cannot_be_a_reference_finds_nothing(two_cases, typed):
    assert not complaints_by_reference(Complaint.objects.all(), typed).exists()


def test_the_list_searches_by_reference(client, two_cases, staff_viewer):
    arrest, _expelled = two_cases
    sign_in(client, staff_viewer)

    response = client.get(LIST, {"q": arrest.reference[4:8].lower()})

    assert arrest.reference in listed(response)
    assert all(reference.startswith(arrest.reference[:8]) for reference in listed(response))


def test_the_group_filter_keeps_the_cases_with_a_violation_in_that_group_without_distinct(
    client, two_cases, staff_viewer
):
    arrest, expelled = two_cases
    sign_in(client, staff_viewer)

    with CaptureQueriesContext(connection) as queries:
        liberty = client.get(LIST, {"group": "liberty"})
    sql = " ".join(query["sql"] for query in queries.captured_queries)  # before the next request
    movement = client.get(LIST, {"group": "movement"})

    assert listed(liberty) == [arrest.reference]
    assert listed(movement) == [expelled.reference]
    assert "EXISTS" in sql
    assert "DISTINCT" not in sql


def test_show_counts_is_never_offered_nor_run(client, two_cases, staff_viewer):
    sign_in(client, staff_viewer)
    client.get(LIST)
    with CaptureQueriesContext(connection) as plain:
        page = client.get(LIST)

    with CaptureQueriesContext(connection) as asked:
        client.get(LIST, {"_facets": "1"})

    assert "Show counts" not in page.content.decode()
    assert len(asked) == len(plain)  # no count per filter choice, over the whole table


def test_the_list_names_the_country_where_it_happened(client, two_cases, staff_viewer):
    sign_in(client, staff_viewer)

    html = client.get(LIST).content.decode()

    assert "Uganda" in html
    assert "Rwanda" in html


def test_every_page_read_from_either_end_holds_the_rows_of_that_page(db, now):
    for days in range(11):
        submit_directly(now=now - timedelta(days=days, seconds=days % 3))
    ordered = Complaint.objects.order_by("-submitted_at", "-pk")
    expected = list(ordered)

    paginator = EstimatedCountPaginator(ordered, 3)

    pages = [list(paginator.page(number).object_list) for number in paginator.page_range]
    assert pages == [expected[i : i + 3] for i in range(0, 11, 3)]


def test_the_last_page_reads_from_the_end_instead_of_skipping_every_row(db, now):
    for days in range(9):
        submit_directly(now=now - timedelta(days=days))
    paginator = EstimatedCountPaginator(Complaint.objects.order_by("-submitted_at", "-pk"), 2)

    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(paginator.num_pages).object_list)

    page_query = queries.captured_queries[-1]["sql"]
    assert "ASC" in page_query.partition("ORDER BY")[2]  # read in the reverse order
    assert "OFFSET" not in page_query  # the last page is the first one from the end
