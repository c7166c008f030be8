"""The staff statistics page: who sees it, what it counts, its charts, tables and CSV."""

import csv
import io

import pytest
from django.urls import reverse

from monitoring.charts import bar_chart
from monitoring.statistics import day_bucket, median, statistics_refresh
from tests.filing import step_data, submit_directly
from tests.monitoring.appeal_body import decide
from tests.monitoring.cast import client_of, member

STATISTICS = reverse("admin:statistics")


def filed(now, *, n=1, consent=True, country="RW", **what):
    cases = []
    for _ in range(n):
        consents = {"consent_processing": "on", "consent_contact": "on"}
        if consent:
            consents["consent_anonymised_use"] = "on"
        data = step_data(what={"incident_country": country, **what}, consents=consents)
        cases.append(submit_directly(now=now, data=data).complaint)
    return cases


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("Data officer", True),
        ("Committee chair", True),
        ("Rapporteur", False),
        ("Intake officer", False),
        ("Appeal registrar", False),
        ("Appeal judge", False),
        ("Administrator", False),
    ],
)
def test_only_the_data_officer_and_the_chair_see_the_statistics(django_user_model, role, sees):
    client = client_of(member(django_user_model, "someone", role))

    response = client.get(STATISTICS)

    assert (response.status_code == 200) is sees
    assert "See the statistics" in client.get(reverse("admin:index")).content.decode() or not sees


def test_the_page_counts_consented_complaints_with_a_chart_and_table_each(
    data_officer, chair, member_rapporteur, now
):
    filed(now, n=3)
    filed(now, n=4, consent=False)
    decide(filed(now)[0], rapporteur=member_rapporteur, chair=chair, now=now)
    statistics_refresh(now=now)

    page = client_of(data_officer).get(STATISTICS).content.decode()

    assert "4 complaints counted" in page
    for title in [
        "Complaints per month",
        "By violation",
        "By country of the events",
        "By where the complainant lives",
        "By who did it",
        "By status",
        "By decision",
        "Appeals and their outcome",
        "Time taken (median)",
    ]:
        assert title in page, title
    assert page.count("<svg") >= 6
    assert "Violation found" in page or "found" in page


def test_the_period_and_country_filters_narrow_the_figures(data_officer, now):
    filed(now, n=2, country="RW")
    filed(now, n=3, country="UG")
    statistics_refresh(now=now)
    client = client_of(data_officer)

    uganda = client.get(STATISTICS, {"country": "UG"}).content.decode()
    later = client.get(STATISTICS, {"start": f"{now.year + 1}-01"}).content.decode()

    assert "3 complaints counted" in uganda
    assert "0 complaints counted" in later


@pytest.mark.parametrize(
    "bad",
    [
        {"start": "March"},
        {"start": "2026-13"},
        {"country": "XX"},
        {"start": "2026-05", "end": "2026-01"},
    ],
)
def test_a_bad_filter_gets_a_message_not_an_error(data_officer, now, bad):
    response = client_of(data_officer).get(STATISTICS, bad)

    assert response.status_code == 200
    assert "Please correct the error below." in response.content.decode()


def test_each_table_downloads_as_csv(data_officer, now):
    filed(now, n=2, country="RW")
    statistics_refresh(now=now)

    response = client_of(data_officer).get(STATISTICS, {"csv": "country"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["Rwanda", "2"]


def test_the_page_takes_a_bounded_number_of_queries_and_fewer_once_kept(
    data_officer, now, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    filed(now, n=5)
    statistics_refresh(now=now)
    client = client_of(data_officer)

    with django_assert_max_num_queries(9):  # computed: the kept counts read
        client.get(STATISTICS)
    with django_assert_max_num_queries(4):  # kept: only who is asking
        client.get(STATISTICS)
    filed(now, n=20, country="UG")
    with django_capture_on_commit_callbacks(execute=True):
        statistics_refresh(now=now)
    with django_assert_max_num_queries(9):
        page = client.get(STATISTICS).content.decode()
    assert "25 complaints counted" in page  # the new computation, at once


def test_a_label_is_drawn_as_text_never_as_markup():
    svg = str(bar_chart([('<script>alert(1)</script>"', 3)], title="<b>t</b>"))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-2, 0),
        (0, 0),
        (5, 5),
        (30, 30),
        (31, 30),
        (36, 35),
        (43, 42),
        (182, 182),
        (189, 182),
        (200, 190),
        (730, 730),
        (800, 730),
        (1094, 730),
        (1095, 1095),
        (1460, 1460),
        (1500, 1460),
    ],
)
def test_durations_are_kept_by_day_then_week_then_month(days, bucket):
    assert day_bucket(days) == bucket


def test_the_median_is_where_half_the_cases_are_reached():
    assert median({1: 1, 3: 1, 9: 1}) == 3
    assert median({2: 2, 10: 2}) == 2
    assert median({}) is None
