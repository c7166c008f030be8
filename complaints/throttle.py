"""Throttling wrong receipts without keeping anyone's address.

Each failure is counted in two buckets: the session, and the network the request came from.
A network bucket's key is an HMAC of the address and the current time window under a secret, so
the cache holds neither the address nor anything that links two windows; it expires with the
window. The network ceiling is generous because a whole camp may share one address.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def _window_seconds() -> int:
    return settings.RECEIPT_THROTTLE_WINDOW_MINUTES * 60


def _buckets(request: HttpRequest) -> list[tuple[str, int]]:
    window = int(timezone.now().timestamp()) // _window_seconds()
    address = request.META.get(settings.THROTTLE_CLIENT_HEADER, "") or ""
    secret = settings.SECRET_KEY.encode()
    network = hmac.new(secret, f"{window}:{address}".encode(), hashlib.sha256).hexdigest()
    buckets = [(f"throttle:net:{network}", settings.RECEIPT_FAILURES_PER_NETWORK)]
    if request.session.session_key:
        session = hmac.new(
            secret, f"{window}:{request.session.session_key}".encode(), hashlib.sha256
        ).hexdigest()
        buckets.append((f"throttle:ses:{session}", settings.RECEIPT_FAILURES_PER_SESSION))
    return buckets


def receipt_attempts_blocked(request: HttpRequest) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _buckets(request))


def receipt_failure_record(request: HttpRequest) -> None:
    if not request.session.session_key:
        request.session.save()  # give an anonymous visitor a session bucket of their own
    for key, _limit in _buckets(request):
        cache.add(key, 0, _window_seconds())
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, _window_seconds())
