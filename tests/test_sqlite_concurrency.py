"""The embedded SQLite default serves a few people at once without "database is locked"."""

import threading
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.db.utils import ConnectionHandler

WRITERS = 8


@pytest.fixture
def own_database_file(django_db_blocker):
    """This test opens a database file of its own, outside the test database."""
    with django_db_blocker.unblock():
        yield


def test_concurrent_read_then_write_transactions_all_succeed_on_the_embedded_default(
    tmp_path, own_database_file, monkeypatch
):
    embedded = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "embedded.sqlite3"),
        "OPTIONS": settings.SQLITE_OPTIONS,
    }
    handler = ConnectionHandler({"default": embedded, "embedded": embedded})
    # transaction.atomic finds its connection among the project's; let it find this one.
    monkeypatch.setattr("django.db.transaction.get_connection", lambda using=None: handler[using])
    with handler["embedded"].cursor() as cursor:
        cursor.execute("CREATE TABLE filing (n integer)")
    start, errors = threading.Barrier(WRITERS), []

    def file_one() -> None:
        connection = handler["embedded"]
        try:
            start.wait()
            # What a sign-in or a filing does: read, then write, in one transaction.
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM filing")
                time.sleep(0.05)
                cursor.execute("INSERT INTO filing VALUES (1)")
        except Exception as error:  # every failure counts
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=file_one) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    with handler["embedded"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM filing")
        assert cursor.fetchone()[0] == WRITERS
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert errors == []
    handler.close_all()
