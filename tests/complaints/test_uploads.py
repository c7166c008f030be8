"""No plaintext of an upload touches the disk while it streams in, and crashes leave no trace."""

import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from complaints import views
from complaints.evidence import MB, evidence_read
from complaints.models import Evidence
from complaints.uploads import (
    SPOOL_PREFIX,
    EncryptedSpool,
    EncryptedTemporaryFileUploadHandler,
    spool_dir,
)

MARKER = b"Zq-GPS-MARKER -1.9441,30.0619 camera=Zqphone"


def big_pdf() -> bytes:
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE (2 MB), so that Django spools it to disk."""
    body = os.urandom(3 * MB)
    return b"%PDF-1.4\n" + MARKER + body[:MB] + MARKER + body[MB:] + MARKER + b"\n%%EOF\n"


@pytest.fixture
def spool(settings, tmp_path) -> Path:
    (tmp_path / "spool").mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    return tmp_path / "spool"


def test_a_large_upload_is_spooled_only_as_ciphertext_and_still_filed(
    client, db, spool, monkeypatch
):
    seen: list[bytes] = []
    real_clean = views.evidence_clean

    def clean_while_spooled(upload: object) -> object:
        # The request is under way and the whole file has streamed in: look at the disk now.
        seen.extend(path.read_bytes() for path in spool.rglob("*") if path.is_file())
        return real_clean(upload)

    monkeypatch.setattr(views, "evidence_clean", clean_while_spooled)
    content = big_pdf()

    response = client.post(
        "/file/evidence/",
        {"upload": "1", "file": SimpleUploadedFile("report.pdf", content), "description": ""},
    )

    assert response.status_code == 302
    assert seen, "the upload was not spooled where the test looks"
    assert sum(len(blob) for blob in seen) == len(content)  # the whole file, as ciphertext
    # Long runs of the plaintext: a 4-byte "%PDF" turns up by chance in ~0.1% of 3 MB ciphertexts.
    assert not any(MARKER in blob or content[:32] in blob or content[-64:] in blob for blob in seen)
    assert not list(spool.iterdir())  # deleted once the request ended
    item = client.session["filing"]["evidence"][0]
    evidence = Evidence(uid=uuid.UUID(item["key"]), file=item["path"])
    assert evidence_read(evidence) == content


def test_the_spool_reads_back_from_any_position(tmp_path):
    data = os.urandom(100_003)
    spooled = EncryptedSpool(tmp_path)
    for start in range(0, len(data), 65_536):
        spooled.write(data[start : start + 65_536])
    spooled.flush()

    assert Path(spooled.name).read_bytes() != data
    for offset, length in [(0, 10), (15, 17), (16, 1), (4_097, 50_000), (99_990, 100)]:
        spooled.seek(offset)
        assert spooled.read(length) == data[offset : offset + length]
    spooled.seek(0)
    assert spooled.read() == data
    spooled.close()
    assert not Path(spooled.name).exists()


def test_a_worker_killed_mid_upload_leaves_only_noise_and_the_purge_removes_it(
    db, spool, settings, rf
):
    handler = EncryptedTemporaryFileUploadHandler(rf.post("/file/evidence/"))
    handler.new_file("file", "report.pdf", "application/pdf", 7 * MB)
    handler.receive_data_chunk(b"%PDF-1.4\n" + MARKER * 1000, 0)
    handler.file.flush()  # ...and the worker dies here: nothing closes or deletes the file
    (leftover,) = spool.glob(f"{SPOOL_PREFIX}*")
    assert MARKER not in leftover.read_bytes()
    assert b"%PDF" not in leftover.read_bytes()
    fresh = spool / f"{SPOOL_PREFIX}streaming-now.part"
    fresh.write_bytes(b"x")
    long_ago = time.time() - 3 * settings.FILING_IDLE_MINUTES * 60
    os.utime(leftover, (long_ago, long_ago))

    call_command("purge_abandoned_uploads")

    assert not leftover.exists()
    assert fresh.exists()  # an upload may be streaming in right now
    handler.file.close()


def test_without_a_setting_uploads_are_spooled_beside_the_evidence(settings):
    settings.FILE_UPLOAD_TEMP_DIR = None

    assert spool_dir().parent == Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def test_an_upload_cut_off_at_the_size_limit_leaves_nothing_in_the_spool(
    client, db, spool, settings
):
    settings.EVIDENCE_MAX_FILE_MB = 3
    content = big_pdf() + os.urandom(MB)  # about 4 MB

    response = client.post(
        "/file/evidence/", {"upload": "1", "file": SimpleUploadedFile("big.pdf", content)}
    )

    assert response.status_code == 400
    assert "larger than 3 MB" in response.content.decode()
    assert not list(spool.iterdir())
