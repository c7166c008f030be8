"""Bytes a complainant's phone downloads for each public page, as served in production.

Usage: `make page-weight` (or `.venv/bin/python bench/page_weight.py`). It collects the static
files as `collectstatic` does for production (hashed names, compressed copies), starts gunicorn
with DEBUG off against a database of its own (SQLite, made for the run), and walks every public
page as a browser would, with its cookies and `Accept-Encoding: gzip, br`:

- first visit: the page and everything it loads (stylesheets, scripts, images), nothing cached;
- later visit: the page alone, its static files served "immutable" being in the browser's cache
  (a file without a long cache lifetime is counted again);
- after an error: the answer to the page sent empty or wrong (the error round-trip).

Counted: the bytes of each response as they travel (status line, headers, body as encoded).
Budgets (issue 10): first visit <= 60 KB, later visit <= 15 KB, error round-trip <= 15 KB. It
prints one line per page and exits 1 if a budget is exceeded.
"""

import http.client
import re
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.environment import production_like  # noqa: E402

KB = 1024
FIRST_VISIT_BUDGET = 60 * KB
LATER_VISIT_BUDGET = 15 * KB
ERROR_BUDGET = 15 * KB
ASSETS = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


class Browser:
    """Cookies, a cache of immutable static files, and the bytes of every response."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies, self.cached = port, {}, set()

    def request(
        self, method: str, path: str, data: dict | None = None
    ) -> tuple[int, dict, bytes, int]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Accept-Encoding": "gzip, br",
            "Accept-Language": "rw,en;q=0.5",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in response.getheaders()
        )
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie = SimpleCookie(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
        connection.close()
        return response.status, dict(response.getheaders()), raw, len(head) + 2 + len(raw)

    def page(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, int, int]:
        """A page and, after a redirect, the page it leads to: (status, html, page bytes, assets
        bytes not already in the cache)."""
        status, headers, raw, size = self.request(method, path, data)
        while status in (301, 302, 303):
            path = urlsplit(headers["Location"]).path + (
                "?" + urlsplit(headers["Location"]).query
                if urlsplit(headers["Location"]).query
                else ""
            )
            status, headers, raw, more = self.request("GET", path)
            size += more
        html = decoded(headers, raw)
        return status, html, size, self.assets(html)

    def assets(self, html: str) -> int:
        size = 0
        for url in dict.fromkeys(ASSETS.findall(html)):
            if url in self.cached:
                continue
            _status, headers, _raw, bytes_ = self.request("GET", url)
            size += bytes_
            if "immutable" in headers.get("Cache-Control", ""):
                self.cached.add(url)
        return size


def decoded(headers: dict, raw: bytes) -> str:
    encoding = headers.get("Content-Encoding", "")
    if encoding == "gzip":
        import gzip

        raw = gzip.decompress(raw)
    elif encoding == "br":
        raise SystemExit("an HTML page came back in Brotli: decode it here before reading it")
    return raw.decode()


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(folder: Path) -> tuple[subprocess.Popen, int]:
    for name in ("evidence", "spool"):
        (folder / name).mkdir()
    production_like(
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_FROM_SOURCE="0",
        STATIC_ROOT=str(folder / "static"),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        EVIDENCE_ROOT=str(folder / "evidence"),
        UPLOAD_SPOOL_DIR=str(folder / "spool"),
        LOG_LEVEL="ERROR",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"]):
        subprocess.run([*manage, *command], check=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "allforrwanda.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def walk(port: int) -> list[tuple[str, int, int, int | None]]:
    """(page, first visit bytes, later visit bytes, error round-trip bytes or None)."""
    import django

    django.setup()
    from complaints.filing import PAGES
    from tests.filing import step_data

    answers = step_data()
    rows = []

    def measure(name: str, path: str, error: dict | None = None) -> str:
        fresh = Browser(port)
        fresh.cookies = dict(browser.cookies)  # the same visit, with nothing cached
        _s, _html, size, assets = fresh.page("GET", path)
        status, html, later, _assets = browser.page("GET", path)
        assert status == 200 or name == "not-found", (name, status)
        failed = None
        if error is not None:
            status, _html, failed, _a = browser.page(
                "POST", path, {**error, "csrfmiddlewaretoken": csrf(html)}
            )
            assert status in (200, 400), (name, status)
            failed = failed if status == 400 else None  # nothing on the page is required
        rows.append((name, size + assets, later, failed))
        return html

    browser = Browser(port)
    browser.page("GET", "/")  # the language and session cookies a visit starts with
    measure("home", "/")
    for page in PAGES:
        path = f"/file/{page.slug}/"
        if page.slug == "review":
            html = measure("review", path)
            _s, receipt_html, size, assets = browser.page(
                "POST",
                path,
                {
                    "csrfmiddlewaretoken": csrf(html),
                    "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
                },
            )
            rows.append(("receipt (the answer to Send)", size + assets, size, None))
            digits = "".join(re.findall(r"<span>(\d{4})</span>", receipt_html))
            break
        error = {"next": "1"} if page.step.form_class else None
        html = measure(page.slug, path, error)
        step = answers[page.step.slug] if page.step.form_class else {}
        sent = {k: v for k, v in step.items() if not page.fields or k in page.fields}
        browser.page("POST", path, {**sent, "next": "1", "csrfmiddlewaretoken": csrf(html)})
    html = measure("track", "/track/", {"receipt": "1234 5678"})
    browser.page("POST", "/track/", {"receipt": digits, "csrfmiddlewaretoken": csrf(html)})
    measure("track-case", "/track/case/", {"body": ""})
    measure("withdraw", "/track/case/withdraw/", {"reason": ""})
    measure("appeal", "/track/case/appeal/")
    for path in [
        "/help/",
        "/help/after-filing/",
        "/help/who-sees-what/",
        "/help/protection/",
        "/help/staying-safe/",
        "/help/contact/",
    ]:
        measure(path.strip("/").replace("/", "-"), path)
    measure("not-found", "/no-such-page/")
    return rows


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="afr-weight-") as folder:
        server, port = serve(Path(folder))
        try:
            rows = walk(port)
        finally:
            server.terminate()
            server.wait(timeout=10)
    over = []
    print(f"{'page':<32}{'first visit':>12}{'later':>9}{'error':>9}   (KB; budgets 60 / 15 / 15)")
    for name, first, later, error in rows:
        shown = "" if error is None else f"{error / KB:.1f}"
        print(f"{name:<32}{first / KB:>12.1f}{later / KB:>9.1f}{shown:>9}")
        over += [f"{name}: first visit {first / KB:.1f} KB"] if first > FIRST_VISIT_BUDGET else []
        over += [f"{name}: later visit {later / KB:.1f} KB"] if later > LATER_VISIT_BUDGET else []
        over += [f"{name}: error {error / KB:.1f} KB"] if error and error > ERROR_BUDGET else []
    for line in over:
        print("OVER BUDGET", line)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
