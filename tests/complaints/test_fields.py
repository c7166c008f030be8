"""The encrypted field: bound to its row and case in a fixed format, read once, never queried."""

import re
import uuid

import pytest
from django.db import connection

from complaints import crypto
from complaints.fields import EncryptedTextField, Sealed, field_context
from complaints.models import Complainant, Complaint

ROW = uuid.UUID("00000000-0000-4000-8000-000000000001")
CASE = uuid.UUID("00000000-0000-4000-8000-000000000002")


def test_the_context_names_model_field_row_and_case_in_a_fixed_format():
    # Stored values were sealed with exactly these strings: changing them loses every value.
    assert field_context("complaints.complainant", "full_name", ROW) == (
        "complaints.complainant.full_name:00000000-0000-4000-8000-000000000001"
    )
    assert field_context("complaints.victim", "name", ROW.hex, CASE) == (
        "complaints.victim.name:00000000-0000-4000-8000-000000000001"
        "@complaint:00000000-0000-4000-8000-000000000002"
    )


def test_a_stored_value_is_read_with_the_context_of_its_row_and_case(db, complainant_case):
    complaint, _receipt = complainant_case
    victim = complaint.victims.create(name="Zq Victim")
    stored = type(victim).objects.filter(pk=victim.pk).values_list("name", flat=True).get()

    context = f"complaints.victim.name:{victim.uid}@complaint:{complaint.uid}"
    assert crypto.decrypt_text(stored, context=context) == "Zq Victim"
    narrative = Complaint.objects.filter(pk=complaint.pk).values_list("narrative", flat=True).get()
    assert crypto.decrypt_text(narrative, context=f"complaints.complaint.narrative:{complaint.uid}")


def test_a_value_read_from_the_database_is_decrypted_once_on_first_read(
    db, complainant_case, monkeypatch
):
    complaint, _receipt = complainant_case
    calls = []
    decrypt = crypto.decrypt_text

    def counting(token: str, *, context: str) -> str:
        calls.append(context)
        return decrypt(token, context=context)

    monkeypatch.setattr(crypto, "decrypt_text", counting)
    loaded = Complaint.objects.get(pk=complaint.pk)
    assert calls == []  # still sealed

    first, again = loaded.narrative, loaded.narrative

    assert first == again == complaint.narrative
    assert len(calls) == 1


def test_the_class_attribute_is_a_descriptor_that_knows_its_field():
    assert Complaint.narrative.field is Complaint._meta.get_field("narrative")
    assert isinstance(Complaint._meta.get_field("narrative"), EncryptedTextField)


def test_a_bulk_update_is_refused_with_a_message_saying_how(db, complainant_case):
    message = "Complaint.narrative is encrypted: change it with save(), never QuerySet.update()."

    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        Complaint.objects.update(narrative="written around the encryption")


def test_no_lookup_finds_a_row_by_its_text_nor_by_its_ciphertext(db, complainant_case):
    complaint, _receipt = complainant_case
    stored = Complainant.objects.values_list("full_name", flat=True).get()
    message = "^Complainant.full_name is encrypted and not queryable.$"

    with pytest.raises(TypeError, match=message):
        list(Complainant.objects.filter(full_name=complaint.complainant.full_name))
    with pytest.raises(TypeError, match=message):
        list(Complainant.objects.filter(full_name=Sealed(stored)))
    assert not Complainant.objects.filter(full_name=None).exists()  # = None is IS NULL


def test_a_value_written_with_raw_sql_around_the_field_is_not_read_as_plaintext(
    db, complainant_case
):
    complaint, _receipt = complainant_case
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET narrative = %s WHERE id = %s",
            ["plain words", complaint.pk],
        )

    with pytest.raises(crypto.DecryptionFailed):
        Complaint.objects.get(pk=complaint.pk).narrative  # noqa: B018
