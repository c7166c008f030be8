"""Case-list exports at a million complaints on PostgreSQL, against PostgreSQL's own COPY.

Usage: `make export-bench` (PostgreSQL on 127.0.0.1:5432; EXPORT_SIZE=1000000 by default,
EXPORT_SMALL=100000 for the query-count check). It makes a database of its own, `afr_export`,
fills it through the model layer (tests/scale.py, as bench/admin_scale.py does: every encrypted
field encrypted, the history triggers firing), and prints in one run, each measured in a fresh
process of its own so that its memory is its own:

- PostgreSQL's `COPY (…) TO STDOUT` of the export's own query (the same rows and columns, as
  the view sends them to the database): rows per second, the reference;
- the case-list CSV through the real view (`POST /staff/complaints/complaint/export/`, Django's
  test client, the streamed response read chunk by chunk and thrown away), the management
  command `export_complaints` writing to a file, and the XLSX through the view: rows per
  second and as a ratio to COPY, the number of queries, and the peak memory growth of the
  process during the export (its peak resident set minus what it held just before);
- the CSV view's query count at EXPORT_SMALL complaints, before the rest are generated.

Then the statistics: the time `statistics_refresh` takes at the full size, and the staff
statistics page (unfiltered, and filtered by a period and a country) as a ratio to the admin's
sign-in page measured just before each round, with its queries and whether any of them scans
the complaint table (EXPLAIN).

Targets (exit 1 if one fails): CSV through the view at least 0.5 × COPY; the same number of
queries at both sizes; a peak memory growth under 64 MB for each export at the full size; the
statistics page at most 2 × the sign-in page, and no scan of the complaint table.

`EXPORT_REUSE=1` keeps the database a previous run left and generates only what it lacks.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.staff_pages import (  # noqa: E402
    complaints_grow,
    configure,
    database_recreate,
    measure_paired,
    seq_scans,
    signed_in,
    staff_user,
)

DATABASE = "afr_export"
SIZE = int(os.environ.get("EXPORT_SIZE", "1000000"))
SMALL = int(os.environ.get("EXPORT_SMALL", str(max(SIZE // 10, 1000))))
EXPORTER = "bench-data"
MB = 1024 * 1024


def rss_now() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def rss_peak() -> int:
    # VmHWM, not getrusage's ru_maxrss: the latter keeps the parent's peak across fork and exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class Sink:
    """A file that counts what is written to it and keeps none of it."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes | str) -> int:
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def _export_query():  # noqa: ANN202
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from complaints.models import Complaint
    from monitoring import exports
    from monitoring.models import ExportLevel

    user = get_user_model().objects.get(username=EXPORTER)
    request = RequestFactory().get("/")
    request.user = user
    changelist = exports.changelist_of(admin.site._registry[Complaint], request)
    cases = exports.rows_for_level(user, changelist.queryset, ExportLevel.CASE_LIST)
    return exports.case_list_values(cases).values(*exports.CASE_LIST_FIELDS)


def measure_copy() -> dict:
    import psycopg2
    from psycopg2 import extensions

    sql, params = _export_query().query.sql_with_params()
    # A connection of its own: the application's has a wait callback (its timeouts), with
    # which psycopg2 refuses COPY.
    extensions.set_wait_callback(None)
    raw = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DATABASE)
    with raw.cursor() as cursor:
        select = cursor.mogrify(sql, params).decode()
        sink = Sink()
        start = time.perf_counter()
        cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", sink)
        seconds = time.perf_counter() - start
        rows = cursor.rowcount
    raw.close()
    return {"rows": rows, "seconds": seconds, "bytes": sink.bytes, "queries": 1}


def measure_view(file_format: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from monitoring.models import ExportRecord

    client = signed_in(get_user_model().objects.get(username=EXPORTER))
    url = reverse("admin:complaints_complaint_export")
    data = {"level": "case_list", "file_format": file_format, "purpose": ""}
    sink = Sink()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(url, data)
        assert response.status_code == 200, response.status_code
        assert response.streaming, "the export was not streamed"
        for chunk in response.streaming_content:
            sink.write(chunk)
        response.close()
        seconds = time.perf_counter() - start
    end = ExportRecord.objects.order_by("-at", "-pk").select_related("end").first().end
    return {
        "rows": end.row_count,
        "seconds": seconds,
        "bytes": sink.bytes,
        "queries": len(queries.captured_queries),
    }


def measure_command() -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.models import ExportRecord

    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "cases.csv"
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            call_command("export_complaints", user=EXPORTER, output=str(out), stderr=Sink())
            seconds = time.perf_counter() - start
        size = out.stat().st_size
    end = ExportRecord.objects.order_by("-at", "-pk").select_related("end").first().end
    return {
        "rows": end.row_count,
        "seconds": seconds,
        "bytes": size,
        "queries": len(queries.captured_queries),
    }


MEASURES = {
    "copy": measure_copy,
    "csv view": lambda: measure_view("csv"),
    "command": measure_command,
    "xlsx view": lambda: measure_view("xlsx"),
}


def child(kind: str) -> None:
    """One measurement, in this fresh process: its figures as JSON on the last line."""
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    before = rss_now()
    result = MEASURES[kind]()
    result["memory_growth"] = rss_peak() - before
    print(json.dumps(result))


def in_child(kind: str) -> dict:
    # The exports run under production's statement timeout, not the generation's long one.
    env = {**os.environ, "DATABASE_STATEMENT_TIMEOUT_MS": "15000"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind}: the measurement failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


ROUNDS = 9


def statistics_measured() -> dict:
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from monitoring.statistics import statistics_refresh

    start = time.perf_counter()
    statistics_refresh(now=timezone.now())
    refresh = time.perf_counter() - start
    client = signed_in(get_user_model().objects.get(username=EXPORTER))
    page = reverse("admin:statistics")
    year = timezone.now().year - 1
    pages = {
        "statistics": page,
        "statistics, a year and a country": f"{page}?start={year}-01&end={year}-12&country=RW",
    }
    measured = {}
    for name, url in pages.items():
        ratio, queries, statements = measure_paired(client, url, ROUNDS)
        measured[name] = (ratio, queries, seq_scans(statements))
    return {"refresh": refresh, "pages": measured}


def main() -> int:
    configure(DATABASE)
    import random

    import django

    reuse = os.environ.get("EXPORT_REUSE") == "1"
    if not reuse:
        database_recreate(DATABASE)
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from complaints.models import Complaint

    call_command("migrate", verbosity=0)
    setup_test_environment()
    if not get_user_model().objects.filter(username=EXPORTER).exists():
        staff_user(EXPORTER, "Data officer")
    rng = random.Random(2026 + reuse)  # noqa: S311 - made-up data, not secrets
    have = Complaint.objects.count()
    if have < SMALL:
        complaints_grow(have, SMALL, rng=rng)
        have = SMALL
    small = in_child("csv view")
    small["size"] = have
    print(f"{have:,} complaints: CSV view {small['queries']} queries", flush=True)
    if have < SIZE:
        complaints_grow(have, SIZE, rng=rng)
    results = {}
    for kind in MEASURES:
        results[kind] = in_child(kind)
        print(f"  measured {kind}", flush=True)
    return report(results, small, statistics_measured())


def report(results: dict[str, dict], small: dict, stats: dict) -> int:
    copy_rate = results["copy"]["rows"] / results["copy"]["seconds"]
    print(f"\n{SIZE:,} complaints, case-list level, every case:")
    print(f"  {'':12} {'rows/s':>10} {'× COPY':>7} {'rows':>10} {'queries':>8} {'memory':>9}")
    for kind, r in results.items():
        rate = r["rows"] / r["seconds"]
        print(
            f"  {kind:12} {rate:10,.0f} {rate / copy_rate:7.2f} {r['rows']:10,} "
            f"{r['queries']:8} {r['memory_growth'] / MB:7.1f} MB"
        )
    print(f"\nstatistics_refresh: {stats['refresh']:.1f} s")
    for name, (ratio, queries, _scans) in stats["pages"].items():
        print(f"  {name:34} {ratio:5.2f}× sign-in  {queries:3} queries")
    csv_rate = results["csv view"]["rows"] / results["csv view"]["seconds"]
    scans = [scan for _ratio, _q, found in stats["pages"].values() for scan in found]
    checks = {
        "CSV through the view ≥ 0.5 × COPY": csv_rate >= 0.5 * copy_rate,
        f"the same queries at {small['size']:,} and {SIZE:,}": small["queries"]
        == results["csv view"]["queries"],
        "the statistics pages ≤ 2 × the sign-in page": all(
            ratio <= 2 for ratio, _q, _s in stats["pages"].values()
        ),
        "no statistics query scans the complaint table": not scans,
        "every export's memory growth < 64 MB": all(
            r["memory_growth"] < 64 * MB for kind, r in results.items() if kind != "copy"
        ),
        "every export sent every row": all(r["rows"] == SIZE for r in results.values()),
    }
    for name, held in checks.items():
        print(f"  {'ok  ' if held else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        sys.exit(main())
