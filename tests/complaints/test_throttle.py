from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from complaints import throttle
from complaints.receipts import receipt_groups
from complaints.sessions import SessionStore
from complaints.throttle import (
    receipt_bucket,
    receipt_limit,
    submission_limit,
    throttle_exceeded,
    throttle_record,
    upload_limit,
)

# A whole hour by the clock: the start of a window of 10 minutes, of 15, and of an hour.
HOUR = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Clock:
    """The time source complaints.throttle reads, standing still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


@pytest.fixture
def clock(monkeypatch):
    stopped = Clock(HOUR)
    monkeypatch.setattr(throttle, "timezone", stopped)
    return stopped


@pytest.fixture
def ceilings(settings):
    """Small network ceilings, a window of 10 minutes for receipts, and no session ceiling."""
    settings.RECEIPT_THROTTLE_WINDOW_MINUTES = 10
    settings.RECEIPT_FAILURES_PER_NETWORK = 2
    settings.RECEIPT_FAILURES_PER_SESSION = 1000
    settings.SUBMISSIONS_PER_NETWORK_PER_HOUR = 2
    settings.EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR = 2
    return settings


def visitor(address: str = "10.0.0.1", session: SessionStore | None = None):
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    request.session = session or SessionStore()
    return request


WINDOWS = {
    "receipt": (receipt_limit, timedelta(minutes=10)),
    "submission": (submission_limit, timedelta(hours=1)),
    "upload": (upload_limit, timedelta(hours=1)),
}


@pytest.mark.parametrize("kind", WINDOWS)
def test_events_anywhere_in_one_window_count_together(kind, clock, ceilings):
    limit, length = WINDOWS[kind]
    throttle_record(visitor(), limit())
    clock.set(HOUR + length - timedelta(seconds=1))
    throttle_record(visitor(), limit())

    assert throttle_exceeded(visitor(), limit())


@pytest.mark.parametrize("kind", WINDOWS)
def test_the_next_window_starts_afresh(kind, clock, ceilings):
    limit, length = WINDOWS[kind]
    throttle_record(visitor(), limit())
    throttle_record(visitor(), limit())
    assert throttle_exceeded(visitor(), limit())

    clock.set(HOUR + length)

    assert not throttle_exceeded(visitor(), limit())


@pytest.mark.parametrize("ceiling", [1, 3])
def test_a_ceiling_of_n_lets_exactly_n_events_through_in_a_window(ceiling, clock, settings):
    settings.SUBMISSIONS_PER_NETWORK_PER_HOUR = ceiling
    let_through = 0
    while not throttle_exceeded(visitor(), submission_limit()) and let_through <= ceiling:
        throttle_record(visitor(), submission_limit())
        let_through += 1

    assert let_through == ceiling


def test_each_address_has_its_own_network_bucket(clock, ceilings):
    for _ in range(2):
        throttle_record(visitor("10.0.0.1"), submission_limit())

    assert throttle_exceeded(visitor("10.0.0.1"), submission_limit())
    assert not throttle_exceeded(visitor("10.0.0.2"), submission_limit())


@pytest.mark.parametrize(
    ("typed", "bucket"),
    [
        ("1234 5678 9012 3456", "1234"),
        ("1234567890123456", "1234"),
        ("12-34-56-78", "1234"),
        ("0987 6543", "0987"),
    ],
)
def test_a_receipt_attempt_counts_in_the_bucket_of_its_first_four_digits(typed, bucket):
    assert receipt_bucket(typed) == bucket


def test_wrong_receipts_fill_only_the_bucket_of_their_first_four_digits(clock, ceilings):
    for typed in ["1234 5678 0000 0000", "1234 9999 0000 0000"]:
        throttle_record(visitor(), receipt_limit(), within=receipt_bucket(typed))

    def held_back(typed: str) -> bool:
        return throttle_exceeded(visitor(), receipt_limit(), within=receipt_bucket(typed))

    assert held_back("1234 0000 1111 2222")  # the same first four digits, the fifth differs
    assert not held_back("1235 5678 0000 0000")


def test_a_visitor_without_a_session_gets_one_and_its_ceiling_holds_them_back(clock, settings):
    settings.RECEIPT_FAILURES_PER_SESSION = 2
    settings.RECEIPT_FAILURES_PER_NETWORK = 1000
    session = SessionStore()
    for _ in range(2):
        throttle_record(visitor(session=session), receipt_limit(), within="1234")

    assert session.session_key is not None
    assert throttle_exceeded(visitor(session=session), receipt_limit(), within="1234")
    assert not throttle_exceeded(visitor(), receipt_limit(), within="1234")  # another phone


@pytest.mark.parametrize("limit", [submission_limit, upload_limit], ids=["submit", "upload"])
def test_counting_what_has_no_session_ceiling_starts_no_session(limit, clock):
    session = SessionStore()

    throttle_record(visitor(session=session), limit())

    assert session.session_key is None


def test_the_receipt_window_holds_across_the_tracking_page(complainant_case, clock, settings):
    settings.RECEIPT_THROTTLE_WINDOW_MINUTES = 10
    settings.RECEIPT_FAILURES_PER_SESSION = 2
    _complaint, receipt = complainant_case
    phone = Client()
    phone.post("/track/", {"receipt": "1111 1111 1111 1111"})
    clock.set(HOUR + timedelta(minutes=9, seconds=59))
    phone.post("/track/", {"receipt": "1111 1111 1111 1111"})

    held_back = phone.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})
    clock.set(HOUR + timedelta(minutes=10))
    let_in = phone.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})

    assert held_back.status_code == 429
    assert let_in.status_code == 302


class RacingCache:
    """The cache, with another request's attempt slipped in where the test says."""

    def __init__(self, *, expire_before_incr: bool = False, race_after_miss: bool = False):
        self.expire_before_incr = expire_before_incr
        self.race_after_miss = race_after_miss
        self.others = 0

    def __getattr__(self, name: str):
        return getattr(cache, name)

    def incr(self, key: str) -> int:
        if self.expire_before_incr:
            self.expire_before_incr = False
            cache.delete(key)  # the window's bucket expires between add and incr
        try:
            return cache.incr(key)
        except ValueError:
            if self.race_after_miss:
                self.race_after_miss = False
                self.others += 1
                throttle_record(visitor(), submission_limit())  # another request, same address
            raise


def test_an_attempt_counts_even_when_its_bucket_expires_as_it_is_counted(
    clock, ceilings, monkeypatch
):
    monkeypatch.setattr(throttle, "cache", RacingCache(expire_before_incr=True))
    throttle_record(visitor(), submission_limit())
    assert not throttle_exceeded(visitor(), submission_limit())

    throttle_record(visitor(), submission_limit())

    assert throttle_exceeded(visitor(), submission_limit())


def test_two_attempts_arriving_together_both_count(clock, settings, monkeypatch):
    racing = RacingCache(race_after_miss=True)
    monkeypatch.setattr(throttle, "cache", racing)

    throttle_record(visitor(), submission_limit())

    settings.SUBMISSIONS_PER_NETWORK_PER_HOUR = 1 + racing.others
    assert throttle_exceeded(visitor(), submission_limit())


def test_a_limit_cannot_be_loosened_by_the_code_that_reads_it():
    limit = receipt_limit()

    with pytest.raises(FrozenInstanceError):
        limit.per_network = 10**6
