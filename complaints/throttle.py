"""Throttling without keeping anyone's address.

Events are counted in buckets held in the cache. A bucket's key is an HMAC, under a secret, of
its scope, the current time window and what it counts by (the network address, or the session),
so the cache holds neither the address nor anything that links two windows; each bucket expires
with its window. Network ceilings are generous because a whole camp may share one address.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class Limit:
    scope: str
    window_seconds: int
    per_network: int
    per_session: int | None = None


def receipt_limit() -> Limit:
    return Limit(
        "receipt",
        settings.RECEIPT_THROTTLE_WINDOW_MINUTES * 60,
        per_network=settings.RECEIPT_FAILURES_PER_NETWORK,
        per_session=settings.RECEIPT_FAILURES_PER_SESSION,
    )


def receipt_bucket(typed: str) -> str:
    """Which network bucket a receipt attempt counts in: its first four digits.

    One informer on a camp's shared address must not be able to lock the whole camp out of
    tracking by typing wrong receipts: they would fill only the buckets of the prefixes they
    typed, and cannot know the prefix of anyone else's receipt. Guessing stays hopeless: 10^16
    receipts against a few dozen tries per prefix per window.
    """
    return "".join(ch for ch in typed if ch.isdigit())[:4]


def submission_limit() -> Limit:
    return Limit("submit", 3600, per_network=settings.SUBMISSIONS_PER_NETWORK_PER_HOUR)


def upload_limit() -> Limit:
    # Every file is decoded and re-encoded: the costliest thing a visitor can make us do.
    return Limit("upload", 3600, per_network=settings.EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR)


def _bucket_key(limit: Limit, window: int, kind: str, value: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"{limit.scope}:{window}:{kind}:{value}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"throttle:{digest}"


def _buckets(request: HttpRequest, limit: Limit, within: str) -> list[tuple[str, int]]:
    window = int(timezone.now().timestamp()) // limit.window_seconds
    address = request.META.get(settings.THROTTLE_CLIENT_HEADER, "") or ""
    buckets = [(_bucket_key(limit, window, "net", f"{address}/{within}"), limit.per_network)]
    if limit.per_session is not None and request.session.session_key:
        buckets.append(
            (_bucket_key(limit, window, "ses", request.session.session_key), limit.per_session)
        )
    return buckets


def throttle_exceeded(request: HttpRequest, limit: Limit, *, within: str = "") -> bool:
    """Whether a bucket is full. `within` splits the network bucket (see receipt_bucket)."""
    return any(
        (cache.get(key) or 0) >= ceiling for key, ceiling in _buckets(request, limit, within)
    )


def throttle_record(request: HttpRequest, limit: Limit, *, within: str = "") -> None:
    if limit.per_session is not None and not request.session.session_key:
        request.session.save()  # give an anonymous visitor a session bucket of their own
    for key, _ceiling in _buckets(request, limit, within):
        cache.add(key, 0, limit.window_seconds)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, limit.window_seconds)
