"""What an evidence file is taken to be, and what cleaning keeps: the rules, byte by byte.

Every file here is the smallest one of its kind, built in code; each near-miss is one byte,
one half or one length away from an accepted file.
"""

import dataclasses
import hashlib
import io
import struct
import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import translation
from PIL import Image, PngImagePlugin

from complaints.crypto import DecryptionFailed, encrypt_bytes
from complaints.errors import EvidenceRefused
from complaints.evidence import (
    JPEG,
    PNG,
    WEBP,
    clean_name,
    detect_type,
    evidence_clean,
    evidence_file_context,
    evidence_read,
    image_pixel_limit,
    upload_memory_bound_mb,
)
from complaints.models import Evidence
from tests.filing import TESTDATA, file_through_pages
from tests.testdata import minimal_pdf

MB = 1024 * 1024
NOT_ACCEPTED = (
    "This kind of file is not accepted. You can send photos (JPEG, PNG, WebP), PDF documents, "
    "audio and voice notes (MP3, OGG/Opus, M4A, AMR, WAV) and videos (MP4, 3GP, MOV, WebM)."
)
DAMAGED = "This image is damaged or too large to open."


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):  # the messages below are compared word for word
        yield


def upload(content: bytes, name: str = "evidence.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(content: bytes) -> str:
    with pytest.raises(EvidenceRefused) as refused:
        evidence_clean(upload(content))
    return str(refused.value)


def too_many_pixels(megapixels: int) -> str:
    return (
        f"This image has too many pixels to open safely (at most {megapixels} megapixels). "
        "Please send a smaller photo."
    )


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def decoded(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def iso_media(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x02\x00isommp41" + b"\x00" * 8


# A RIFF file: the tag, the length of what follows, the form type, then its chunks.
def riff(form: bytes, tag: bytes = b"RIFF") -> bytes:
    chunk = b"fmt " + struct.pack("<I", 16) + b"\x01\x00\x01\x00\x40\x1f\x00\x00" * 2
    return tag + struct.pack("<I", 4 + len(chunk)) + form + chunk


MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 40  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
ID3_TAG = b"ID3\x04\x00\x00\x00\x00\x00\x00"
EBML_HEADER = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"
RED = (200, 10, 10)


ACCEPTED = [
    ("jpeg", encoded(Image.new("RGB", (8, 8), RED), "JPEG"), "image", "image/jpeg", ".jpg"),
    ("png", encoded(Image.new("RGB", (8, 8)), "PNG"), "image", "image/png", ".png"),
    ("webp", encoded(Image.new("RGB", (8, 8)), "WEBP"), "image", "image/webp", ".webp"),
    ("pdf", minimal_pdf(), "document", "application/pdf", ".pdf"),
    ("mp3 with an ID3 tag", ID3_TAG + MP3_FRAME, "audio", "audio/mpeg", ".mp3"),
    ("mp3 frame", MP3_FRAME, "audio", "audio/mpeg", ".mp3"),
    ("ogg", b"OggS\x00\x02" + b"\x00" * 30, "audio", "audio/ogg", ".ogg"),
    ("wav", riff(b"WAVE"), "audio", "audio/wav", ".wav"),
    ("amr", b"#!AMR\n" + b"\x3c" * 32, "audio", "audio/amr", ".amr"),
    ("m4a", iso_media(b"M4A "), "audio", "audio/mp4", ".m4a"),
    ("m4b audiobook", iso_media(b"M4B "), "audio", "audio/mp4", ".m4a"),
    ("mp4", iso_media(b"isom"), "video", "video/mp4", ".mp4"),
    ("3gp", iso_media(b"3gp4"), "video", "video/3gpp", ".3gp"),
    ("3g2", iso_media(b"3g2a"), "video", "video/3gpp", ".3gp"),
    ("quicktime", iso_media(b"qt  "), "video", "video/quicktime", ".mov"),
    ("webm", EBML_HEADER + b"\x00" * 20, "video", "video/webm", ".webm"),
]


@pytest.mark.parametrize(
    ("content", "kind", "content_type", "extension"),
    [pytest.param(*case[1:], id=case[0]) for case in ACCEPTED],
)
def test_each_accepted_type_is_recognised_by_its_first_bytes(
    content, kind, content_type, extension
):
    clean = evidence_clean(upload(content, name="Zq evidence.bin"))

    assert (clean.file_type.kind, clean.file_type.content_type) == (kind, content_type)
    assert clean.file_type.extension == extension
    assert clean.original_name == "Zq_evidence.bin"
    assert clean.metadata_stripped is (kind == "image")
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert clean.size == len(clean.content)


@pytest.mark.parametrize(
    "content", [pytest.param(case[1], id=case[0]) for case in ACCEPTED if case[2] != "image"]
)
def test_a_file_that_is_not_an_image_is_kept_byte_for_byte(content):
    assert evidence_clean(upload(content)).content == content


NEAR_MISSES = {
    "jpeg, third byte off": b"\xff\xd8\xfe\xe0" + b"\x00" * 40,
    "png, last signature byte off": b"\x89PNG\r\n\x1a\x0b" + b"\x00" * 40,
    "png, first signature byte off": b"\x88PNG\r\n\x1a\n" + b"\x00" * 40,
    "webp, form type one byte off": riff(b"WEBQ"),
    "webp, RIFX instead of RIFF": riff(b"WEBP", tag=b"RIFX"),
    "wav, form type one byte off": riff(b"WAVF"),
    "wav, RIFX instead of RIFF": riff(b"WAVE", tag=b"RIFX"),
    "wav, only the RIFF half: an AVI": riff(b"AVI "),
    "wav, only the WAVE half": riff(b"WAVE", tag=b"FORM"),
    "pdf, a space for the dash": b"%PDF 1.4\n" + b"\x00" * 40,
    "ogg, one byte off": b"OggT\x00\x02" + b"\x00" * 30,
    "amr, one byte off": b"#!AMS\n" + b"\x00" * 30,
    "webm, one byte off": b"\x1a\x45\xdf\xa2" + b"\x00" * 30,
    "mp3, ID3 one byte off": b"ID4\x04\x00" + b"\x00" * 30,
    "mp3, first sync byte off": b"\xfe\xfb\x90\x64" + b"\x00" * 40,
    "mp3, only 10 of the 11 sync bits": b"\xff\xdb\x90\x64" + b"\x00" * 40,
    "mp3, the reserved layer 00": b"\xff\xf9\x90\x64" + b"\x00" * 40,
    "iso media, box type one byte off": b"\x00\x00\x00\x18ftyq" + b"isom" + b"\x00" * 20,
    "iso media, box type one byte late": b"\x00\x00\x00\x18\x00ftypisom" + b"\x00" * 20,
    "a html page": (TESTDATA / "html_named_as.jpg").read_bytes(),
}


@pytest.mark.parametrize("content", list(NEAR_MISSES.values()), ids=list(NEAR_MISSES))
def test_a_near_miss_of_an_accepted_type_is_refused_with_what_is_allowed(content):
    assert refusal(content) == NOT_ACCEPTED


def test_the_mpeg_frame_sync_is_read_from_the_first_two_bytes_alone():
    assert detect_type(b"\xff\xfb").content_type == "audio/mpeg"
    assert detect_type(b"\xff") is None
    assert detect_type(b"") is None


def test_every_mpeg_audio_layer_is_accepted_and_only_the_reserved_one_refused():
    layers = {byte & 0x06: detect_type(bytes([0xFF, byte])) for byte in (0xF9, 0xFB, 0xFD, 0xFF)}

    assert {bits: found and found.content_type for bits, found in layers.items()} == {
        0x00: None,
        0x02: "audio/mpeg",
        0x04: "audio/mpeg",
        0x06: "audio/mpeg",
    }


def test_an_empty_file_is_refused_and_says_so():
    assert refusal(b"") == "This file is empty."


def test_a_file_of_exactly_the_size_limit_is_accepted_whole(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    content = b"%PDF-1.4\n" + b"0" * (MB - 9)

    clean = evidence_clean(upload(content))

    assert clean.size == MB
    assert clean.content == content


def test_a_file_one_byte_over_the_limit_is_refused_and_says_the_limit(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1

    assert refusal(b"%PDF-1.4\n" + b"0" * (MB - 8)) == (
        "This file is larger than 1 MB. Please send a smaller file, or cut a long video into parts."
    )


def test_an_upload_declared_over_the_limit_is_refused_before_it_is_read(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    declared = UploadedFile(io.BytesIO(minimal_pdf()), name="a.pdf", size=MB + 1)

    with pytest.raises(EvidenceRefused, match="larger than 1 MB"):
        evidence_clean(declared)


def test_an_upload_of_unknown_size_is_measured_as_it_is_read(settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    small = UploadedFile(io.BytesIO(minimal_pdf()), name="a.pdf", size=None)
    big = UploadedFile(io.BytesIO(b"%PDF-1.4\n" + b"0" * MB), name="b.pdf", size=None)

    assert evidence_clean(small).content == minimal_pdf()
    with pytest.raises(EvidenceRefused, match="larger than 1 MB"):
        evidence_clean(big)


def test_an_upload_already_read_is_cleaned_from_its_first_byte():
    sent = upload(minimal_pdf())
    sent.read()

    assert evidence_clean(sent).content == minimal_pdf()


def test_an_upload_without_a_name_is_kept_without_one():
    nameless = UploadedFile(io.BytesIO(minimal_pdf()), name=None, size=len(minimal_pdf()))

    assert evidence_clean(nameless).original_name == ""


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("photo.jpg", "photo.jpg"),
        ("phone/DCIM/Camera/photo.jpg", "photo.jpg"),
        ("C:\\Users\\Zq\\Pictures\\photo.jpg", "photo.jpg"),
        ("\x00 report.pdf", "report.pdf"),
        ("..", ""),
        ("a" * 130 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_only_the_last_part_of_a_sent_name_is_kept_made_safe_and_short(sent, kept):
    assert clean_name(sent) == kept


def test_a_cleaned_file_cannot_be_changed_after_its_hash_is_taken():
    clean = evidence_clean(upload(minimal_pdf()))

    with pytest.raises(dataclasses.FrozenInstanceError):
        clean.content = b"%PDF-1.4 something else"


# Images -----------------------------------------------------------------------------------------


def palette_image() -> Image.Image:
    image = Image.new("P", (6, 4))
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 200, 0, 10, 20, 250])
    image.putdata([0, 1, 2, 3, 1, 0] * 4)
    image.info["transparency"] = 0
    return image


def test_a_palette_png_keeps_its_colours_and_transparency():
    original = encoded(palette_image(), "PNG")

    clean = evidence_clean(upload(original))

    stored = decoded(clean.content)
    assert stored.mode == "P"
    assert stored.convert("RGBA").tobytes() == decoded(original).convert("RGBA").tobytes()


def test_a_png_keeps_its_alpha_channel():
    image = Image.new("RGBA", (4, 4), (10, 20, 30, 0))
    image.putpixel((1, 1), (200, 100, 50, 128))
    original = encoded(image, "PNG")

    stored = decoded(evidence_clean(upload(original)).content)

    assert stored.mode == "RGBA"
    assert stored.tobytes() == image.tobytes()


def test_a_png_loses_its_colour_profile():
    original = encoded(Image.new("RGB", (4, 4)), "PNG", icc_profile=b"Zq profile naming a camera")
    assert "icc_profile" in decoded(original).info

    stored = decoded(evidence_clean(upload(original)).content)

    assert "icc_profile" not in stored.info


def test_a_webp_loses_its_exif_and_keeps_its_size():
    image = Image.new("RGB", (16, 8), (30, 60, 90))
    exif = Image.Exif()
    exif[0x013B] = "Zxqartist Photographer"
    original = encoded(image, "WEBP", lossless=True, exif=exif.tobytes())
    assert decoded(original).getexif()

    clean = evidence_clean(upload(original))

    stored = decoded(clean.content)
    assert stored.format == "WEBP"
    assert not stored.getexif()
    assert b"Zxqartist" not in clean.content
    assert stored.size == (16, 8)


def test_a_photo_taken_sideways_is_stored_upright_without_its_orientation_tag():
    image = Image.new("RGB", (60, 40), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 30, 40))  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show rotated 90 degrees clockwise
    original = encoded(image, "JPEG", exif=exif, quality=95)

    stored = decoded(evidence_clean(upload(original)).content)

    assert stored.size == (40, 60)
    assert not stored.getexif()
    assert stored.getpixel((20, 5))[0] > 200  # the white half is now on top
    assert stored.getpixel((20, 55))[0] < 50


def test_a_photo_is_re_encoded_at_quality_90():
    photo = Image.new("RGB", (16, 16), (100, 150, 200))
    reference = decoded(encoded(photo, "JPEG", quality=90))

    stored = decoded(evidence_clean(upload(encoded(photo, "JPEG", quality=50))).content)

    assert stored.quantization == reference.quantization


def truncated_png() -> bytes:
    content = encoded(Image.effect_noise((64, 64), 50).convert("RGB"), "PNG")
    return content[: len(content) // 2]


def png_with_a_text_bomb() -> bytes:
    chunks = PngImagePlugin.PngInfo()
    chunks.add_text("Comment", "0" * (2 * MB), zip=True)  # a few kilobytes, 2 MB inflated
    return encoded(Image.new("L", (4, 4)), "PNG", pnginfo=chunks)


def truncated_jpeg() -> bytes:
    content = encoded(Image.effect_noise((64, 64), 50).convert("RGB"), "JPEG")
    return content[: len(content) // 2]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xff\xd8\xff\xe0" + b"garbage" * 10, id="jpeg signature, then garbage"),
        pytest.param(truncated_jpeg(), id="truncated jpeg"),
        pytest.param(truncated_png(), id="truncated png"),
        pytest.param(png_with_a_text_bomb(), id="png text chunk inflating past the limit"),
        pytest.param(riff(b"WEBP"), id="webp header, no picture"),
    ],
)
def test_a_corrupted_image_is_refused_as_damaged(content):
    assert refusal(content) == DAMAGED


def test_a_corrupted_image_sent_on_the_form_is_never_stored(client, db):
    response = client.post(
        "/file/evidence/", {"upload": "1", "file": upload(truncated_png(), "photo.png")}
    )

    assert response.status_code == 400
    assert DAMAGED in response.content.decode()
    assert client.session["filing"]["evidence"] == []


@pytest.mark.parametrize("action", ["ignore", "default", "always"])
def test_an_image_past_pillows_warning_limit_is_refused_whatever_the_warning_filters(
    monkeypatch, action
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    between_once_and_twice = encoded(Image.new("L", (40, 40)), "PNG")  # 1,600 pixels

    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter(action)
        assert refusal(between_once_and_twice) == DAMAGED


def test_an_image_past_twice_pillows_limit_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    assert refusal(encoded(Image.new("L", (50, 50)), "PNG")) == DAMAGED


# Pixel limits: EVIDENCE_MAX_IMAGE_MEGAPIXELS for every image, and a memory budget that a photo
# meets by being decoded smaller.


def test_the_pixel_limit_is_the_memory_budget_at_each_formats_measured_cost(settings):
    settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS = 50
    settings.EVIDENCE_IMAGE_MEMORY_MB = 9

    assert image_pixel_limit(JPEG) == MB  # 9 bytes a pixel
    assert image_pixel_limit(PNG) == MB
    assert image_pixel_limit(WEBP) == 9 * MB // 60


def test_the_pixel_limit_never_passes_the_megapixel_cap(settings):
    settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS = 1
    settings.EVIDENCE_IMAGE_MEMORY_MB = 200

    assert {image_pixel_limit(kind) for kind in (JPEG, PNG, WEBP)} == {1_000_000}


def test_the_memory_one_upload_may_take_is_its_pixels_and_four_copies_of_the_file(settings):
    settings.EVIDENCE_IMAGE_MEMORY_MB = 200
    settings.EVIDENCE_MAX_FILE_MB = 20

    assert upload_memory_bound_mb() == 280


def test_an_image_of_exactly_the_megapixel_cap_is_accepted(settings):
    settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS = 1

    clean = evidence_clean(upload(encoded(Image.new("L", (1000, 1000)), "PNG")))

    assert decoded(clean.content).size == (1000, 1000)


def test_an_image_one_pixel_over_the_megapixel_cap_is_refused(settings):
    settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS = 1

    assert refusal(encoded(Image.new("L", (101, 9901)), "PNG")) == too_many_pixels(1)


def test_a_photo_over_the_megapixel_cap_is_refused_not_shrunk(settings):
    settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS = 2
    over_by_two_pixels = encoded(Image.new("L", (202, 9901)), "JPEG")

    assert refusal(over_by_two_pixels) == too_many_pixels(2)


# With a 1 MB budget: 116,508 pixels (266 x 438) for JPEG and PNG, 17,476 (68 x 257) for WebP.
@pytest.mark.parametrize(
    ("format", "fits", "one_row_more"),
    [("PNG", (266, 438), (266, 439)), ("WEBP", (68, 257), (68, 258))],
)
def test_an_image_that_cannot_be_decoded_smaller_must_fit_the_memory_budget(
    settings, format, fits, one_row_more
):
    settings.EVIDENCE_IMAGE_MEMORY_MB = 1

    clean = evidence_clean(upload(encoded(Image.new("L", fits), format)))

    assert decoded(clean.content).size == fits
    assert refusal(encoded(Image.new("L", one_row_more), format)) == too_many_pixels(1)


@pytest.mark.parametrize(
    ("size", "stored_size"),
    [
        ((266, 438), (266, 438)),  # fits: kept whole
        ((532, 876), (266, 438)),  # half its size fits exactly
        ((800, 800), (200, 200)),  # half is too big, a quarter fits
        ((1600, 1600), (200, 200)),  # a quarter is too big, an eighth fits
    ],
)
def test_a_photo_over_the_memory_budget_is_decoded_at_the_largest_fraction_that_fits(
    settings, size, stored_size
):
    settings.EVIDENCE_IMAGE_MEMORY_MB = 1

    clean = evidence_clean(upload(encoded(Image.new("L", size), "JPEG")))

    assert decoded(clean.content).size == stored_size


def test_a_photo_too_big_for_the_budget_even_at_an_eighth_is_refused(settings):
    settings.EVIDENCE_IMAGE_MEMORY_MB = 1

    assert refusal(encoded(Image.new("L", (2800, 2700)), "JPEG")) == too_many_pixels(1)


# Encryption at rest -----------------------------------------------------------------------------


def test_an_evidence_files_encryption_is_bound_to_its_row():
    first, second = "0c6b0ad4-58d5-4a8c-9a4b-4d2a5c3f7e01", "0c6b0ad4-58d5-4a8c-9a4b-4d2a5c3f7e02"

    assert evidence_file_context(first) == f"complaints.evidence.file:{first}"
    assert evidence_file_context(first) != evidence_file_context(second)


def test_an_evidence_file_encrypted_for_one_row_cannot_be_read_as_another(client, db):
    file_through_pages(client, files=[TESTDATA / "minimal.pdf", TESTDATA / "photo_with_gps.jpg"])
    pdf = Evidence.objects.get(content_type="application/pdf")
    photo = Evidence.objects.get(content_type="image/jpeg")
    assert evidence_read(pdf) == minimal_pdf()

    photo.file.name = pdf.file.name  # the photo's row now points at the PDF's sealed bytes

    with pytest.raises(DecryptionFailed):
        evidence_read(photo)


def test_a_file_sealed_for_a_row_with_the_documented_context_is_read_back(client, db):
    file_through_pages(client, files=[TESTDATA / "minimal.pdf"])
    evidence = Evidence.objects.get()
    sealed = encrypt_bytes(b"%PDF-1.4 Zq", context=f"complaints.evidence.file:{evidence.uid}")
    with evidence.file.open("wb") as handle:
        handle.write(sealed)

    assert evidence_read(evidence) == b"%PDF-1.4 Zq"


# HEIF and AVIF pictures are ISO media files too; stored as "video" they would keep their GPS.
@pytest.mark.parametrize(
    "brand",
    [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"],
)
def test_a_heif_or_avif_picture_is_refused_not_taken_for_a_video(brand):
    assert refusal(iso_media(brand)) == NOT_ACCEPTED
