"""Receipts: the complainant's secret, and the only thing that opens their case.

A receipt is 16 random digits. Only a keyed, deterministic Argon2id hash is stored, so a lookup
is one indexed query and a stolen database alone cannot test guesses without the secret.
"""

import hashlib
import hmac
import re
import secrets

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

RECEIPT_DIGITS = 16
# OWASP's minimum for Argon2id, which ASVS 5.0 points to: 19 MiB, 2 passes, 1 lane.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread on a phone


def receipt_new() -> str:
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def receipt_normalise(typed: str) -> str | None:
    """The 16 digits of what someone typed (spaces and dashes allowed), or None."""
    digits = re.sub(r"[\s\-.]", "", typed or "")
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def receipt_groups(receipt: str) -> list[str]:
    return [receipt[i : i + 4] for i in range(0, RECEIPT_DIGITS, 4)]


def _key(purpose: bytes) -> bytes:
    return hmac.new(settings.RECEIPT_HASH_SECRET.encode(), purpose, hashlib.sha256).digest()


def receipt_hash(receipt: str) -> str:
    keyed = hmac.new(_key(b"receipt-input"), receipt.encode(), hashlib.sha256).digest()
    digest = hash_secret_raw(
        secret=keyed,
        salt=_key(b"receipt-salt")[:16],
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    )
    return digest.hex()


def reference_new() -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"AFR-{chars[:4]}-{chars[4:]}"
