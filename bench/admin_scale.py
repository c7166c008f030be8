"""The staff admin at 100,000 and 1,000,000 complaints on PostgreSQL: flat in N, or not.

Usage: `make admin-scale` (PostgreSQL on 127.0.0.1:5432; SCALE_SIZES=100000,1000000 by default,
SCALE_ROUNDS=7). It makes a database of its own, `afr_scale`, fills it through the model layer
(bulk_create: every encrypted field encrypted under its row, the history triggers firing), and
measures, in this process with Django's test client, each page of the complaint list against the
admin's sign-in page measured in the same run: page 1, each filter, search by whole and partial
reference, page 2, the last page and a case page. Printed per size: the median time as a ratio to
the sign-in page, and the number of queries; then whether the targets hold:

- page 1 at the largest size ≤ 10× the sign-in page, and ≤ 1.2× page 1 at the smallest (flat);
- at the largest size, every other request ≤ 1.5× page 1;
- the same number of queries at every size;
- no plan of a list, filter or search query scans the complaint table (EXPLAIN);

and what a filed complaint costs in history (rows and bytes per complaint). Exits 1 if a target
fails. Generating a million complaints takes a while: the rate is printed as it goes.

The complaints are made by tests/scale.py (receipts there are random hashes, not Argon2: the
receipt's cost is `make bench`'s subject, and only its unique index matters to the list).
"""

import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.staff_pages import (  # noqa: E402
    LOGIN,
    complaints_grow,
    configure,
    database_recreate,
    measure,
    seq_scans,
    signed_in,
    staff_user,
)

DATABASE = "afr_scale"
SIZES = [int(n) for n in os.environ.get("SCALE_SIZES", "100000,1000000").split(",")]
ROUNDS = int(os.environ.get("SCALE_ROUNDS", "7"))


def requests_to_measure() -> dict[str, str]:
    from django.urls import reverse

    from complaints.models import Complaint

    listed = reverse("admin:complaints_complaint_changelist")
    some = Complaint.objects.order_by("pk").only("pk", "reference")[1000]
    week_ago = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%d 00:00:00%%2B00:00")
    return {
        "page 1": listed,
        "filter: status": f"{listed}?status__exact=triage",
        "filter: urgent": f"{listed}?urgency__exact=urgent",
        "filter: channel": f"{listed}?channel__exact=paper",
        "filter: language": f"{listed}?language=sw",
        "filter: past 7 days": f"{listed}?submitted_at__gte={week_ago}",
        "filter: group": f"{listed}?group=liberty",
        "search: whole ref": f"{listed}?q={some.reference.lower()}",
        "search: partial ref": f"{listed}?q={some.reference[4:7]}",
        "page 2": f"{listed}?p=2",
        "last page": "LAST",
        "case page": reverse("admin:complaints_complaint_change", args=[some.pk]),
    }


def history_cost(count: int) -> tuple[float, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(pg_column_size(old)) + sum(pg_column_size(new)), 0) "
            "+ count(*) * 60 FROM complaints_casehistory"
        )
        rows, size = cursor.fetchone()
    return rows / count, size / count


def main() -> int:
    configure(DATABASE)
    database_recreate(DATABASE)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()  # responses carry their context (the list's paginator)
    rng = random.Random(2026)  # noqa: S311 - made-up data, not secrets
    client = signed_in(staff_user("chair", "Committee chair"))
    results: dict[int, dict[str, tuple[float, int]]] = {}
    scans: list[str] = []
    have = 0
    for size in SIZES:
        complaints_grow(have, size, rng=rng)
        have = size
        rows, size_bytes = history_cost(size)
        print(f"  history: {rows:.1f} records and {size_bytes:,.0f} bytes per complaint")
        urls = requests_to_measure()
        login, _queries, _sql = measure(Client(), LOGIN, ROUNDS)
        page_count = client.get(urls["page 1"]).context["cl"].paginator.num_pages
        urls["last page"] = f"{urls['page 1']}?p={page_count}"
        results[size] = {}
        for name, url in urls.items():
            seconds, queries, statements = measure(client, url, ROUNDS)
            results[size][name] = (seconds / login, queries)
            if name != "case page":
                scans += [f"{size:,} {name}: {sql}" for sql in seq_scans(statements)]
            print(f"  {name:20} {seconds / login:6.1f}× sign-in  {queries:3} queries", flush=True)
    return report(results, scans)


def report(results: dict[int, dict[str, tuple[float, int]]], scans: list[str]) -> int:
    small, large = min(results), max(results)
    page1_small, page1_large = results[small]["page 1"][0], results[large]["page 1"][0]
    checks = [
        (f"page 1 at {large:,} ≤ 10× sign-in", page1_large <= 10, f"{page1_large:.1f}×"),
        (
            f"page 1 at {large:,} ≤ 1.2× page 1 at {small:,}",
            page1_large <= 1.2 * page1_small,
            f"{page1_large / page1_small:.2f}×",
        ),
    ]
    for name, (ratio, _queries) in results[large].items():
        if name != "page 1":
            relative = ratio / page1_large
            checks.append(
                (f"{name} at {large:,} ≤ 1.5× page 1", relative <= 1.5, f"{relative:.2f}×")
            )
    for name in results[large]:
        counts = {results[size][name][1] for size in results}
        checks.append(
            (f"{name}: same queries at every size", len(counts) == 1, str(sorted(counts)))
        )
    checks.append(("no sequential scan of the complaint table", not scans, f"{len(scans)} found"))
    print()
    for label, held, figure in checks:
        print(f"{'ok  ' if held else 'FAIL'} {label:55} {figure}")
    for scan in scans:
        print(f"     seq scan: {scan}")
    return 0 if all(held for _label, held, _figure in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
