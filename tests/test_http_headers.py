"""Every response carries the security headers; production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "production-like-secret-key-for-the-deploy-check-0123456789-abcdefghij",
    "RECEIPT_HASH_SECRET": "production-like-receipt-secret-0123456789",
    "FIELD_ENCRYPTION_KEYS": "k1:dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5ISE",
    "ALLOWED_HOSTS": "complaints.example.org",
    "STATIC_FROM_SOURCE": "0",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
}


def every_path(resolver: URLResolver = None, prefix: str = "") -> list[str]:
    """One concrete path for every URL pattern of the site, numbers filled in with 1."""
    resolver = resolver or get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(pattern, URLResolver):
            paths += every_path(pattern, route)
        elif isinstance(pattern, URLPattern):
            for name, converter in (
                pattern.pattern.converters.items() if hasattr(pattern.pattern, "converters") else []
            ):
                value = "1" if type(converter).__name__ == "IntConverter" else "about"
                route = route.replace(f"<{type(converter).__name__[:-9].lower()}:{name}>", value)
            if "<" not in route and "(?P" not in route:
                paths.append("/" + route)
    return sorted(set(paths))


def production(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "allforrwanda.settings"}
    return subprocess.run(
        [sys.executable, *code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_passes_with_production_settings():
    result = production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure_and_out_of_reach_of_scripts():
    result = production(
        [
            "-c",
            (
                "import django; django.setup(); from django.conf import settings as s; "
                "print([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
                "s.CSRF_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, "
                "s.SECURE_HSTS_SECONDS >= 31536000])"
            ),
        ]
    )

    assert result.stdout.strip() == str([True] * 7), result.stderr


def test_every_url_of_the_site_is_covered_by_the_header_test():
    paths = every_path()

    assert "/" in paths
    assert "/track/case/" in paths
    assert "/staff/" in paths
    assert len(paths) > 15


@pytest.mark.parametrize("path", every_path())
def test_every_response_carries_the_security_headers(client, db, path, settings):
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_SSL_REDIRECT = False

    response = client.get(path, secure=True)

    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_security_txt_says_where_to_report_and_has_not_expired(client, db, settings):
    from datetime import datetime, timedelta

    settings.SECURITY_CONTACT = "mailto:security@example.org"

    response = client.get("/.well-known/security.txt")

    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert response["Content-Type"].startswith("text/plain")
    assert fields["Contact"] == "mailto:security@example.org"
    expires = datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    assert timedelta(days=300) < expires - datetime.now(expires.tzinfo) <= timedelta(days=366)
