"""Identity, free text and evidence are encrypted at rest, bound to their row, and rotatable."""

import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from complaints import crypto
from complaints.evidence import evidence_read
from complaints.models import Complainant, Complaint, Evidence, Message, Victim
from complaints.receipts import receipt_groups
from tests.filing import TESTDATA, step_data

MARKERS = {
    "name": "Zqmarker Uwimana Jeanne",
    "contact": "+256 700 Zqmarker-phone",
    "safe": "Zqmarker only after six",
    "unhcr": "Zqmarker-UNHCR-777",
    "place": "Zqmarker Gihembe camp",
    "narrative": "Zqmarker narrative: they took him from the market.",
    "danger": "Zqmarker danger details",
    "remedy": "Zqmarker remedy sought",
    "victim": "Zqmarker Victim Name",
    "description": "Zqmarker evidence description",
    "message": "Zqmarker message from the complainant",
    "reason": "Zqmarker withdrawal reason",
}
KEY_A = "a:" + crypto.new_key()
KEY_B = "b:" + crypto.new_key()


def file_with_markers(client) -> Complaint:
    data = step_data(
        about={
            "full_name": MARKERS["name"],
            "contact_details": MARKERS["contact"],
            "safe_contact_instructions": MARKERS["safe"],
            "unhcr_number": MARKERS["unhcr"],
        },
        victims={"victims-0-name": MARKERS["victim"]},
        what={
            "incident_place": MARKERS["place"],
            "narrative": MARKERS["narrative"],
            "immediate_danger": "yes",
            "danger_details": MARKERS["danger"],
        },
        remedies={"remedy_sought": MARKERS["remedy"]},
    )
    for slug in ("about", "victims", "what", "remedies"):
        client.post(f"/file/{slug}/", data[slug])
    with (TESTDATA / "photo_with_gps.jpg").open("rb") as handle:
        client.post(
            "/file/evidence/",
            {"upload": "1", "file": handle, "description": MARKERS["description"]},
        )
    client.post("/file/consents/", data["consents"])
    token = client.get("/file/review/").context["form"].initial["token"]
    client.post("/file/review/", {"token": token})
    receipt = "".join(client.get("/file/receipt/").context["groups"])
    client.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})
    client.post("/track/case/message/", {"body": MARKERS["message"]})
    client.post("/track/case/withdraw/", {"reason": MARKERS["reason"], "confirm": "on"})
    return Complaint.objects.get()


def media_bytes() -> bytes:
    root = Path(default_storage.location)
    return b"".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


def assert_no_marker(dump: bytes) -> None:
    for marker in MARKERS.values():
        assert marker.encode() not in dump, marker
        assert marker.encode("utf-16-le") not in dump, marker


def test_what_was_filed_reads_back_in_full(client, db):
    complaint = file_with_markers(client)

    assert complaint.narrative == MARKERS["narrative"]
    assert complaint.complainant.full_name == MARKERS["name"]
    assert complaint.victims.get().name == MARKERS["victim"]
    assert Message.objects.get().body == MARKERS["message"]
    assert complaint.status_changes.last().reason == MARKERS["reason"]
    assert Evidence.objects.get().description == MARKERS["description"]


def test_a_sqlite_file_and_the_media_folder_show_none_of_it(client, db):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL run checks pg_dump below")
    file_with_markers(client)

    assert_no_marker(connection.connection.serialize())
    media = media_bytes()
    assert media  # the evidence really is there
    assert_no_marker(media)
    assert b"\xff\xd8\xff" not in media  # not even a JPEG header


def test_a_pg_dump_and_the_media_folder_show_none_of_it(seed_data, client):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite run checks the database file above")
    file_with_markers(client)
    settings_dict = connection.settings_dict

    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"] or "postgres",
            settings_dict["NAME"],
        ],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout

    assert b"COPY public.complaints_complaint" in dump
    assert_no_marker(dump)
    assert_no_marker(media_bytes())


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(db, complainant_case, now):
    from tests.filing import submit_directly

    first, _receipt = complainant_case
    second = submit_directly(now=now).complaint
    stolen = Complaint.objects.filter(pk=first.pk).values_list("narrative", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET narrative = %s WHERE id = %s", [str(stolen), second.pk]
        )

    with pytest.raises(crypto.DecryptionFailed):
        Complaint.objects.get(pk=second.pk).narrative  # noqa: B018


def test_a_ciphertext_moved_to_another_field_does_not_decrypt(db, complainant_case):
    complaint, _receipt = complainant_case
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET remedy_sought = narrative WHERE id = %s",
            [complaint.pk],
        )

    with pytest.raises(crypto.DecryptionFailed):
        Complaint.objects.get(pk=complaint.pk).remedy_sought  # noqa: B018


def test_a_bulk_update_cannot_write_plaintext(db, complainant_case):
    with pytest.raises(TypeError, match="encrypted"):
        Complaint.objects.update(narrative="written around the encryption")


def test_encrypted_fields_cannot_be_searched(db, complainant_case):
    with pytest.raises(TypeError, match="not queryable"):
        list(Complainant.objects.filter(full_name="anyone"))


def test_structured_fields_stay_queryable(db, complainant_case):
    complaint, _receipt = complainant_case

    assert Complaint.objects.filter(incident_country="RW", status="received").get() == complaint


def test_rotation_leaves_everything_readable_and_the_old_key_removable(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    complaint = file_with_markers(client)
    with Evidence.objects.get().file.open("rb") as handle:
        assert crypto.bytes_key_id(handle.read()) == "a"

    settings.FIELD_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("encryption_rotate")
    settings.FIELD_ENCRYPTION_KEYS = KEY_B  # the old key is gone

    from tests.complaints.test_privacy import database_text

    assert "afr1:a:" not in database_text()  # no copy anywhere, history included

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.narrative == MARKERS["narrative"]
    assert complaint.complainant.full_name == MARKERS["name"]
    assert Victim.objects.get().name == MARKERS["victim"]
    assert Message.objects.get().body == MARKERS["message"]
    evidence = Evidence.objects.get()
    assert evidence.description == MARKERS["description"]
    assert evidence_read(evidence).startswith(b"\xff\xd8\xff")
    assert len(list(Path(default_storage.location).rglob("evidence/*"))) == 1  # old copy gone


def test_without_the_key_nothing_can_be_read(client, db, settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    file_with_markers(client)

    settings.FIELD_ENCRYPTION_KEYS = KEY_B

    with pytest.raises(crypto.DecryptionFailed):
        Complaint.objects.get().narrative  # noqa: B018
