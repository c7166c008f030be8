"""PostgreSQL writes the case-list CSV (monitoring/export_sql.py): the same bytes as Python's.

Every kind of cell is exercised: codes with labels in four languages, dates of each precision,
flags, lists in their order, categories sorted by label, a blank country, an unknown code,
text that starts a formula or holds quotes, commas and line breaks, a search with a LIKE pattern.
"""

import random
import secrets

import pytest
from django.db import connection
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.models import Complaint, ViolationCategory
from complaints.services import complaint_submit
from monitoring.export_sql import case_list_lines
from monitoring.exports import CHUNK_ROWS, csv_chunks, export_rows, headers, neutralise
from monitoring.models import ExportLevel
from tests.filing import cleaned_steps, step_data
from tests.monitoring.appeal_body import appealed_case, decide
from tests.monitoring.cast import member
from tests.scale import complaints_generate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL writes these lines: the PostgreSQL run"
)


def by_python(cases, language: str) -> bytes:
    rows = export_rows(cases, ExportLevel.CASE_LIST, language=language)
    return b"".join(csv_chunks(headers(ExportLevel.CASE_LIST), rows))


def by_postgresql(cases, language: str) -> bytes:
    header = next(csv_chunks(headers(ExportLevel.CASE_LIST), iter([])))
    lines = [
        line for chunk in case_list_lines(cases, language=language, chunk_rows=3) for line in chunk
    ]
    return header + b"".join(line + b"\r\n" for line in lines)


def filed(now, **what):
    data = step_data(what=what)
    return complaint_submit(
        steps=cleaned_steps(data),
        evidence=[],
        language="rw",
        token=secrets.token_urlsafe(32),
        now=now,
    ).complaint


@pytest.fixture
def varied(db, now, django_user_model):
    chair = member(django_user_model, "@chair", "Committee chair")
    rapporteur = member(django_user_model, "=rapporteur", "Rapporteur")
    hostile = ViolationCategory.objects.create(
        code="HOSTILE",
        group="other",
        label_en='=HYPERLINK("x"), "quoted"',
        label_fr="+fr, virgule",
        label_rw="@rw\nline",
        label_sw="-sw",
        sort_order=999,
    )
    cases = [
        filed(now, incident_year="2023", incident_month="5", incident_day="17"),
        filed(now, incident_year="2020", incident_month="", incident_day=""),
        filed(now, incident_year="", incident_month="", incident_day="", incident_country=""),
        filed(
            now,
            perpetrators=["military", "police", "unknown"],
            immediate_danger="yes",
            danger_details="Tonight.",
        ),
    ]
    cases[0].categories.add(hostile)
    Complaint.objects.filter(pk=cases[1].pk).update(perpetrators=["not_a_code", "police"])
    decide(cases[0], rapporteur=rapporteur, chair=chair, now=now)
    decide(cases[1], rapporteur=rapporteur, chair=chair, now=now, inadmissible=True)
    appealed_case(rapporteur=rapporteur, chair=chair, now=now)
    complaints_generate(40, rng=random.Random(3))  # noqa: S311 - made-up data
    return Complaint.objects.order_by("-submitted_at", "-pk")


@pytest.mark.parametrize("language", ["en", "fr", "rw", "sw"])
def test_postgresql_writes_the_same_bytes_as_python(varied, language):
    with translation.override(language):
        assert by_postgresql(varied, language) == by_python(varied, language)


def test_the_same_bytes_for_a_search_and_a_filter(varied):
    first = varied.first()
    searched = varied.filter(
        reference__startswith=first.reference[:6], status__in=[first.status, "decided"]
    )  # a LIKE pattern: its % must reach PostgreSQL as it is

    assert by_postgresql(searched, "en") == by_python(searched, "en")
    assert first.reference.encode() in by_postgresql(searched, "en")


def test_the_lines_come_a_chunk_at_a_time(varied):
    chunks = list(case_list_lines(varied, language="en", chunk_rows=CHUNK_ROWS))
    few = list(case_list_lines(varied, language="en", chunk_rows=2))

    assert sum(map(len, chunks)) == sum(map(len, few)) == varied.count()
    assert all(len(chunk) <= 2 for chunk in few)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        max_size=12,
    )
)
def test_any_label_is_neutralised_and_quoted_as_python_does(label):
    from monitoring.export_sql import Lines, field
    from monitoring.exports import Labels

    lines = Lines(Labels("en"))
    sql = lines.quoted(lines.param(label))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", lines.params)
        written = cursor.fetchone()[0]

    assert written == field(label)
    assert written == '"' + neutralise(label).replace('"', '""') + '"'
