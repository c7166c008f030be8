"""The keys and the stored format: a wrong key is refused, what was stored stays readable."""

import base64
import dataclasses
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from complaints import crypto

KEY = crypto.new_key()
URL_SAFE_KEY = base64.urlsafe_b64encode(bytes([0xFB, 0xFF]) * 16).decode().rstrip("=")
# Written once by this code with the key below; stored values must stay readable for ever.
OLD_KEY = "old1:Go2JDuV2FrdavypASilzRjNfCE2AuA0eH1sYiYkffKc"
OLD_TEXT = "afr1:old1:1pA1a6X-1vA9VDae9fxcVsB2hpHpOkTrEqFgENL0vPYVYYRXZIVGmWaLKj2TqtbkkGMfSVxXVRc="
OLD_FILE = bytes.fromhex(
    "41465231046f6c6431cf43aa28434ca6a087d15935999820f656370ff532bfcc6b7c0d77efbe227bce71674137"
    "226ad0d4e5fa167112"
)
NARRATIVE = "complaints.complaint.narrative:1"
FILE = "complaints.evidence.file:1"
KEY_FORMAT = (
    "^FIELD_ENCRYPTION_KEYS entries must be 'id:base64url-of-32-bytes' with an alphanumeric id"
)


def encoded_key(size: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).decode().rstrip("=")


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("size", [16, 24, 31, 33, 64])
def test_a_key_that_is_not_exactly_32_bytes_is_refused_in_every_mode(settings, debug, size):
    settings.DEBUG = debug
    settings.FIELD_ENCRYPTION_KEYS = f"k:{encoded_key(size)}"

    with pytest.raises(ImproperlyConfigured, match=KEY_FORMAT):
        crypto.encrypt_text("anything", context=NARRATIVE)


@pytest.mark.parametrize(
    "entry",
    [
        "k",  # no key at all
        f"k:{KEY[:20]}!{KEY[20:]}",  # a stray character, once skipped without a word
        f"k:{KEY[:20]}!!{KEY[20:]}",
        f"k:{KEY[:-2]}",  # cut short
        f"k:{KEY}A",  # one character too many
        f"k:{KEY}==",
        f"k-1:{KEY}",  # the id is not alphanumeric
        f"clé:{KEY}",  # nor ASCII
        f":{KEY}",
        KEY,
    ],
)
def test_a_malformed_entry_is_refused_with_a_clear_error(settings, entry):
    settings.FIELD_ENCRYPTION_KEYS = f"good:{crypto.new_key()},{entry}"

    with pytest.raises(ImproperlyConfigured, match=KEY_FORMAT) as refused:
        crypto.keyring()
    assert KEY not in str(refused.value)  # the message never shows a key


def test_the_same_key_id_twice_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"k:{crypto.new_key()}, k:{crypto.new_key()}"

    with pytest.raises(
        ImproperlyConfigured, match=r"^FIELD_ENCRYPTION_KEYS names the key 'k' twice\.$"
    ):
        crypto.keyring()


@pytest.mark.parametrize("spec", ["", " , ,"])
def test_no_key_is_refused(settings, spec):
    settings.FIELD_ENCRYPTION_KEYS = spec

    with pytest.raises(ImproperlyConfigured, match=r"^FIELD_ENCRYPTION_KEYS holds no key\.$"):
        crypto.keyring()


def test_a_well_formed_key_with_or_without_padding_is_accepted(settings):
    assert "-" in URL_SAFE_KEY
    assert "_" in URL_SAFE_KEY
    settings.FIELD_ENCRYPTION_KEYS = f" a:{KEY}= ,b:{URL_SAFE_KEY}"

    ring = crypto.keyring()

    assert ring.active_id == "a"
    assert set(ring.keys) == {"a", "b"}
    assert crypto.keyring() is ring  # parsed once, not on every value read
    with pytest.raises(dataclasses.FrozenInstanceError):
        ring.active_id = "b"  # shared by every request: nobody may change it in place


def test_new_keys_are_32_random_bytes_without_padding():
    keys = {crypto.new_key() for _ in range(50)}

    assert len(keys) == 50
    for key in keys:
        assert "=" not in key
        assert len(base64.urlsafe_b64decode(key + "=")) == 32


def test_values_stored_by_earlier_versions_stay_readable(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"new:{KEY},{OLD_KEY}"

    assert crypto.decrypt_text(OLD_TEXT, context=NARRATIVE) == "Murakoze, the words as filed"
    assert crypto.decrypt_bytes(OLD_FILE, context=FILE) == b"%PDF-1.4 evidence"
    assert crypto.text_key_id(OLD_TEXT) == "old1"
    assert crypto.bytes_key_id(OLD_FILE) == "old1"


def test_the_first_key_encrypts_in_the_stored_format(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"new:{KEY},{OLD_KEY}"

    token = crypto.encrypt_text("Murakoze", context=NARRATIVE)
    blob = crypto.encrypt_bytes(b"%PDF", context=FILE)

    prefix, key_id, sealed = token.split(":")
    assert (prefix, key_id) == ("afr1", "new")
    assert len(base64.urlsafe_b64decode(sealed)) == 12 + len("Murakoze") + 16  # nonce, tag
    assert blob[:8] == b"AFR1\x03new"
    assert len(blob) == 8 + 12 + 4 + 16
    assert crypto.decrypt_text(token, context=NARRATIVE) == "Murakoze"
    assert crypto.decrypt_bytes(blob, context=FILE) == b"%PDF"


def test_each_value_is_sealed_with_a_fresh_nonce(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"new:{KEY}"

    assert crypto.encrypt_text("same", context=NARRATIVE) != crypto.encrypt_text(
        "same", context=NARRATIVE
    )


@pytest.mark.parametrize(
    "token", ["afr1", "afr1:old1", "plain words", OLD_TEXT.replace("afr1", "afr2")]
)
def test_a_text_that_is_not_a_whole_ciphertext_is_refused(settings, token):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_text(token, context=NARRATIVE)


def test_a_garbled_or_truncated_text_says_why(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY

    with pytest.raises(crypto.DecryptionFailed, match=r"^not an encrypted value$"):
        crypto.decrypt_text("afr1:old1:abc", context=NARRATIVE)
    with pytest.raises(crypto.DecryptionFailed, match=r"^too short to be a ciphertext$"):
        crypto.decrypt_text("afr1:old1:", context=NARRATIVE)


def test_a_truncated_file_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY

    for length in (0, 4, 5, 9, 20, len(OLD_FILE) - 1):
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt_bytes(OLD_FILE[:length], context=FILE)
    with pytest.raises(crypto.DecryptionFailed, match="no key"):
        crypto.decrypt_bytes(OLD_FILE[:5] + b"\xffld1" + OLD_FILE[9:], context=FILE)


def test_an_empty_value_is_sealed_and_read_back(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY

    assert crypto.decrypt_text(crypto.encrypt_text("", context=NARRATIVE), context=NARRATIVE) == ""
    assert crypto.decrypt_bytes(crypto.encrypt_bytes(b"", context=FILE), context=FILE) == b""


def test_a_ciphertext_of_another_format_version_is_refused_not_guessed(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY

    with pytest.raises(crypto.DecryptionFailed, match=r"^not an encrypted value$"):
        crypto.decrypt_text(OLD_TEXT.replace("afr1", "afr2", 1), context=NARRATIVE)
    with pytest.raises(crypto.DecryptionFailed, match=r"^not an encrypted file$"):
        crypto.decrypt_bytes(b"AFR2" + OLD_FILE[4:], context=FILE)


def test_a_ciphertext_whose_key_is_gone_names_the_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"new:{KEY}"

    with pytest.raises(crypto.DecryptionFailed, match=r"^no key 'old1' in FIELD_ENCRYPTION_KEYS$"):
        crypto.decrypt_text(OLD_TEXT, context=NARRATIVE)
    with pytest.raises(crypto.DecryptionFailed, match="no key 'old1'"):
        crypto.decrypt_bytes(OLD_FILE, context=FILE)


def test_an_altered_ciphertext_or_another_context_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY
    altered = OLD_FILE[:-1] + bytes([OLD_FILE[-1] ^ 1])

    with pytest.raises(
        crypto.DecryptionFailed, match=r"^ciphertext does not belong here or was altered$"
    ):
        crypto.decrypt_bytes(altered, context=FILE)
    with pytest.raises(
        crypto.DecryptionFailed, match=r"^ciphertext does not belong here or was altered$"
    ):
        crypto.decrypt_text(OLD_TEXT, context="complaints.complaint.narrative:2")
