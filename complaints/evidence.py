"""Deciding what an uploaded file really is, and cleaning it before it is stored.

The type comes from the file's first bytes against a short allow-list, never from its name or the
browser's claim. Images are decoded and re-encoded from their pixels alone, which drops every
metadata block (EXIF with GPS, camera and author; XMP; PNG text chunks; ICC profiles).
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from complaints.crypto import decrypt_bytes
from complaints.errors import EvidenceRefused
from complaints.models import Evidence, EvidenceKind

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    kind: str
    content_type: str
    extension: str


JPEG = FileType(EvidenceKind.IMAGE, "image/jpeg", ".jpg")
PNG = FileType(EvidenceKind.IMAGE, "image/png", ".png")
WEBP = FileType(EvidenceKind.IMAGE, "image/webp", ".webp")
PDF = FileType(EvidenceKind.DOCUMENT, "application/pdf", ".pdf")
MP3 = FileType(EvidenceKind.AUDIO, "audio/mpeg", ".mp3")
OGG = FileType(EvidenceKind.AUDIO, "audio/ogg", ".ogg")  # WhatsApp and Signal voice notes
WAV = FileType(EvidenceKind.AUDIO, "audio/wav", ".wav")
AMR = FileType(EvidenceKind.AUDIO, "audio/amr", ".amr")  # basic phones' voice recorder
M4A = FileType(EvidenceKind.AUDIO, "audio/mp4", ".m4a")
MP4 = FileType(EvidenceKind.VIDEO, "video/mp4", ".mp4")
THREE_GP = FileType(EvidenceKind.VIDEO, "video/3gpp", ".3gp")
QUICKTIME = FileType(EvidenceKind.VIDEO, "video/quicktime", ".mov")
WEBM = FileType(EvidenceKind.VIDEO, "video/webm", ".webm")

_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_MP4_AUDIO_BRANDS = {b"M4A ", b"M4B "}
_QUICKTIME_BRANDS = {b"qt  "}
# Still pictures in an ISO media box (an iPhone's HEIC photos, AVIF): not on the allow-list, and
# taken for an MP4 they would be stored with their GPS.
_PICTURE_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis",
}  # fmt: skip

ALLOWED_DESCRIPTION = _(
    "photos (JPEG, PNG, WebP), PDF documents, audio and voice notes (MP3, OGG/Opus, M4A, AMR, "
    "WAV) and videos (MP4, 3GP, MOV, WebM)"
)


def _iso_media_type(head: bytes) -> FileType | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _PICTURE_BRANDS:
        return None
    if brand in _MP4_AUDIO_BRANDS:
        return M4A
    if brand in _QUICKTIME_BRANDS:
        return QUICKTIME
    if brand.startswith(b"3g"):
        return THREE_GP
    return MP4


def _is_mp3(head: bytes) -> bool:
    # An ID3 tag, or an MPEG audio frame sync (11 set bits) with a valid layer.
    return head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0
    )


def detect_type(head: bytes) -> FileType | None:
    """The allowed type whose signature starts `head`, or None."""
    signatures = [
        (head.startswith(b"\xff\xd8\xff"), JPEG),
        (head.startswith(b"\x89PNG\r\n\x1a\n"), PNG),
        (head[:4] == b"RIFF" and head[8:12] == b"WEBP", WEBP),
        (head[:4] == b"RIFF" and head[8:12] == b"WAVE", WAV),
        (head.startswith(b"%PDF-"), PDF),
        (head.startswith(b"OggS"), OGG),
        (head.startswith(b"#!AMR"), AMR),
        (head.startswith(b"\x1a\x45\xdf\xa3"), WEBM),
        (_is_mp3(head), MP3),
    ]
    for matches, file_type in signatures:
        if matches:
            return file_type
    return _iso_media_type(head)


@dataclass(frozen=True)
class CleanFile:
    """An accepted file, ready to store: its cleaned bytes and what we know of them."""

    content: bytes
    file_type: FileType
    original_name: str
    sha256: str
    metadata_stripped: bool

    @property
    def size(self) -> int:
        return len(self.content)


# Peak bytes per pixel of decoding and re-encoding, measured (tests/complaints/test_memory.py):
# Pillow keeps every mode in at most 4 bytes a pixel, and turning a photo needs a second copy
# for a moment. libwebp decodes through buffers of its own and, for busy pictures, encodes
# through many more (about 50 bytes a pixel for noise).
_PEAK_BYTES_PER_PIXEL = {JPEG: 9, PNG: 9, WEBP: 60}
_JPEG_DRAFT_SCALES = (2, 4, 8)  # libjpeg decodes at these fractions almost for free
_KEPT_INFO = {"transparency"}  # how to draw the pixels, not metadata


def upload_memory_bound_mb() -> int:
    """How far one upload may raise a worker's peak memory (README, "Evidence limits").

    The pixels of an image take at most EVIDENCE_IMAGE_MEMORY_MB; the file itself is held at
    most four times at once (as read, as re-encoded, and twice while it is encrypted).
    """
    return settings.EVIDENCE_IMAGE_MEMORY_MB + 4 * settings.EVIDENCE_MAX_FILE_MB


def image_pixel_limit(file_type: FileType) -> int:
    """The most pixels an image of this type may decode to, so that its memory stays bounded."""
    budget = settings.EVIDENCE_IMAGE_MEMORY_MB * MB // _PEAK_BYTES_PER_PIXEL[file_type]
    return min(settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS * 1_000_000, budget)


def _refuse_too_many_pixels(limit: int) -> None:
    raise EvidenceRefused(
        _(
            "This image has too many pixels to open safely (at most %(mp)d "
            "megapixels). Please send a smaller photo."
        )
        % {"mp": max(1, limit // 1_000_000)}
    )


def _decode_bounded(image: Image.Image, file_type: FileType) -> None:
    """Decode within the memory budget, or refuse before decoding a single pixel.

    A photo too big for the budget is decoded at half, a quarter or an eighth of its size
    (libjpeg's draft mode) rather than refused; other formats cannot be, and are refused.
    """
    cap = settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS * 1_000_000
    if image.width * image.height > cap:
        _refuse_too_many_pixels(cap)
    limit = image_pixel_limit(file_type)
    if file_type is JPEG and image.width * image.height > limit:
        scale = next(
            (s for s in _JPEG_DRAFT_SCALES if image.width * image.height // (s * s) <= limit),
            _JPEG_DRAFT_SCALES[-1],
        )
        image.draft(image.mode, (image.width // scale, image.height // scale))
    if image.width * image.height > limit:
        _refuse_too_many_pixels(limit)
    image.load()


def _strip_image(data: bytes, file_type: FileType) -> bytes:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its own limit; here that is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                # One copy of the pixels at a time (two for a moment when turning), and the
                # metadata dropped from the image itself rather than copying its pixels out.
                _decode_bounded(opened, file_type)
                ImageOps.exif_transpose(opened, in_place=True)
                # A JPEG decodes only to L, RGB or CMYK, each of which the JPEG encoder writes.
                # The encoders write only what the image's info and the call give them: keep
                # nothing in info but how to draw the pixels, and give nothing.
                opened.info = {k: v for k, v in opened.info.items() if k in _KEPT_INFO}
                out = io.BytesIO()
                opened.save(out, format=_PILLOW_FORMATS[file_type], quality=90)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise EvidenceRefused(_("This image is damaged or too large to open.")) from error
    return out.getvalue()


def _read_limited(upload: UploadedFile) -> bytes:
    limit = settings.EVIDENCE_MAX_FILE_MB * MB
    if upload.size is not None and upload.size > limit:
        raise_too_large()
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise_too_large()
    if not data:
        raise EvidenceRefused(_("This file is empty."))
    return data


def raise_too_large() -> None:
    raise EvidenceRefused(
        _(
            "This file is larger than %(limit)d MB. Please send a smaller file, "
            "or cut a long video into parts."
        )
        % {"limit": settings.EVIDENCE_MAX_FILE_MB}
    )


def clean_name(name: str) -> str:
    try:
        safe = get_valid_filename(name.replace("\x00", "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    except SuspiciousFileOperation:  # a name like '..' that leaves nothing usable
        safe = ""
    return safe[-120:]


def evidence_clean(upload: UploadedFile) -> CleanFile:
    """Check an upload against the allow-list and strip image metadata, or raise EvidenceRefused."""
    data = _read_limited(upload)
    file_type = detect_type(data[:64])
    if file_type is None:
        raise EvidenceRefused(
            _("This kind of file is not accepted. You can send %(allowed)s.")
            % {"allowed": ALLOWED_DESCRIPTION}
        )
    stripped = file_type in _PILLOW_FORMATS
    if stripped:
        data = _strip_image(data, file_type)
    return CleanFile(
        content=data,
        file_type=file_type,
        original_name=clean_name(upload.name or ""),
        sha256=hashlib.sha256(data).hexdigest(),
        metadata_stripped=stripped,
    )


def evidence_file_context(uid: object) -> str:
    """What an evidence file's encryption is bound to: its Evidence row."""
    return f"complaints.evidence.file:{uid}"


def evidence_read(evidence: Evidence) -> bytes:
    """The stored (cleaned) bytes of an evidence file, decrypted."""
    with evidence.file.open("rb") as handle:
        return decrypt_bytes(handle.read(), context=evidence_file_context(evidence.uid))
