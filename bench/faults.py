"""Faults during filings: database connections cut, the database stopped and frozen, Redis killed.

Usage: `make faults` (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, or FAULTS_PG_PORT
and FAULTS_REDIS_PORT). Takes about two minutes.

The application runs in this process, configured as in production (DEBUG off, sessions in Redis,
PostgreSQL with its timeouts), against a database of its own (`afr_faults`, made afresh) and a
Redis database number of its own. Both are reached through proxies that this script controls, so
the faults are real broken sockets for the application while the servers themselves, which other
programs on this machine share, are never touched:

- terminate: every connection to the database is cut, again and again, as pg_terminate_backend or
  a restarted server would;
- db-stopped: the database refuses every connection for a while;
- db-frozen: the database accepts connections and answers nothing for a while;
- redis-killed: Redis refuses every connection for a while (and keeps nothing: it comes back empty).

Several people file at once throughout. Each behaves as a patient person would: on a 503 they wait
and press "Try again" (the outage page's form sends the same answer again); when a step sends them
back because a draft was lost, they fill it in again. Printed per fault: the status codes seen, and
what must all be 0: complaints lost (a receipt given for nothing, or a sent complaint missing),
duplicated (one filing stored twice), half-written (a complaint without its person, category,
history or evidence), and filed without a receipt (stored, but the person never saw the receipt).
Exits 1 if any of those is not 0, or if any answer was a 500.
"""

import collections
import contextlib
import logging
import os
import re
import secrets
import select
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client

    from complaints.filing import Step

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.environment import production_like  # noqa: E402

PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5432"))
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6379"))
DATABASE = "afr_faults"
REDIS_DB = 13
PEOPLE = int(os.environ.get("FAULTS_PEOPLE", "4"))
FAULT_SECONDS = float(os.environ.get("FAULTS_SECONDS", "8"))
BAD = ("lost", "duplicated", "half-written", "filed without a receipt")


class FaultyProxy:
    """A TCP proxy to a local server that can cut, refuse or freeze what passes through it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = "pass"  # pass | refuse | freeze
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        """Close every open connection, as a killed server process would."""
        with self.lock:
            pairs, self.pairs = self.pairs, set()
        for pair in pairs:
            for sock in pair:
                _reset(sock)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "refuse":
            self.cut()

    def _accept(self) -> None:
        while True:
            client, _address = self.listener.accept()
            if self.mode == "refuse":
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                _reset(client)
                continue
            pair = (client, upstream)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        other = {client: upstream, upstream: client}
        try:
            while pair in self.pairs:
                if self.mode == "freeze":
                    time.sleep(0.05)  # bytes wait in the kernel; nobody answers
                    continue
                ready, _, _ = select.select([client, upstream], [], [], 0.05)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise ConnectionError
                    other[sock].sendall(data)
        except (OSError, ConnectionError, ValueError):
            pass
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            _reset(sock)


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()


def configure(pg: FaultyProxy, redis: FaultyProxy) -> None:
    production_like(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg.port}/{DATABASE}",
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/{REDIS_DB}",
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_CLIENT_TIMEOUT_SECONDS="3",
        REDIS_TIMEOUT_SECONDS="1",
        SUBMISSIONS_PER_NETWORK_PER_HOUR="100000",
        EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR="100000",
        EVIDENCE_ROOT=tempfile.mkdtemp(prefix="afr-faults-evidence-"),
        UPLOAD_SPOOL_DIR=tempfile.mkdtemp(prefix="afr-faults-spool-"),
    )


def database_recreate() -> None:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()


class DraftLost(Exception):
    """A step sent the person elsewhere: the draft was lost (with Redis)."""


class GaveUp(Exception):
    """The run ended before the service answered."""


class Person(threading.Thread):
    """Files complaints one after another until told to stop, as a patient person would."""

    def __init__(self, number: int, scenario: "Scenario") -> None:
        super().__init__(daemon=True)
        self.number = number
        self.scenario = scenario
        self.filings: list[dict] = []

    def run(self) -> None:
        count = 0
        while not self.scenario.stopping.is_set():
            count += 1
            marker = f"fault {self.scenario.name} {self.number}.{count} {secrets.token_hex(4)}"
            filing = {"marker": marker, "receipt": None, "reference": None, "file": count % 2 == 0}
            self.filings.append(filing)
            self._file(marker, filing)

    def _file(self, marker: str, filing: dict) -> None:
        from django.test import Client

        for _attempt in range(20):
            # Each try from a fresh start, as after closing the browser: a lost draft's remains
            # (a file added to a new, empty draft) would otherwise be added to twice.
            client = Client(raise_request_exception=False)
            try:
                self._fill_in(client, marker, filing)
                self._send_it(client, filing)
            except DraftLost:
                self.scenario.drafts_lost += 1
                continue  # the draft went with Redis: fill it in again, as the page asks
            except GaveUp:
                pass
            return

    def _fill_in(self, client: "Client", marker: str, filing: dict) -> None:
        from tests.filing import FORM_STEPS, step_data
        from tests.testdata import minimal_pdf

        data = step_data(what={"narrative": marker})
        for step in FORM_STEPS:
            if step.slug == "consents" and filing["file"]:
                upload = {"upload": "1", "description": marker[:60]}
                self._send(client, "/file/evidence/", upload, files={"file": minimal_pdf()})
            response = self._send(client, f"/file/{step.slug}/", data[step.slug])
            if response["Location"] != self._next_of(step):
                raise DraftLost

    def _send_it(self, client: "Client", filing: dict) -> None:
        review = self._send(client, "/file/review/", None)
        if review.status_code == 302:
            raise DraftLost
        token = re.search(r'name="token" value="([^"]+)"', review.content.decode()).group(1)
        answer = self._send(client, "/file/review/", {"token": token})
        if answer.status_code == 302 and answer["Location"] != "/file/receipt/":
            raise DraftLost  # the 503'd press came back to an empty session
        if answer.status_code == 302:  # a press after the first had finished: the receipt page
            answer = self._send(client, answer["Location"], None)
        page = answer.content.decode()
        reference = re.search(r'class="reference">([^<]+)<', page)
        filing["receipt"] = "".join(re.findall(r"<span>(\d{4})</span>", page)) or None
        filing["reference"] = reference.group(1) if reference else None

    @staticmethod
    def _next_of(step: "Step") -> str:
        from complaints import filing

        following = filing.next_step(step)
        return f"/file/{following.slug}/"

    def _send(
        self, client: "Client", path: str, data: dict | None, files: dict | None = None
    ) -> "HttpResponse":
        """One press, repeated after each 503 as the outage page's "Try again" does."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import close_old_connections

        for _attempt in range(200):
            if self.scenario.stopping.is_set() and self.scenario.hard_stop.is_set():
                raise GaveUp
            payload = dict(data or {})
            for name, content in (files or {}).items():
                payload[name] = SimpleUploadedFile("evidence.pdf", content, "application/pdf")
            close_old_connections()  # what the server's handler does as each request starts
            started = time.monotonic()
            response = client.get(path) if data is None else client.post(path, payload)
            self.scenario.slowest = max(self.scenario.slowest, time.monotonic() - started)
            close_old_connections()  # and as it ends
            self.scenario.codes[response.status_code] += 1
            if response.status_code != 503:
                return response
            assert response["Retry-After"]
            time.sleep(0.3)  # Retry-After says a minute; the run is shorter than a person's wait
        raise GaveUp


class Scenario:
    def __init__(self, name: str, fault: Callable[[FaultyProxy, FaultyProxy], None]) -> None:
        self.name = name
        self.fault = fault
        self.codes: collections.Counter = collections.Counter()
        self.slowest = 0.0
        self.drafts_lost = 0
        self.stopping = threading.Event()
        self.hard_stop = threading.Event()

    def run(self, pg: FaultyProxy, redis: FaultyProxy) -> list[dict]:
        people = [Person(number, self) for number in range(PEOPLE)]
        for person in people:
            person.start()
        time.sleep(2)
        self.fault(pg, redis)
        pg.set_mode("pass")
        redis.set_mode("pass")
        time.sleep(2)
        self.stopping.set()  # each finishes the filing in hand
        for person in people:
            person.join(timeout=120)
        self.hard_stop.set()
        return [filing for person in people for filing in person.filings]


def terminate(pg: FaultyProxy, redis: FaultyProxy) -> None:
    for _ in range(int(FAULT_SECONDS / 0.5)):
        pg.cut()
        time.sleep(0.5)


def db_stopped(pg: FaultyProxy, redis: FaultyProxy) -> None:
    pg.set_mode("refuse")
    time.sleep(FAULT_SECONDS)


def db_frozen(pg: FaultyProxy, redis: FaultyProxy) -> None:
    pg.set_mode("freeze")
    time.sleep(FAULT_SECONDS)
    pg.cut()  # a frozen server that comes back has lost its half-done conversations


def redis_killed(pg: FaultyProxy, redis: FaultyProxy) -> None:
    redis.set_mode("refuse")
    _redis_flush()  # Redis keeps nothing on disk: it comes back empty
    time.sleep(FAULT_SECONDS)


def _redis_flush() -> None:
    import redis as redis_client

    redis_client.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB).flushdb()


def tally(filings: list[dict]) -> dict[str, int]:
    from django.db import connection

    from complaints.models import Complaint
    from complaints.receipts import receipt_normalise
    from complaints.selectors import complaint_by_receipt

    connection.close()  # this thread's connection may have been cut by the fault
    stored = collections.defaultdict(list)
    for complaint in Complaint.objects.prefetch_related(
        "victims", "categories", "status_changes", "evidence"
    ):
        stored[complaint.narrative].append(complaint)
    counts = collections.Counter()
    for filing in filings:
        found = stored.get(filing["marker"], [])
        counts["filings"] += 1
        counts["stored"] += bool(found)
        if len(found) > 1:
            counts["duplicated"] += len(found) - 1
        if filing["receipt"]:
            opened = complaint_by_receipt(receipt_normalise(filing["receipt"]))
            if opened is None or opened.pk not in {complaint.pk for complaint in found}:
                counts["lost"] += 1
        elif found and not filing["reference"]:
            counts["filed without a receipt"] += 1
        for complaint in found:
            whole = (
                complaint.victims.all()
                and complaint.categories.all()
                and len(complaint.status_changes.all()) == 1
                and complaint.complainant_id
                and len(complaint.evidence.all()) == filing["file"]
            )
            counts["half-written"] += not whole
            if not whole and os.environ.get("FAULTS_VERBOSE"):
                print(
                    "  half-written:",
                    filing,
                    len(complaint.victims.all()),
                    len(complaint.categories.all()),
                    len(complaint.status_changes.all()),
                    len(complaint.evidence.all()),
                )
    return counts


def main() -> int:
    pg, redis = FaultyProxy(PG_PORT), FaultyProxy(REDIS_PORT)
    configure(pg, redis)
    database_recreate()
    _redis_flush()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.disable(logging.ERROR)  # each outage is logged with its traceback: expected here

    failed = False
    print(f"{PEOPLE} people filing at once; each fault lasts {FAULT_SECONDS:g} s")
    for name, fault in [
        ("none", lambda pg, redis: time.sleep(FAULT_SECONDS)),
        ("terminate", terminate),
        ("db-stopped", db_stopped),
        ("db-frozen", db_frozen),
        ("redis-killed", redis_killed),
    ]:
        scenario = Scenario(name, fault)
        started = time.monotonic()
        filings = scenario.run(pg, redis)
        counts = tally(filings)
        bad = {k: counts[k] for k in BAD}
        codes = " ".join(f"{code}×{n}" for code, n in sorted(scenario.codes.items()))
        print(
            f"{name:13} {time.monotonic() - started:5.1f} s  codes {codes}  "
            f"slowest {scenario.slowest:4.1f} s  drafts filled in again {scenario.drafts_lost}  "
            f"filings {counts['filings']} stored {counts['stored']}  "
            + "  ".join(f"{k} {v}" for k, v in bad.items())
        )
        failed |= any(bad.values()) or scenario.codes[500] > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
