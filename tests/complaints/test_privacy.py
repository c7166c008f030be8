"""What must never be kept: the receipt, and the complainant's address or browser."""

import logging
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from complaints.models import Complaint
from tests.filing import TESTDATA, file_through_pages

ADDRESS = "203.0.113.77"
USER_AGENT = "MarkerPhone/9.9 (Zxq-UA)"


def database_text() -> str:
    """Every row of every table, as text: what a stolen dump would show."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def cache_text() -> str:
    return "\n".join(f"{key}={value!r}" for key, value in cache._cache.items())  # locmem


@pytest.fixture
def all_logs(caplog):
    """Every log record at every level, SQL included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def the_receipt(client: Client) -> str:
    return "".join(client.get("/file/receipt/").context["groups"])


def test_the_receipt_reaches_neither_the_database_nor_the_logs(db, all_logs):
    client = Client()
    file_through_pages(client, files=[TESTDATA / "minimal.pdf"])
    receipt = the_receipt(client)
    client.post("/file/receipt/")
    client.post("/track/", {"receipt": receipt})
    client.post("/track/case/message/", {"body": "hello"})

    spaced = " ".join(receipt[i : i + 4] for i in range(0, 16, 4))
    stored = database_text()
    logged = "\n".join(record.getMessage() + repr(record.args) for record in all_logs.records)
    assert Complaint.objects.count() == 1
    assert "SELECT" in logged  # the SQL really was captured
    for form in (receipt, spaced):
        assert form not in stored
        assert form not in logged
    assert receipt not in cache_text()  # handed over, then forgotten once confirmed


def test_the_complainants_address_and_browser_are_kept_nowhere(db, all_logs):
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT, HTTP_X_FORWARDED_FOR=ADDRESS)
    file_through_pages(client, files=[TESTDATA / "photo_with_gps.jpg"])
    receipt = the_receipt(client)
    client.post("/track/", {"receipt": "9999 9999 9999 9999"})  # a wrong guess is throttled
    client.post("/track/", {"receipt": receipt})
    client.post("/track/case/message/", {"body": "hello"})
    client.get("/no-such-page/")

    logged = "\n".join(
        record.getMessage() + repr(record.args) + repr(record.__dict__)
        for record in all_logs.records
    )
    everything = database_text() + cache_text()
    for trace in (ADDRESS, USER_AGENT, "Zxq-UA"):
        assert trace not in everything
        assert trace not in logged


def test_urls_never_carry_the_receipt(client, db):
    file_through_pages(client)
    receipt = the_receipt(client)

    response = client.post("/track/", {"receipt": receipt}, follow=True)

    visited = [url for url, _status in response.redirect_chain]
    assert visited == ["/track/case/"]
    assert not any(re.search(r"\d{4}", url) for url in visited)


def test_filing_writes_no_log_line_that_could_be_matched_against_network_logs(db, all_logs):
    file_through_pages(Client())

    reference = Complaint.objects.get().reference
    ours = [r for r in all_logs.records if r.name.split(".")[0] in {"complaints", "monitoring"}]
    outside_sql = [r for r in all_logs.records if r.name != "django.db.backends"]
    assert ours == []
    assert not [r for r in outside_sql if reference in r.getMessage()]


def test_a_receipt_confirmed_as_written_down_is_never_shown_again(client, db):
    file_through_pages(client)
    receipt = the_receipt(client)
    page = client.get("/file/receipt/").content.decode()
    assert the_receipt(client) == receipt  # a reload shows it again until it is confirmed
    assert "shown only once" not in page  # the words say what the page does
    assert "or for 30 minutes at most" in page

    client.post("/file/receipt/")

    assert client.get("/file/receipt/").status_code == 302
    assert receipt not in cache_text()
