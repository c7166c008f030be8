"""The Committee's queues at 100,000 complaints on PostgreSQL, as the chair and as a rapporteur.

Usage: `make case-queues` (PostgreSQL on 127.0.0.1:5432; QUEUES_SIZE=100000 by default,
QUEUES_SIZE=20000 for a quick look; QUEUES_ROUNDS=7). It makes a database of its own,
`afr_queues`, and drops it at the end (QUEUES_KEEP=1 leaves it, to EXPLAIN by hand). The
complaints are made by tests/scale.py with a committee (a chair and six rapporteurs): each
lives a case's life up to now, so that the queues hold what they would (recent open cases, a
few overdue, the unassigned ones in triage, questions to complainants unanswered, proposals
waiting for the chair). The rapporteur measured has declared two conflicts of interest.

For each of the two users: the case list, page 1 of each queue the user is offered
(monitoring/cases/selectors.py, ?queue=<slug>), the admin index with its queue counts, and a
case page. Printed: the median time as a ratio to the admin's sign-in page (requested before
each round of each page, so that both see the same load on a shared machine) and the number of
queries; then whether the targets hold:

- flat as cases grow: at QUEUES_SIZE, each list and queue page ≤ 1.5× the user's full list
  page (50 rows) over the first 2,000 complaints, and the case page ≤ 1.5× its own time then
  (a queue that held only a few rows at 2,000 is held to a full page's cost, not to its own
  cheaper page);
- the index ≤ 10× the sign-in page: its counts stop at 1,000, so once queues are that long it
  costs what it will cost at any size, and at 2,000 complaints they are not yet (its time then
  is no reference);
- the same number of queries at QUEUES_SIZE as over the first 2,000 complaints;
- no plan of any of their statements scans the complaint table (EXPLAIN); sequential scans of
  other tables of more than 10,000 rows are listed too, as notes.

Exits 1 if a target fails.
"""

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.staff_pages import (  # noqa: E402
    LOGIN,
    complaints_grow,
    configure,
    database_drop,
    database_recreate,
    measure,
    measure_paired,
    plans,
    scanned_tables,
    signed_in,
    staff_user,
)

DATABASE = "afr_queues"
SIZE = int(os.environ.get("QUEUES_SIZE", "100000"))
FIRST = 2000  # query counts compared with those at this size (more than EXACT_UP_TO rows)
ROUNDS = int(os.environ.get("QUEUES_ROUNDS", "7"))
RAPPORTEURS = 6
FLAT = 1.5  # a page's ratio at SIZE over its ratio at FIRST
INDEX = "index (counts)"
INDEX_TARGET = 10  # × the sign-in page, for the index, whose counts stop at 1,000
SLOW_MS = 5  # a statement that takes longer has its plan printed
BIG_TABLE = 10_000  # rows: a sequential scan of a smaller table is no news

Results = dict[str, dict[str, tuple[float, int]]]  # user -> request -> (ratio, queries)


def committee_create():  # noqa: ANN201
    from tests.scale import Committee

    chair = staff_user("chair", "Committee chair")
    rapporteurs = [staff_user(f"rapporteur{n}", "Rapporteur") for n in range(1, RAPPORTEURS + 1)]
    return Committee(chair=chair, rapporteurs=rapporteurs)


def conflicts_declare(member) -> None:  # noqa: ANN001
    """Two conflicts, as a member declares them: one on a case of their own, one unassigned."""
    from django.utils import timezone

    from complaints.models import WITH_THE_COMMITTEE, Complaint
    from monitoring.cases.services import conflict_declare

    open_cases = Complaint.objects.filter(status__in=WITH_THE_COMMITTEE).order_by("pk")
    for case in [
        open_cases.filter(rapporteur=member).first(),
        open_cases.filter(rapporteur__isnull=True).first(),
    ]:
        if case is None:
            continue
        reason = "My cousin is among the people named."
        conflict_declare(complaint=case, member=member, reason=reason, now=timezone.now())


def case_measured(rapporteur):  # noqa: ANN001, ANN201
    """The rapporteur's newest open case, one in examination that waited for the complainant
    once if there is one: a case page with a timeline of some length."""
    from django.db.models import Exists, OuterRef, Q

    from complaints.models import WITH_THE_COMMITTEE, Complaint, Message, Status

    answered = Message.objects.filter(
        complaint=OuterRef("pk"), direction=Message.Direction.FROM_COMPLAINANT
    )
    cases = Complaint.objects.filter(rapporteur=rapporteur, status__in=WITH_THE_COMMITTEE)
    cases = cases.annotate(
        answered=Exists(answered), examined=Q(status=Status.EXAMINATION)
    ).order_by("-answered", "-examined", "-submitted_at")
    return cases.first()


def requests_of(user, case) -> dict[str, str]:  # noqa: ANN001
    """The pages measured for a user: the queues they are offered (as the list's filter)."""
    from django.urls import reverse

    from monitoring.cases.selectors import QUEUES

    listed = reverse("admin:complaints_complaint_changelist")
    queues = {
        f"queue: {q.slug}": f"{listed}?queue={q.slug}"
        for q in QUEUES
        if not q.who or user.has_perm(q.who)
    }
    return {
        "list": listed,
        **queues,
        "index (counts)": reverse("admin:index"),
        "case page": reverse("admin:complaints_complaint_change", args=[case.pk]),
    }


def timed(clients: dict, urls: dict) -> tuple[Results, dict[str, list[str]]]:
    """Each request's median as a ratio to the sign-in page's, its queries, and its SQL."""
    from django.test import Client

    login = measure(Client(), LOGIN, ROUNDS)[0]
    print(f"  sign-in page: {login * 1000:.1f} ms (= 1.0)", flush=True)
    results: Results = {}
    statements: dict[str, list[str]] = {}
    for who, client in clients.items():
        results[who] = {}
        for name, url in urls[who].items():
            ratio, queries, sql = measure_paired(client, url, ROUNDS)
            results[who][name] = (ratio, queries)
            statements[f"{who}, {name}"] = sql
            print(f"  {who:11} {name:22} {ratio:6.1f}×  {queries:3} queries", flush=True)
    return results, statements


def scans_found(statements: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The requests whose statements scan the complaint table, with the plan; and the notes
    on sequential scans of other big tables."""
    sizes = table_sizes()
    scans, notes = [], set()
    for request, sql_list in statements.items():
        for sql, plan in plans(sql_list, table=""):
            for table in scanned_tables(plan):
                if table == "complaints_complaint":
                    scans.append(f"{request}: {sql[:300]}\n{plan}")
                elif sizes.get(table, 0) > BIG_TABLE:
                    notes.add(f"{request}: Seq Scan on {table} ({sizes[table]:,} rows)")
    return scans, sorted(notes)


def slowest(statements: list[str]) -> tuple[float, str, str]:
    """The statement that took longest under EXPLAIN ANALYZE (SELECTs only: it runs them),
    with its time in ms and its plan."""
    from django.db import connection

    found = (0.0, "", "")
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            ms = plan[0]["Execution Time"]
            if ms > found[0]:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                found = (ms, sql, "\n".join(row[0] for row in cursor.fetchall()))
    return found


def table_sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        return dict(cursor.fetchall())


def data_described(users: dict) -> None:
    """What the queues hold, as each user's index counts them."""
    from django.utils import timezone

    from monitoring.cases.selectors import queue_counts

    for who, user in users.items():
        counts = queue_counts(user, now=timezone.now())
        shown = ", ".join(
            f"{c.queue.slug} {'1,000+' if c.more else f'{c.count:,}'}" for c in counts
        )
        print(f"  {who}'s queues: {shown}")


def main() -> int:
    configure(DATABASE)
    database_recreate(DATABASE)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        return run()
    finally:
        if os.environ.get("QUEUES_KEEP") != "1":
            database_drop(DATABASE)


def run() -> int:
    rng = random.Random(2026)  # noqa: S311 - made-up data, not secrets
    committee = committee_create()
    users = {"chair": committee.chair, "rapporteur": committee.rapporteurs[0]}
    complaints_grow(0, FIRST, rng=rng, committee=committee)
    conflicts_declare(users["rapporteur"])
    case = case_measured(users["rapporteur"])
    clients = {who: signed_in(user) for who, user in users.items()}
    urls = {who: requests_of(user, case) for who, user in users.items()}
    print(f"\nat {FIRST:,} complaints:", flush=True)
    first, _statements = timed(clients, urls)
    complaints_grow(FIRST, SIZE, rng=rng, committee=committee)
    data_described(users)
    print(f"\nat {SIZE:,} complaints:", flush=True)
    results, statements = timed(clients, urls)
    scans, notes = scans_found(statements)
    held = report(results, first, scans, notes)
    slow_explained(results, first, statements)
    return held


def slow_explained(results: Results, first: Results, statements: dict[str, list[str]]) -> None:
    """For each request that grew with the cases, its slowest statement; the plan if slow."""
    for who, requests in results.items():
        for name, (ratio, _queries) in requests.items():
            if name == INDEX and ratio <= INDEX_TARGET:
                continue
            if name != INDEX and ratio <= FLAT * first[who][flat_reference(who, name)][0]:
                continue
            ms, sql, plan = slowest(statements[f"{who}, {name}"])
            print(f"     {who}, {name}: slowest statement {ms:.1f} ms: {sql[:100]}…")
            if ms > SLOW_MS:
                print(plan)


def table(results: Results, first: Results) -> None:
    """The figures side by side: × the sign-in page at each size, and queries, for each user."""
    users = list(results)
    names = list(dict.fromkeys(name for requests in results.values() for name in requests))
    sizes = f"{FIRST:,} → {SIZE:,}"
    print(f"\n{sizes:24}" + "".join(f"{u:>28}" for u in users))
    for name in names:
        cells = [
            f"{first[u][name][0]:6.1f}× → {results[u][name][0]:5.1f}×  {results[u][name][1]:3} q"
            if name in results[u]
            else "—"
            for u in users
        ]
        print(f"{name:24}" + "".join(f"{cell:>28}" for cell in cells))
    print()


def flat_reference(who: str, name: str) -> str:
    """What a page's time at SIZE is held to at FIRST: a full list page for lists and queues."""
    return "list" if name == "list" or name.startswith("queue") else name


def report(results: Results, first: Results, scans: list[str], notes: list[str]) -> int:
    checks = []
    for who, requests in results.items():
        for name, (ratio, queries) in requests.items():
            queries_before = first[who][name][1]
            if name == INDEX:
                checks.append(
                    (
                        f"{who}, {name}: ≤ {INDEX_TARGET}× sign-in",
                        ratio <= INDEX_TARGET,
                        f"{ratio:.1f}×",
                    )
                )
            else:
                reference = flat_reference(who, name)
                before = first[who][reference][0]
                checks.append(
                    (
                        f"{who}, {name}: ≤ {FLAT}× {reference} at {FIRST:,}",
                        ratio <= FLAT * before,
                        f"{ratio / before:.2f}×",
                    )
                )
            checks.append(
                (
                    f"{who}, {name}: same queries at {FIRST:,} and {SIZE:,}",
                    queries == queries_before,
                    f"{queries_before} → {queries}",
                )
            )
    checks.append(("no sequential scan of the complaint table", not scans, f"{len(scans)} found"))
    table(results, first)
    for label, held, figure in checks:
        print(f"{'ok  ' if held else 'FAIL'} {label:60} {figure}")
    for scan in scans:
        print(f"\n     seq scan: {scan}")
    for note in notes:
        print(f"     note: {note}")
    return 0 if all(held for _label, held, _figure in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
