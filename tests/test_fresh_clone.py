"""A fresh clone, with nothing beside it, has all that its tests and its code need."""

import io
import re
import subprocess
from pathlib import Path

from PIL import Image

from tests.filing import TESTDATA
from tests.testdata import ARTIST, GPS_IFD, MAKE

ROOT = Path(__file__).resolve().parent.parent
# Written in two parts so that this file does not match itself.
BESIDE_THE_CHECKOUT = re.compile(r"\.\./" + r"shared\b|[\"']" + r"shared[\"']")
RUN_TIME_FILES = re.compile(r"(\.py|\.toml|\.cfg|\.sh|Makefile|\.ci/run)$")


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
    )
    return [ROOT / name for name in listed.stdout.splitlines() if RUN_TIME_FILES.search(name)]


def test_no_code_test_or_build_file_reads_a_folder_beside_the_checkout():
    files = tracked_files()
    offenders = [
        str(path.relative_to(ROOT))
        for path in files
        if path.exists() and BESIDE_THE_CHECKOUT.search(path.read_text(encoding="utf-8"))
    ]

    assert len(files) > 50  # the scan saw the project
    assert offenders == []


def test_the_test_files_live_in_a_folder_of_this_run_not_beside_the_checkout():
    assert ROOT.parent not in TESTDATA.parents
    assert sorted(p.name for p in TESTDATA.iterdir()) == [
        "hostile_strings.txt",
        "html_named_as.jpg",
        "minimal.pdf",
        "photo_with_gps.jpg",
        "screenshot_with_text_chunks.png",
        "script_named_as.pdf",
    ]


def test_the_made_photo_carries_what_a_phone_would_reveal():
    exif = Image.open(io.BytesIO((TESTDATA / "photo_with_gps.jpg").read_bytes())).getexif()

    gps = exif.get_ifd(GPS_IFD)
    assert (gps[1], gps[3]) == ("S", "E")
    assert [float(x) for x in gps[2]] == [1.0, 56.0, 0.0]
    assert exif[ARTIST]
    assert exif[MAKE]


def test_the_made_screenshot_names_its_author_in_text_chunks():
    image = Image.open(io.BytesIO((TESTDATA / "screenshot_with_text_chunks.png").read_bytes()))

    assert set(image.text) == {"Author", "Comment"}


def test_the_made_pdf_is_whole_and_the_disguised_files_are_not_what_they_are_named():
    pdf = (TESTDATA / "minimal.pdf").read_bytes()

    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert (TESTDATA / "html_named_as.jpg").read_bytes().startswith(b"<!DOCTYPE html>")
    assert (TESTDATA / "script_named_as.pdf").read_bytes().startswith(b"#!/bin/sh")


def test_the_hostile_strings_include_a_null_byte_marker_and_a_formula_behind_a_tab():
    lines = (TESTDATA / "hostile_strings.txt").read_text(encoding="utf-8").splitlines()

    assert "\\x00 null byte in text" in lines
    assert "\t=1+1" in lines
    assert len(lines) >= 30


def test_make_run_serves_on_the_port_asked_for_when_8000_is_taken():
    planned = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    assert "runserver 127.0.0.1:8123" in planned
