"""Identity, free text and evidence are encrypted at rest, bound to their row, and rotatable."""

import subprocess
import uuid
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
from tests.monitoring.staff import sign_in

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


def _filed_photo(client) -> Evidence:
    from tests.filing import file_through_pages

    file_through_pages(client, files=[TESTDATA / "photo_with_gps.jpg"])
    return Evidence.objects.select_related("complaint").get()


def test_a_dump_of_every_table_shows_neither_the_files_digest_nor_its_exact_size(client, db):
    import hashlib
    import re

    from tests.complaints.test_privacy import database_text

    evidence = _filed_photo(client)
    stored = evidence_read(evidence)
    digest, size = hashlib.sha256(stored).hexdigest(), str(len(stored))
    client.post("/track/", {})  # nothing else; the history copies are already written

    dump = database_text()
    assert "complaints_evidence" in dump  # the history copied the evidence row
    assert digest not in dump
    assert digest.upper() not in dump
    # A column holding the size would show it as one value of a row: (…, 1234, …) or '1234'.
    # Matching any run of digits would also find it by chance inside ciphertexts and times.
    assert not re.search(rf"[( ]'?{size}'?[,)]", dump)
    # Staff still read both and can check the file against them.
    assert evidence.sha256 == digest
    assert evidence.size_bytes == len(stored)


def test_staff_see_the_decrypted_digest_and_size_in_the_admin(client, db, staff_viewer):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    staff_viewer.user_permissions.add(Permission.objects.get(codename="view_evidence"))
    evidence = _filed_photo(client)
    sign_in(client, staff_viewer)

    html = client.get(
        reverse("admin:complaints_complaint_change", args=[evidence.complaint_id])
    ).content.decode()

    assert evidence.sha256 in html
    assert str(evidence.size_bytes) in html


def test_a_childs_row_pointed_at_another_complaint_no_longer_decrypts(db, now):
    from tests.filing import step_data, submit_directly

    first = submit_directly(now=now, data=step_data(victims={"victims-0-name": "Zq Victim"}))
    second = submit_directly(now=now).complaint
    victim = first.complaint.victims.get()
    assert Victim.objects.get(pk=victim.pk).name == "Zq Victim"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_victim SET complaint_id = %s WHERE id = %s", [second.pk, victim.pk]
        )

    with pytest.raises(crypto.DecryptionFailed):
        Victim.objects.get(pk=victim.pk).name  # noqa: B018


def test_a_victims_ciphertext_and_uid_copied_to_another_cases_victim_do_not_decrypt(db, now):
    from tests.filing import step_data, submit_directly

    first = submit_directly(now=now, data=step_data(victims={"victims-0-name": "Zq Victim"}))
    other = submit_directly(now=now).complaint.victims.get()
    uid, name = Victim.objects.filter(complaint=first.complaint).values_list("uid", "name").get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_victim SET uid = %s WHERE complaint_id = %s",
            [uuid.uuid4().hex, first.complaint.pk],
        )
        cursor.execute(
            "UPDATE complaints_victim SET uid = %s, name = %s WHERE id = %s",
            [uid.hex, str(name), other.pk],
        )

    with pytest.raises(crypto.DecryptionFailed):
        Victim.objects.get(pk=other.pk).name  # noqa: B018


def test_every_kind_of_child_row_is_bound_to_its_case(db):
    from complaints.fields import has_case
    from complaints.models import StatusChange

    assert all(has_case(model) for model in (Victim, Evidence, Message, StatusChange))
    assert not has_case(Complaint)
    assert not has_case(Complainant)


def test_the_migration_seals_plain_digests_and_binds_old_values_to_their_case(db, now):
    import importlib

    from django.apps import apps

    from complaints.fields import field_context
    from complaints.models import CaseHistory
    from tests.complaints.test_privacy import database_text
    from tests.filing import step_data, submit_directly

    migration = importlib.import_module(
        "complaints.migrations.0008_evidence_digest_sealed_and_values_bound_to_case"
    )
    complaint = submit_directly(
        now=now, data=step_data(victims={"victims-0-name": "Zq Victim"})
    ).complaint
    victim = complaint.victims.get()
    evidence = Evidence.objects.create(
        complaint=complaint, file="evidence/x", kind="document", content_type="application/pdf",
        extension=".pdf", size="1", sha256="-", description="Zq description",
    )  # fmt: skip
    digest = "ab" * 32

    def legacy(label: str, name: str, uid: uuid.UUID, text: str) -> str:
        return crypto.encrypt_text(text, context=field_context(label, name, uid))

    with connection.cursor() as cursor:  # the state before: plain digest, values bound to rows
        cursor.execute(
            "UPDATE complaints_victim SET name = %s WHERE id = %s",
            [legacy("complaints.victim", "name", victim.uid, "Zq Victim"), victim.pk],
        )
        cursor.execute(
            "UPDATE complaints_evidence SET sha256 = %s, size = %s, description = %s WHERE id = %s",
            [
                digest,
                "48213",
                legacy("complaints.evidence", "description", evidence.uid, "Zq description"),
                evidence.pk,
            ],
        )
    assert digest in database_text()  # in the row and in the trigger's copy

    migration.forwards(apps, None)

    assert Victim.objects.get(pk=victim.pk).name == "Zq Victim"
    evidence = Evidence.objects.get(pk=evidence.pk)
    assert (evidence.sha256, evidence.size_bytes) == (digest, 48213)
    assert evidence.description == "Zq description"
    dump = database_text()
    assert digest not in dump
    assert "48213" not in dump
    copies = CaseHistory.objects.filter(table="complaints_evidence", new__isnull=False)
    last = copies.order_by("pk").last().new
    sealed = crypto.decrypt_text(
        last["sha256"],
        context=field_context("complaints.evidence", "sha256", evidence.uid, complaint.uid),
    )
    assert sealed == digest
