"""The public figures: only consented complaints, never a count below 5, coarse breakdowns."""

import itertools
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from complaints.models import Complaint, Consent
from complaints.services import consents_change
from monitoring.models import ALL_COUNTRIES, Dimension, Tally
from monitoring.statistics import (
    FEWER,
    THRESHOLD,
    WITHHELD,
    Hidden,
    public_figures,
    statistics_refresh,
    suppressed,
    total_shown,
)
from tests.filing import step_data, submit_directly

FIGURES = reverse("transparency")


def last_year(now):
    """A moment of a year that has ended: the page publishes only those."""
    return now - timedelta(days=366)


def filed(now, *, country="RW", residence="refugee", consent=True, n=1, this_year=False):
    when = now if this_year else last_year(now)
    for _ in range(n):
        data = step_data(
            what={"incident_country": country},
            about={"residence_status": residence},
            consents={
                "consent_processing": "on",
                "consent_contact": "on",
                **({"consent_anonymised_use": "on"} if consent else {}),
            },
        )
        submit_directly(now=when, data=data)


def numbers_on(page: str) -> list[int]:
    """Every count in the page's tables (years, in the header row, are not counts)."""
    cells = re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', page)
    return [
        int(c.replace(",", "").replace("\u202f", "").replace(" ", ""))
        for c in cells
        if c.strip()[0].isdigit()
    ]


def what_a_reader_can_tell(shown: dict, total: int) -> dict[str, set[int]]:
    """Every value each hidden count could have, given the row's total and the markers
    ("fewer than 5": 0 to 4; withheld: 5 or more), by trying them all."""
    hidden = [key for key, value in shown.items() if isinstance(value, Hidden)]
    rest = total - sum(v for v in shown.values() if not isinstance(v, Hidden))
    ranges = [range(THRESHOLD) if shown[k] is FEWER else range(THRESHOLD, rest + 1) for k in hidden]
    possible = {key: set() for key in hidden}
    for values in itertools.product(*ranges):
        if sum(values) == rest:
            for key, value in zip(hidden, values, strict=True):
                possible[key].add(value)
    return possible


@given(
    st.dictionaries(st.sampled_from("abcde"), st.integers(min_value=0, max_value=12), min_size=2)
)
def test_no_hidden_count_can_be_known_to_be_above_zero(row):
    shown = suppressed(row)
    possible = what_a_reader_can_tell(shown, sum(row.values()))

    assert shown.keys() == row.keys()
    for key, value in shown.items():
        if isinstance(value, Hidden):
            assert value is WITHHELD or row[key] < THRESHOLD
            assert row[key] in possible[key]
        else:
            assert value == row[key] >= THRESHOLD
    withheld_needed = any(v >= THRESHOLD for v in row.values())
    for key, values in possible.items():
        if shown[key] is FEWER and withheld_needed:
            assert 0 in values, (row, shown, possible)
    # ... and no count is withheld that the reader could not have pinned otherwise.
    primary = {key: FEWER if n < THRESHOLD else n for key, n in row.items()}
    if any(value is WITHHELD for value in shown.values()):
        without = what_a_reader_can_tell(primary, sum(row.values()))
        assert any(0 not in without[key] for key in without), (row, shown)
    else:
        assert shown == primary


@pytest.mark.parametrize(
    ("row", "withheld"),
    [
        ({"a": 4, "b": 0, "c": 10}, False),  # a could be 0: b could hold all 4
        ({"a": 4, "b": 1, "c": 10}, True),  # 5 hidden in two cells of at most 4: both above 0
        ({"a": 0, "c": 10}, False),  # a lone zero: it is no one
        ({"a": 1, "c": 10}, True),
    ],
)
def test_a_count_is_withheld_only_when_a_hidden_one_would_be_known(row, withheld):
    assert (WITHHELD in suppressed(row).values()) is withheld


def test_a_total_of_five_is_shown_and_of_four_is_not():
    assert total_shown(5) == 5
    assert total_shown(4) is FEWER


@pytest.mark.parametrize(
    "row",
    [
        {"refugee": 5, "relocated": 1, "stateless": 0},
        {"refugee": 10, "stateless": 1, "relocated": 1, "other": 0},
        {"refugee": 9, "relocated": 4, "stateless": 4},
    ],
)
def test_the_cases_an_outside_review_worked_out_are_no_longer_exact(row):
    shown = suppressed(row)
    possible = what_a_reader_can_tell(shown, sum(row.values()))

    for key, value in shown.items():
        if value is FEWER:
            assert 0 in possible[key], (shown, possible)
            assert len(possible[key]) > 1


def test_the_year_under_way_is_not_published(client, db, now):
    filed(now, n=9, this_year=True)
    filed(now, n=6)
    statistics_refresh(now=now)

    shown = public_figures(today=now.date())

    assert shown.years == [last_year(now).year]
    assert 9 not in numbers_on(client.get(FIGURES).content.decode())


def test_every_value_is_listed_whether_anyone_filed_under_it_or_not(client, db, now):
    filed(now, residence="refugee", n=6)
    statistics_refresh(now=now)

    page = client.get(FIGURES).content.decode()

    assert "Relocated to Rwanda under the UK–Rwanda partnership" in page
    assert "Stateless" in page
    assert "Documents and nationality" in page


@pytest.mark.parametrize("year", ["9" * 5000, "２０２５", "-1", "0000", "abcd"])
def test_an_odd_year_shows_the_latest_not_an_error(client, db, now, year):
    filed(now, n=5)
    statistics_refresh(now=now)

    response = client.get(FIGURES, {"year": year})

    assert response.status_code == 200
    assert f"({last_year(now).year})" in response.content.decode()


def test_the_page_counts_only_complaints_with_statistical_consent(client, db, now):
    filed(now, n=6)
    filed(now, consent=False, n=9)
    statistics_refresh(now=now)

    page = client.get(FIGURES).content.decode()

    assert page.count(">6<") >= 1
    assert 15 not in numbers_on(page)
    assert 9 not in numbers_on(page)
    assert all(n >= THRESHOLD for n in numbers_on(page))


def test_no_count_below_5_is_ever_shown(client, db, now):
    filed(now, country="RW", residence="relocated", n=7)
    filed(now, country="UG", residence="refugee", n=2)  # a country with fewer than 5
    filed(now, country="CD", residence="in_rwanda", n=1)
    statistics_refresh(now=now)

    page = client.get(FIGURES).content.decode()

    assert all(n >= THRESHOLD for n in numbers_on(page)), numbers_on(page)
    assert "fewer than 5" in page
    assert "Uganda" not in page  # a rare country is counted among the others, not named
    assert "Other countries, or not stated" in page


def test_a_withdrawn_statistical_consent_leaves_the_figures_at_their_next_update(client, db, now):
    filed(now, n=5)
    statistics_refresh(now=now)
    assert Tally.objects.get(dimension=Dimension.TOTAL, country=ALL_COUNTRIES).count == 5

    consents_change(
        complaint=Complaint.objects.first(), given={Consent.ANONYMISED_USE: False}, now=now
    )
    statistics_refresh(now=now)

    assert Tally.objects.get(dimension=Dimension.TOTAL, country=ALL_COUNTRIES).count == 4
    cache.clear()
    page = client.get(FIGURES).content.decode()
    assert "fewer than 5" in page
    assert 5 not in numbers_on(page)


def test_no_breakdown_is_finer_than_year_country_and_group(db, now):
    filed(now, n=6)
    statistics_refresh(now=now)
    shown = public_figures()

    # Each table is keyed by one year and one value of one dimension: nothing crosses two.
    for table in shown.tables.values():
        for year, row in table.items():
            assert isinstance(year, int)
            assert all(isinstance(key, str) for key in row)
    assert set(shown.countries[last_year(now).year]) == {"RW", ""}


@pytest.mark.parametrize("language", ["en", "fr", "rw", "sw"])
def test_the_page_is_in_every_language_of_the_site(client, db, now, language):
    filed(now, n=5)
    statistics_refresh(now=now)

    page = client.get(f"{FIGURES}?lang={language}")

    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.content.decode()


def test_the_page_is_read_from_the_cache(client, db, now, django_assert_max_num_queries):
    filed(now, n=5)
    statistics_refresh(now=now)
    client.get(FIGURES)

    with django_assert_max_num_queries(2):  # which figures are current, nothing more
        assert client.get(FIGURES).status_code == 200


def test_the_page_without_figures_says_so(client, db):
    page = client.get(FIGURES).content.decode()

    assert "There are no figures to show yet." in page


def test_each_year_has_its_own_figures_and_an_unknown_year_shows_the_latest(client, db, now):
    filed(now - timedelta(days=800), country="RW", n=6, this_year=True)
    filed(now, country="RW", n=8)
    statistics_refresh(now=now)
    earlier = (now - timedelta(days=800)).year

    latest = client.get(FIGURES).content.decode()
    before = client.get(FIGURES, {"year": earlier}).content.decode()
    unknown = client.get(FIGURES, {"year": "1999<script>"}).content.decode()

    assert f"Where the events took place ({last_year(now).year})" in latest
    assert f"Where the events took place ({earlier})" in before
    assert 8 in numbers_on(latest)
    assert 6 in numbers_on(before)
    assert f"({last_year(now).year})" in unknown
    assert "<script>" not in unknown


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's locks")
def test_two_refreshes_at_once_count_each_complaint_once(transactional_db, seed_data, now):
    import threading

    from django.db import connections

    filed(now, n=3)
    start = threading.Barrier(2)

    def refresh() -> None:
        start.wait()
        try:
            statistics_refresh(now=now)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Tally.objects.get(dimension=Dimension.TOTAL, country=ALL_COUNTRIES).count == 3
