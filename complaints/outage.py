"""When the database or the cache cannot be reached: a 503 that says what was kept, never a 500.

Django turns any exception a view or a middleware raises into the answer of `handler500`, and it
calls that handler while the exception is still being handled, so `server_error` can tell an
outage (the database refused, dropped or did not answer in time; the cache did the same) from a
bug. An outage gets a translated 503 with `Retry-After`; on a public form, what was typed on the
page comes back in a form that sends it again, so nothing has to be typed twice. A bug gets the
static 500 page. Neither page needs the database, the cache or the session to be rendered.
"""

import logging
import select
import sys
import threading
import time

import redis.exceptions
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

DATABASE_OUTAGE = (OperationalError, InterfaceError)
CACHE_OUTAGE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# Typed values never carried into the retry form: a receipt or a password is never written into
# a page, and the form brings its own CSRF token. Only the public forms' fields are carried.
NOT_CARRIED = {"receipt", "csrfmiddlewaretoken"}
PUBLIC_NAMESPACE = "complaints"
# One log line per kind of outage and per minute, naming no page: a line per request, with its
# time and path, would record when each person tried to file (see "No log line" in services).
LOG_EVERY_SECONDS = 60
_last_logged: dict[str, float] = {}
_log_lock = threading.Lock()

PLAIN_500 = (
    "Sorry, something went wrong on our side. Nothing you sent from this page was saved.\n"
    "Désolés, une erreur s'est produite de notre côté. Rien de ce que vous avez envoyé "
    "depuis cette page n'a été enregistré.\n"
)


class CacheUnavailable(redis.exceptions.ConnectionError):
    """The cache holding sessions did not answer: raised instead of acting on an empty session."""


def outage_kind(error: BaseException | None) -> str | None:
    """ "database" or "cache" when `error` (or what caused it) is an outage; None for a bug."""
    while error is not None:
        if isinstance(error, CACHE_OUTAGE):
            return "cache"
        if isinstance(error, DATABASE_OUTAGE):
            return "database"
        error = error.__cause__ or error.__context__
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 for an outage, the static 500 page for anything else."""
    error = sys.exc_info()[1]
    kind = outage_kind(error)
    try:
        if kind:
            _outage_log(kind, error)
            response = outage_response(request, kind)
            response._has_been_logged = True  # Django's line names the page: _outage_log instead
            return response
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # the error page itself failed: answer in plain words all the same
        logger.exception("The error page could not be rendered")
        return HttpResponse(
            PLAIN_500,
            status=503 if kind else 500,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(settings.OUTAGE_RETRY_AFTER_SECONDS)} if kind else {},
        )


def outage_response(request: HttpRequest, kind: str) -> HttpResponse:
    # Rendered without the request's context processors: they would read the session and the
    # user, which live in what is unreachable.
    try:  # by what the address resolves to, not by its text: the site may live under a prefix
        namespace = resolve(request.path_info).namespace
    except Resolver404:
        namespace = ""
    public = namespace != "admin"
    carried = []
    if namespace == PUBLIC_NAMESPACE and request.method == "POST":
        carried = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in NOT_CARRIED and "password" not in name and "otp" not in name
            for value in values
        ]
    context = {
        "request": request,
        "csrf_token": get_token(request),  # from the cookie: no session, no database
        "kind": kind,
        "public": public,
        "carried": carried,
        "files_dropped": bool(request.method == "POST" and request.FILES),
        "filing": request.path.startswith("/file/"),
        "retry_minutes": max(1, round(settings.OUTAGE_RETRY_AFTER_SECONDS / 60)),
    }
    response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    return response


def _outage_log(kind: str, error: BaseException | None) -> None:
    now = time.monotonic()
    with _log_lock:
        if now - _last_logged.get(kind, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
            return
        _last_logged[kind] = now
    logger.error(
        "The %s cannot be reached (%s); pages that need it answer 503",
        kind,
        type(error).__name__,
    )


def bounded_wait(connection: object) -> None:
    """psycopg2's wait callback, with a deadline the database cannot hold past.

    With a callback installed, psycopg2 never blocks in libpq: it asks this function to wait
    until the socket is ready. A frozen server (one that accepts connections and never answers)
    would otherwise hold a worker until the process manager kills it; here the wait ends after
    DATABASE_CLIENT_TIMEOUT_SECONDS and the request gets the outage page.
    """
    import psycopg2
    import psycopg2.extensions as ext

    deadline = time.monotonic() + settings.DATABASE_CLIENT_TIMEOUT_SECONDS
    while True:
        state = connection.poll()
        if state == ext.POLL_OK:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise psycopg2.OperationalError("the database did not answer in time")
        if state not in (ext.POLL_READ, ext.POLL_WRITE):
            raise psycopg2.OperationalError(f"unexpected poll state {state}")
        # poll(), not select(): select() fails outright for descriptors above 1024.
        waiting = select.poll()
        event = select.POLLIN if state == ext.POLL_READ else select.POLLOUT
        waiting.register(connection.fileno(), event)
        waiting.poll(remaining * 1000)
