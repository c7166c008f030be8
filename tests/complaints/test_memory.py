"""One upload raises a worker's memory by a bounded amount, whatever image it carries.

Pillow allocates pixels in C, where tracemalloc cannot see them: each case runs in a fresh
process and compares that process's peak resident size before and after cleaning and storing.
"""

import io
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from complaints.evidence import JPEG, PNG, WEBP, image_pixel_limit, upload_memory_bound_mb

ROOT = Path(__file__).resolve().parents[2]
MEASURE = """
import resource, sys, uuid
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from complaints.evidence import evidence_clean
from complaints.services import evidence_store
upload = SimpleUploadedFile("x", open(sys.argv[1], "rb").read())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
clean = evidence_clean(upload)
evidence_store(clean=clean, description="")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(clean.file_type.content_type, clean.size, (after - before) // 1024)
"""


def turned(image: Image.Image) -> bytes:
    """EXIF orientation 6: the photo must be turned, which briefly needs a second copy."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif.tobytes()


def largest_side(file_type: object) -> int:
    return math.isqrt(image_pixel_limit(file_type))


def worst_png() -> bytes:
    # The largest accepted, in the costliest mode, turned, and a few hundred kilobytes on disk.
    side = largest_side(PNG)
    image = Image.new("RGBA", (side, side), (200, 10, 10, 128))
    out = io.BytesIO()
    image.save(out, format="PNG", exif=turned(image))
    return out.getvalue()


def worst_jpeg(settings: object) -> bytes:
    # As many pixels as EVIDENCE_MAX_IMAGE_MEGAPIXELS lets in (decoded at a smaller scale), CMYK.
    side = math.isqrt(settings.EVIDENCE_MAX_IMAGE_MEGAPIXELS * 1_000_000)
    image = Image.new("CMYK", (side, side))
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=turned(image))
    return out.getvalue()


def worst_webp() -> bytes:
    # libwebp works hardest on noise: the largest accepted, with alpha, every pixel random.
    side = largest_side(WEBP)
    image = Image.frombytes("RGBA", (side, side), os.urandom(side * side * 4))
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=90, exif=turned(image))
    return out.getvalue()


def peak_increase_mb(path: Path, tmp_path: Path) -> tuple[str, int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "allforrwanda.settings",
        "DEBUG": "1",
        "EVIDENCE_ROOT": str(tmp_path / "evidence"),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
        text=True,
        timeout=120,
    )
    content_type, _size, increase = result.stdout.split()
    return content_type, int(increase)


@pytest.mark.parametrize("kind", ["png", "jpeg", "webp"])
def test_the_worst_image_the_limits_accept_stays_within_the_stated_memory(kind, settings, tmp_path):
    content = {"png": worst_png, "jpeg": lambda: worst_jpeg(settings), "webp": worst_webp}[kind]()
    path = tmp_path / f"worst.{kind}"
    path.write_bytes(content)
    assert len(content) <= settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024

    content_type, increase = peak_increase_mb(path, tmp_path)

    assert content_type == f"image/{kind}"  # accepted, not refused
    assert increase <= upload_memory_bound_mb(), f"{kind}: {increase} MB"
    assert upload_memory_bound_mb() == 280  # the figure the README states for the defaults


def test_a_photo_bigger_than_the_memory_allows_is_stored_smaller_not_refused(settings):
    from complaints.evidence import evidence_clean
    from tests.complaints.test_evidence import upload

    settings.EVIDENCE_IMAGE_MEMORY_MB = 1  # about 116,000 pixels for a JPEG
    out = io.BytesIO()
    Image.new("RGB", (800, 600)).save(out, format="JPEG")

    clean = evidence_clean(upload("big.jpg", out.getvalue()))

    stored = Image.open(io.BytesIO(clean.content))
    assert stored.size == (200, 150)  # decoded at a quarter of its size
    assert JPEG.content_type == clean.file_type.content_type


def test_a_png_bigger_than_the_memory_allows_is_refused_with_the_limit(settings):
    from complaints.errors import EvidenceRefused
    from complaints.evidence import evidence_clean
    from tests.complaints.test_evidence import upload

    settings.EVIDENCE_IMAGE_MEMORY_MB = 9  # 1,048,576 pixels for a PNG
    out = io.BytesIO()
    Image.new("L", (1100, 1000)).save(out, format="PNG")

    with pytest.raises(EvidenceRefused, match="at most 1 megapixels"):
        evidence_clean(upload("big.png", out.getvalue()))
