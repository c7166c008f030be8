"""Receipts: what is typed, what is stored, and that a stored receipt stays openable forever."""

import pytest

from complaints.models import Complaint
from complaints.receipts import (
    receipt_groups,
    receipt_hash,
    receipt_new,
    receipt_normalise,
    reference_new,
)

KNOWN_SECRET = "known-answer-receipt-secret-0123456789abcdef"
# Frozen answers: if the parameters, keys, salt or length of the hash ever change, every receipt
# already handed out stops opening its case. Change them only with a migration path.
KNOWN_ANSWERS = {
    "0123456789012345": "ca698928473f24ed4ae87fb7723d12b86c0b8f64d6d7f3c0f76c1c733689cddf",
    "9999888877776666": "6454cc1d79c1b9d651ecd7e77b3eccdd49de6f560c4ad46b27da5bb01cda9f7b",
}


@pytest.mark.parametrize(("receipt", "stored"), KNOWN_ANSWERS.items())
def test_a_receipt_hashes_to_the_same_value_as_when_it_was_handed_out(settings, receipt, stored):
    settings.RECEIPT_HASH_SECRET = KNOWN_SECRET

    assert receipt_hash(receipt) == stored


def test_the_hash_depends_on_the_secret_and_fits_its_column(settings):
    settings.RECEIPT_HASH_SECRET = KNOWN_SECRET + "x"

    hashed = receipt_hash("0123456789012345")

    assert hashed != KNOWN_ANSWERS["0123456789012345"]
    assert len(hashed) == Complaint._meta.get_field("receipt_hash").max_length == 64


def test_a_new_receipt_is_sixteen_digits_shown_in_four_groups():
    receipt = receipt_new()

    assert len(receipt) == 16
    assert receipt.isdigit()
    assert receipt_groups(receipt) == [receipt[0:4], receipt[4:8], receipt[8:12], receipt[12:16]]


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0123 4567-8901.2345", "0123456789012345"),
        (" 0123456789012345 ", "0123456789012345"),
        ("012345678901234", None),  # one digit short
        ("01234567890123456", None),  # one too many
        ("0123 4567 8901 234x", None),
        ("٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥", None),  # Arabic-Indic digits are digits, but not ours
        ("", None),
        (None, None),
    ],
)
def test_a_typed_receipt_is_read_with_spaces_and_dashes_and_nothing_else(typed, digits):
    assert receipt_normalise(typed) == digits


def test_references_use_only_letters_and_digits_that_cannot_be_misread():
    seen = "".join(reference_new()[4:].replace("-", "") for _ in range(300))

    assert set(seen) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    assert len(set(seen)) > 25  # the whole alphabet is used, not a part of it
    assert reference_new().startswith("AFR-")
    assert [len(part) for part in reference_new().split("-")] == [3, 4, 4]
