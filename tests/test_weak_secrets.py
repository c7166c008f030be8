"""Production refuses to start on a development secret or a weak one, naming the variable only."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG = {
    "SECRET_KEY": secrets.token_urlsafe(48),
    "RECEIPT_HASH_SECRET": secrets.token_urlsafe(48),
    "FIELD_ENCRYPTION_KEYS": "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}
DEV_KEY = "dev:ZGV2LW9ubHktaW5zZWN1cmUtZmllbGQta2V5LTMyYiE"
SIXTEEN_BYTE_KEY = "k2:" + base64.urlsafe_b64encode(b"0123456789abcdef").decode()


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **STRONG, **overrides, "DEBUG": "0"}
    env.update(DJANGO_SETTINGS_MODULE="allforrwanda.settings", ALLOWED_HOSTS="example.org")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FIELD_ENCRYPTION_KEYS", DEV_KEY),
        ("FIELD_ENCRYPTION_KEYS", f"{STRONG['FIELD_ENCRYPTION_KEYS']},{DEV_KEY}"),
        ("FIELD_ENCRYPTION_KEYS", SIXTEEN_BYTE_KEY),
        ("RECEIPT_HASH_SECRET", "r"),
        ("RECEIPT_HASH_SECRET", "dev-only-insecure-receipt-secret"),
        ("RECEIPT_HASH_SECRET", "a" * 40),
        ("SECRET_KEY", "dev-only-insecure-secret-key"),
        ("SECRET_KEY", "short-key"),
    ],
)
def test_production_refuses_a_development_or_weak_secret_and_never_prints_it(name, value):
    result = deploy_check(**{name: value})

    assert result.returncode != 0
    assert f"{name} " in result.stderr
    secret_part = value.rpartition(":")[2] if name == "FIELD_ENCRYPTION_KEYS" else value
    if len(secret_part) >= 8:  # a one-letter secret is in any text
        assert secret_part not in result.stderr


def test_production_starts_with_strong_secrets_of_its_own():
    result = deploy_check()

    assert "ImproperlyConfigured" not in result.stderr
