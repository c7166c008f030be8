"""English and French are complete: every string marked for translation has a French text."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
TEMPLATE_STRING = re.compile(r'{%\s*translate\s+"((?:[^"\\]|\\.)*)"')
PYTHON_STRING = re.compile(r'\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)')


@pytest.fixture(scope="module")
def french():
    return polib.pofile(str(CATALOGUE))


def marked_strings() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        found |= set(TEMPLATE_STRING.findall(path.read_text(encoding="utf-8")))
    for app in ("complaints", "monitoring", "allforrwanda"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found |= set(PYTHON_STRING.findall(path.read_text(encoding="utf-8")))
    return {s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") for s in found}


def test_the_french_catalogue_has_no_missing_or_fuzzy_entry(french):
    assert french.untranslated_entries() == []
    assert french.fuzzy_entries() == []


def test_every_marked_string_is_in_the_french_catalogue(french):
    known = {entry.msgid for entry in french}

    marked = marked_strings()
    missing = sorted(marked - known)

    assert len(marked) > 150  # the scan really finds the strings

    assert missing == [], "run makemessages -l fr and translate: " + repr(missing[:5])
