"""What every hostile-input test checks: no server error, a message on refusal, nothing kept.

Shared by the fuzzing, malformed-request and stored-payload suites. Sessions live in the cache, so
a test that wants a fresh visitor clears the cache and the client's cookies.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from complaints.models import Complainant, Complaint, Evidence, Message, StatusChange, Victim
from tests.filing import TESTDATA

NUL_MARKER = "\\x00"
HOSTILE = [
    line.replace(NUL_MARKER, "\x00")
    for line in (TESTDATA / "hostile_strings.txt").read_text(encoding="utf-8").splitlines()
    if line
]
PDF = (TESTDATA / "minimal.pdf").read_bytes()
JPEG = (TESTDATA / "photo_with_gps.jpg").read_bytes()

FILING_STEPS = ["about", "victims", "what", "remedies", "consents"]
# Every public endpoint that accepts a POST, with whether it needs data to do anything: those that
# do must refuse an empty or unreadable form with a 4xx; the others (go on from the evidence step,
# confirm the receipt, finish a draft that is not complete, switch language) answer with a redirect.
POST_ENDPOINTS = {
    "/file/about/": True,
    "/file/victims/": True,
    "/file/what/": True,
    "/file/remedies/": True,
    "/file/evidence/": False,
    "/file/consents/": True,
    "/file/review/": False,
    "/file/receipt/": False,
    "/track/": True,
    "/track/case/message/": True,
    "/track/case/evidence/": True,
    "/track/case/withdraw/": True,
    "/i18n/setlang/": False,
}
NEEDS_DATA = [path for path, needs in POST_ENDPOINTS.items() if needs]

# What the site's own error pages and form errors look like (English, the default language).
ERROR_PAGE_TITLES = [
    "Something was wrong with the request",
    "Please try again",
    "Not available",
    "Page not found",
]
_ERROR_ELEMENT = re.compile(
    r'class="[^"]*\b(?:invalid-feedback|alert-danger|alert-warning)\b[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*[^<\s]'
)


def fresh_visitor(client: Client) -> None:
    """Forget the visitor's session (sessions live in the cache) and cookies."""
    cache.clear()
    client.cookies.clear()


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one fuzzing example in a savepoint that is undone, so examples cannot see each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def evidence_files() -> list[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def stored() -> dict[str, object]:
    """Everything a public form can write: row counts, each complaint's status, files on disk."""
    models = (Complainant, Complaint, Victim, Evidence, Message, StatusChange)
    return {
        **{model.__name__: model.objects.count() for model in models},
        "statuses": sorted(Complaint.objects.values_list("pk", "status")),
        "files": evidence_files(),
    }


def explain(response: HttpResponse) -> str:
    """The request and, for a server error, the exception: what a failing assertion should say."""
    request = response.wsgi_request
    exc_info = getattr(response, "exc_info", None)
    error = f" raised {exc_info[0].__name__}: {exc_info[1]}" if exc_info else ""
    return f"{request.method} {request.path} -> {response.status_code}{error}"


def html_of(response: HttpResponse) -> str:
    return response.content.decode("utf-8", errors="replace")


def shows_an_error(html: str) -> bool:
    """A form error next to a field or above the form, or one of the site's error pages."""
    titles = re.findall(r"<title>(.*?)</title>", html, flags=re.DOTALL)
    return bool(_ERROR_ELEMENT.search(html)) or any(
        error in title for title in titles for error in ERROR_PAGE_TITLES
    )


def assert_clean_answer(response: HttpResponse) -> None:
    """Never a server error or a traceback; a refusal says what was wrong; redirects stay here."""
    html = html_of(response)
    assert response.status_code < 500, explain(response)
    assert "Traceback" not in html, explain(response)
    if 400 <= response.status_code < 500 and response.status_code != 405:
        assert shows_an_error(html), f"{explain(response)} without an error message"
    if 300 <= response.status_code < 400:
        assert stays_on_site(response["Location"]), f"{explain(response)} to {response['Location']}"


def stays_on_site(location: str) -> bool:
    """A path on this site or an absolute URL to it, never another host ("/\\x" means "//x")."""
    parts = urlsplit(location)
    return (
        parts.scheme in ("", "http", "https")
        and parts.netloc in ("", "testserver")
        and not location.replace("\\", "/").startswith("//")
    )


def assert_refused(response: HttpResponse) -> None:
    """A 4xx that says what was wrong."""
    assert_clean_answer(response)
    assert 400 <= response.status_code < 500, explain(response)


# --- Live markup: what an injected payload would need in order to run ---------------------------

_JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
# SVG itself is fine (the admin draws its icons with it); an SVG that runs code has an on* handler.
_ACTIVE_TAGS = {"iframe", "frame", "frameset", "object", "embed", "base", "applet"}
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def _scheme_of(url: str) -> str:
    # Browsers ignore leading control characters and spaces, and tabs or newlines anywhere.
    return re.sub(r"[\x00-\x20]", "", url).lower()


class _LiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append((tag, name, value))
            if name in _URL_ATTRIBUTES and _scheme_of(value).startswith(_DANGEROUS_SCHEMES):
                self.found.append((tag, name, value))
        if tag in _ACTIVE_TAGS:
            self.found.append((tag, tuple(sorted(values.items()))))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append((tag, "refresh", values.get("content", "")))
        if tag == "script" and "src" not in values and values.get("type") not in _JSON_SCRIPT_TYPES:
            self._script = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.found.append(("script", "inline", "".join(self._script).strip()))
            self._script = None


def live_markup(html: str) -> list[tuple]:
    """Inline scripts, on* handlers, frames and embeds, and javascript: links in a page.

    The site's own pages have none (their Content-Security-Policy would block an inline script
    anyway), so anything found came from what someone typed.
    """
    parser = _LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def csrf_headers(client: Client) -> dict[str, str]:
    """The CSRF token as a header: it still counts when the body itself cannot be read."""
    return {"X-CSRFToken": client.cookies[settings.CSRF_COOKIE_NAME].value}
