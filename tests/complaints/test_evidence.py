import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints.errors import EvidenceRefused
from complaints.evidence import detect_type, evidence_clean, evidence_read
from complaints.models import Complaint, Evidence
from tests.filing import TESTDATA, file_through_pages, step_data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_photo_loses_its_gps_camera_and_author_tags():
    original = (TESTDATA / "photo_with_gps.jpg").read_bytes()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the file has GPS

    clean = evidence_clean(upload("photo.jpg", original))

    stripped = Image.open(io.BytesIO(clean.content))
    assert not stripped.getexif()
    assert not stripped.getexif().get_ifd(0x8825)
    assert b"Exif" not in clean.content
    assert clean.metadata_stripped
    assert clean.file_type.content_type == "image/jpeg"


def test_a_png_loses_its_text_chunks():
    original = (TESTDATA / "screenshot_with_text_chunks.png").read_bytes()

    clean = evidence_clean(upload("shot.png", original))

    assert Image.open(io.BytesIO(clean.content)).text == {}
    assert b"tEXt" not in clean.content
    assert b"iTXt" not in clean.content


@pytest.mark.parametrize("name", ["html_named_as.jpg", "script_named_as.pdf"])
def test_a_disguised_file_is_refused_whatever_its_name_says(name):
    with pytest.raises(EvidenceRefused, match="not accepted"):
        evidence_clean(upload(name, (TESTDATA / name).read_bytes()))


def test_a_pdf_is_accepted_as_a_document():
    clean = evidence_clean(upload("letter.jpg", (TESTDATA / "minimal.pdf").read_bytes()))

    assert clean.file_type.content_type == "application/pdf"
    assert clean.file_type.extension == ".pdf"


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"OggS\x00\x02" + b"\x00" * 30, "audio/ogg"),
        (b"ID3\x04\x00" + b"\x00" * 30, "audio/mpeg"),
        (b"#!AMR\n" + b"\x00" * 30, "audio/amr"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 20, "audio/wav"),
        (b"\x00\x00\x00\x20ftypM4A \x00" + b"\x00" * 20, "audio/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00" + b"\x00" * 20, "video/mp4"),
        (b"\x00\x00\x00\x20ftyp3gp4\x00" + b"\x00" * 20, "video/3gpp"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 30, "video/webm"),
    ],
)
def test_voice_notes_and_videos_are_recognised_by_their_first_bytes(head, content_type):
    assert detect_type(head).content_type == content_type


def test_a_damaged_image_is_refused_with_a_reason():
    with pytest.raises(EvidenceRefused, match="damaged"):
        evidence_clean(upload("x.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10))


def test_an_empty_file_is_refused():
    with pytest.raises(EvidenceRefused, match="empty"):
        evidence_clean(upload("x.jpg", b""))


def test_a_file_over_the_limit_is_refused_and_says_the_limit(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1

    with pytest.raises(EvidenceRefused, match="larger than 1 MB"):
        evidence_clean(upload("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)))


def test_an_oversized_upload_on_the_form_gets_a_message_and_keeps_the_draft(client, db, settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))

    response = client.post("/file/evidence/", {"upload": "1", "file": big, "description": "d"})

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert client.session["filing"]["evidence"] == []


def test_a_disguised_file_on_the_form_is_refused_with_what_is_allowed(client, db):
    with (TESTDATA / "html_named_as.jpg").open("rb") as handle:
        response = client.post("/file/evidence/", {"upload": "1", "file": handle})

    assert response.status_code == 400
    page = response.content.decode()
    assert "not accepted" in page
    assert "PDF documents" in page


def test_a_filed_photo_is_stored_privately_without_its_gps(client, db, settings):
    file_through_pages(client, files=[TESTDATA / "photo_with_gps.jpg"])

    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as handle:
        on_disk = handle.read()
    stored = evidence_read(evidence)
    assert not on_disk.startswith(b"\xff\xd8")  # encrypted at rest
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    assert evidence.metadata_stripped
    assert evidence.original_name == "photo_with_gps.jpg"
    assert "photo_with_gps" not in evidence.file.name
    assert not evidence.file.name.endswith(".jpg")
    with pytest.raises(NotImplementedError):
        evidence.file.url  # noqa: B018 - evidence has no public URL at all
    assert Complaint.objects.get().evidence.count() == 1


def test_removing_a_file_during_filing_deletes_it(client, db):
    with (TESTDATA / "minimal.pdf").open("rb") as handle:
        client.post("/file/evidence/", {"upload": "1", "file": handle})
    item = client.session["filing"]["evidence"][0]
    from django.core.files.storage import default_storage

    assert default_storage.exists(item["path"])

    client.post("/file/evidence/", {"remove": item["key"]})

    assert client.session["filing"]["evidence"] == []
    assert not default_storage.exists(item["path"])


def test_the_number_of_files_per_complaint_is_limited(client, db, settings):
    settings.EVIDENCE_MAX_FILES = 1
    for _ in range(2):
        with (TESTDATA / "minimal.pdf").open("rb") as handle:
            response = client.post("/file/evidence/", {"upload": "1", "file": handle})

    assert response.status_code == 400
    assert "most files allowed" in response.content.decode()
    assert len(client.session["filing"]["evidence"]) == 1


def test_uploads_of_abandoned_filings_are_purged_and_filed_ones_kept(client, db, settings):
    import os
    import time

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    file_through_pages(client, files=[TESTDATA / "minimal.pdf"])
    kept = Evidence.objects.get().file.name
    abandoned_client = client.__class__()
    with (TESTDATA / "minimal.pdf").open("rb") as handle:
        abandoned_client.post("/file/evidence/", {"upload": "1", "file": handle})
    fresh = abandoned_client.session["filing"]["evidence"][0]["path"]
    with (TESTDATA / "minimal.pdf").open("rb") as handle:
        abandoned_client.post("/file/evidence/", {"upload": "1", "file": handle})
    old = abandoned_client.session["filing"]["evidence"][1]["path"]
    long_ago = time.time() - 3 * settings.FILING_IDLE_MINUTES * 60
    for path in (kept, old):
        os.utime(default_storage.path(path), (long_ago, long_ago))

    call_command("purge_abandoned_uploads")

    assert default_storage.exists(kept)
    assert default_storage.exists(fresh)  # a filing may still be in progress
    assert not default_storage.exists(old)


def test_a_small_file_holding_a_huge_image_is_refused_before_it_is_decoded(settings):
    settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS = 1
    out = io.BytesIO()
    Image.new("L", (1200, 1000)).save(out, format="PNG")  # 1.2 megapixels, a few kilobytes

    with pytest.raises(EvidenceRefused, match="too many pixels"):
        evidence_clean(upload("bomb.png", out.getvalue()))


def test_an_image_past_pillows_own_warning_limit_is_refused_not_a_crash(settings, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    out = io.BytesIO()
    Image.new("L", (40, 40)).save(out, format="PNG")  # 1,600 pixels: between 1x and 2x

    with pytest.raises(EvidenceRefused, match="too large"):
        evidence_clean(upload("warn.png", out.getvalue()))


def test_a_filing_still_in_progress_keeps_its_files_however_long_it_takes(client, db, settings):
    import os
    import time

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    with (TESTDATA / "minimal.pdf").open("rb") as handle:
        client.post("/file/evidence/", {"upload": "1", "file": handle})
    path = client.session["filing"]["evidence"][0]["path"]
    long_ago = time.time() - 3 * settings.FILING_IDLE_MINUTES * 60
    os.utime(default_storage.path(path), (long_ago, long_ago))

    client.get("/file/about/")  # the person is still filing
    call_command("purge_abandoned_uploads")

    assert default_storage.exists(path)


def test_a_draft_whose_file_was_purged_is_told_to_add_it_again(client, db):
    from django.core.files.storage import default_storage

    data = step_data()
    for slug in ("about", "victims", "what", "remedies"):
        client.post(f"/file/{slug}/", data[slug])
    with (TESTDATA / "minimal.pdf").open("rb") as handle:
        client.post("/file/evidence/", {"upload": "1", "file": handle})
    client.post("/file/consents/", data["consents"])
    default_storage.delete(client.session["filing"]["evidence"][0]["path"])
    token = client.get("/file/review/").context["form"].initial["token"]

    response = client.post("/file/review/", {"token": token})

    assert response.status_code == 400
    assert "add them again" in response.content.decode()
    assert not Complaint.objects.exists()
    assert client.session["filing"]["evidence"] == []


def test_uploads_are_throttled_per_network_and_keep_what_was_typed(client, db, settings):
    from django.test import Client

    settings.EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR = 2
    pdf = (TESTDATA / "minimal.pdf").read_bytes()

    def send(who: Client, description: str) -> object:
        return who.post(
            "/file/evidence/",
            {"upload": "1", "file": upload("a.pdf", pdf), "description": description},
        )

    assert send(client, "first").status_code == 302
    assert send(client, "second").status_code == 302
    refused = send(client, "Zq the third file, typed with care")
    other_session_same_network = send(Client(), "another person")

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Very many files have been sent from your network" in page
    assert "Zq the third file, typed with care" in page  # the description is still in the form
    assert [item["description"] for item in client.session["filing"]["evidence"]] == [
        "first",
        "second",
    ]
    assert other_session_same_network.status_code == 429
    assert send(Client(REMOTE_ADDR="10.9.8.7"), "elsewhere").status_code == 302


def test_uploads_from_the_tracking_page_count_in_the_same_bucket(
    client, complainant_case, settings
):
    from complaints.receipts import receipt_groups

    settings.EVIDENCE_UPLOADS_PER_NETWORK_PER_HOUR = 1
    complaint, receipt = complainant_case
    client.post("/track/", {"receipt": " ".join(receipt_groups(receipt))})
    pdf = (TESTDATA / "minimal.pdf").read_bytes()

    first = client.post("/track/case/evidence/", {"file": upload("a.pdf", pdf)})
    second = client.post(
        "/track/case/evidence/", {"file": upload("b.pdf", pdf), "description": "Zq kept"}
    )

    assert first.status_code == 302
    assert second.status_code == 429
    assert "Zq kept" in second.content.decode()
    assert complaint.evidence.count() == 1
