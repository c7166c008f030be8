"""Authenticated encryption at rest for what identifies people and what they wrote.

AES-256-GCM with a random 96-bit nonce. Every ciphertext is bound to a *context* — the model,
field and row it belongs to — passed as associated data, so a ciphertext copied into another
row or field fails to decrypt instead of showing someone else's words.

Keys come from settings.FIELD_ENCRYPTION_KEYS ("id:base64url-key", comma separated): the first
encrypts, all decrypt. Each ciphertext names its key, so keys can be rotated in and, after
`manage.py encryption_rotate`, removed.
"""

import base64
import binascii
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TEXT_PREFIX = "afr1"
FILE_MAGIC = b"AFR1"
NONCE_BYTES = 12
KEY_BYTES = 32  # AES-256
TAG_BYTES = 16


class DecryptionFailed(Exception):
    """Wrong key, wrong context or tampered data: never returns a guess."""


@dataclass(frozen=True)
class Keyring:
    active_id: str
    keys: dict[str, AESGCM]


@lru_cache(maxsize=4)
def _parse(spec: str) -> Keyring:
    keys: dict[str, AESGCM] = {}
    for item in (part.strip() for part in spec.split(",") if part.strip()):
        key_id, raw = _entry(item)
        if key_id in keys:  # a second key under one id would silently replace the first
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS names the key {key_id!r} twice.")
        keys[key_id] = AESGCM(raw)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    return Keyring(active_id=next(iter(keys)), keys=keys)


def _entry(item: str) -> tuple[str, bytes]:
    """One "id:key" entry; anything but an alphanumeric id and 32 bytes of key is refused.

    Production settings check this too, but a key of the wrong size must never reach AES in any
    mode: AESGCM would take 16 or 24 bytes as AES-128 or AES-192 without a word.
    """
    key_id, _sep, encoded = item.partition(":")
    try:
        # validate=True: a stray character is an error, not silently skipped.
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars="-_", validate=True)
    except binascii.Error:
        raw = b""
    if not (key_id.isascii() and key_id.isalnum()) or len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS entries must be 'id:base64url-of-32-bytes' with an "
            "alphanumeric id: make a key with `python manage.py encryption_rotate --new-key`."
        )
    return key_id, raw


def keyring() -> Keyring:
    return _parse(settings.FIELD_ENCRYPTION_KEYS)


def new_key() -> str:
    """A fresh key in the settings format, for operators (see SECURITY.md)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode().rstrip("=")


def _seal(data: bytes, context: str) -> tuple[str, bytes]:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    return ring.active_id, nonce + ring.keys[ring.active_id].encrypt(nonce, data, context.encode())


def _open(key_id: str, sealed: bytes, context: str) -> bytes:
    key = keyring().keys.get(key_id)
    if key is None:
        raise DecryptionFailed(f"no key {key_id!r} in FIELD_ENCRYPTION_KEYS")
    if len(sealed) < NONCE_BYTES + TAG_BYTES:  # AESGCM would raise a bare ValueError
        raise DecryptionFailed("too short to be a ciphertext")
    try:
        return key.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode())
    except InvalidTag as error:
        raise DecryptionFailed("ciphertext does not belong here or was altered") from error


def encrypt_text(text: str, *, context: str) -> str:
    key_id, sealed = _seal(text.encode(), context)
    return f"{TEXT_PREFIX}:{key_id}:{base64.urlsafe_b64encode(sealed).decode()}"


def decrypt_text(token: str, *, context: str) -> str:
    prefix, key_id, encoded = ([*token.split(":", 2), "", ""])[:3]
    if prefix != TEXT_PREFIX:
        raise DecryptionFailed("not an encrypted value")
    try:
        sealed = base64.urlsafe_b64decode(encoded)
    except binascii.Error as error:
        raise DecryptionFailed("not an encrypted value") from error
    return _open(key_id, sealed, context).decode()


def text_key_id(token: str) -> str:
    return token.split(":", 2)[1]


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    key_id, sealed = _seal(data, context)
    encoded_id = key_id.encode()
    return FILE_MAGIC + bytes([len(encoded_id)]) + encoded_id + sealed


def _file_parts(blob: bytes) -> tuple[str, bytes]:
    if len(blob) <= len(FILE_MAGIC) or not blob.startswith(FILE_MAGIC):
        raise DecryptionFailed("not an encrypted file")
    length = blob[len(FILE_MAGIC)]
    start = len(FILE_MAGIC) + 1
    # A garbled id names no key (and is refused as such) rather than raising UnicodeDecodeError.
    return blob[start : start + length].decode(errors="replace"), blob[start + length :]


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    key_id, sealed = _file_parts(blob)
    return _open(key_id, sealed, context)


def bytes_key_id(blob: bytes) -> str:
    return _file_parts(blob)[0]
