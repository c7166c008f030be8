"""Measuring the staff admin's pages over a PostgreSQL database of the bench's own: shared by
admin_scale.py and case_queues.py.

A database made for the run (and dropped or remade by the next), the application as in
production (bench/environment.py), staff signed in with their second factor, and each page
timed in this process with Django's test client; its statements are EXPLAINed afterwards.
"""

import re
import secrets
import statistics
import time

from bench.environment import production_like

PG = "postgres://postgres@127.0.0.1:5432"
LOGIN = "/staff/login/"
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def configure(database: str) -> None:
    production_like(
        DATABASE_URL=f"{PG}/{database}",
        DATABASE_STATEMENT_TIMEOUT_MS="600000",  # the generation's big inserts and ANALYZE
        LOG_LEVEL="WARNING",
    )


def _maintenance(statements: list[str]) -> None:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    admin.close()


# Database names below are the scripts' own constants, never input.
def database_recreate(database: str) -> None:
    _maintenance(
        [f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"CREATE DATABASE {database}"]
    )


def database_drop(database: str) -> None:
    from django.db import connections

    connections.close_all()
    _maintenance([f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])


def complaints_grow(have: int, size: int, *, rng, committee=None) -> None:  # noqa: ANN001
    """From `have` complaints to `size` (tests/scale.py), then fresh statistics for the planner."""
    from django.db import connection

    from tests.scale import complaints_generate

    started = time.perf_counter()
    rate = complaints_generate(size - have, rng=rng, progress=True, committee=committee)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"{size:,} complaints: generated {size - have:,} more at {rate:,.0f}/s "
        f"({time.perf_counter() - started:,.0f} s with VACUUM ANALYZE)",
        flush=True,
    )


def staff_user(username: str, role: str):  # noqa: ANN201
    """A staff account in one of the roles (monitoring/roles.py), with a confirmed device."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_user(
        username=username, password=secrets.token_urlsafe(16), is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def _second_factor(sender: type, request, user, **kwargs) -> None:  # noqa: ANN001, ANN003
    # force_login skips the sign-in's code step: mark the session as having passed it.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def signed_in(user):  # noqa: ANN001, ANN201
    from django.contrib.auth.signals import user_logged_in
    from django.test import Client

    user_logged_in.connect(_second_factor, dispatch_uid="bench-second-factor")
    client = Client()
    client.force_login(user)
    return client


def timed_get(client, url: str) -> tuple[float, list[str]]:  # noqa: ANN001
    """One request: its time, and its statements' SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return seconds, [q["sql"] for q in queries.captured_queries]


def measure(client, url: str, rounds: int) -> tuple[float, int, list[str]]:  # noqa: ANN001
    """The median time of `rounds` requests (after one to warm up), the number of queries of
    the last, and their SQL."""
    client.get(url)  # warm
    timings = []
    for _ in range(rounds):
        seconds, statements = timed_get(client, url)
        timings.append(seconds)
    return statistics.median(timings), len(statements), statements


def measure_paired(client, url: str, rounds: int) -> tuple[float, int, list[str]]:  # noqa: ANN001
    """As `measure`, but the time as a ratio to the sign-in page requested just before each
    round: on a machine shared with other work, both see the same load."""
    from django.test import Client

    anonymous = Client()
    anonymous.get(LOGIN)
    client.get(url)
    references, timings = [], []
    for _ in range(rounds):
        references.append(timed_get(anonymous, LOGIN)[0])
        seconds, statements = timed_get(client, url)
        timings.append(seconds)
    return statistics.median(timings) / statistics.median(references), len(statements), statements


def plans(statements: list[str], *, table: str = "complaints_complaint") -> list[tuple[str, str]]:
    """(statement, plan) of each SELECT that reads `table`, EXPLAINed as it ran (the captured
    SQL has its parameters inlined; a % in it is a LIKE's)."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        for sql in statements:
            if table not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return found


def scanned_tables(plan: str) -> set[str]:
    return set(SEQ_SCAN.findall(plan))


def seq_scans(statements: list[str]) -> list[str]:
    """The statements whose plan reads the complaint table sequentially."""
    return [
        sql[:160]
        for sql, plan in plans(statements)
        if "complaints_complaint" in scanned_tables(plan)
    ]
