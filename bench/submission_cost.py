"""What filing a complaint and opening one with a receipt cost, against a trivial view.

Runs in one process against a throwaway test database, with Django's test client, so that the
figures are ratios measured in the same run on the same machine: wall-clock times alone would
say more about the machine than about the code. Prints one line per measurement.
"""

import os
import secrets
import statistics
import sys
import time
from base64 import urlsafe_b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allforrwanda.settings")
# Production refuses weak secrets (settings.refuse_weak_secrets): fresh ones for each run.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("RECEIPT_HASH_SECRET", secrets.token_urlsafe(48))
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS", "bench:" + urlsafe_b64encode(secrets.token_bytes(32)).decode()
)
os.environ.setdefault("STATIC_FROM_SOURCE", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tests.filing import file_through_pages  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


def median_seconds(action: object, rounds: int = ROUNDS) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        client = Client()
        trivial = median_seconds(lambda: client.get("/healthz"))
        filing = median_seconds(lambda: file_through_pages(Client()))
        filer = Client()
        file_through_pages(filer)
        receipt = "".join(filer.get("/file/receipt/").context["groups"])
        lookup = median_seconds(lambda: Client().post("/track/", {"receipt": receipt}))
        tracker = Client()
        tracker.post("/track/", {"receipt": receipt})
        for number in range(10):
            tracker.post("/track/case/message/", {"body": f"Message {number} " * 20})
        tracking = median_seconds(lambda: tracker.get("/track/case/"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"reference: trivial view          {trivial * 1000:8.2f} ms (= 1.0)")
    print(f"filing (8 requests, all steps)   {filing * 1000:8.2f} ms = {filing / trivial:7.1f}x")
    print(f"receipt lookup (1 request)       {lookup * 1000:8.2f} ms = {lookup / trivial:7.1f}x")
    print(
        f"tracking page, 10 messages       {tracking * 1000:8.2f} ms = {tracking / trivial:7.1f}x"
    )


if __name__ == "__main__":
    main()
