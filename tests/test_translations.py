"""Four complete languages: every string marked for translation has a French, Kinyarwanda and
Swahili text, none fuzzy, each keeping the placeholders of its English."""

import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "rw", "sw"]
TEMPLATE_STRING = re.compile(r'{%\s*translate\s+"((?:[^"\\]|\\.)*)"')
PYTHON_STRING = re.compile(r'\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module", params=LANGUAGES)
def translated(request):
    return request.param, catalogue(request.param)


def marked_strings() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        found |= set(TEMPLATE_STRING.findall(path.read_text(encoding="utf-8")))
    for app in ("complaints", "monitoring", "allforrwanda"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found |= set(PYTHON_STRING.findall(path.read_text(encoding="utf-8")))
    return {s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") for s in found}


def test_no_catalogue_has_a_missing_or_fuzzy_entry(translated):
    _language, po = translated

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_every_marked_string_is_in_every_catalogue(translated):
    language, po = translated
    known = {entry.msgid for entry in po}

    marked = marked_strings()
    missing = sorted(marked - known)

    assert len(marked) > 150  # the scan really finds the strings
    assert missing == [], f"run makemessages -l {language} and translate: " + repr(missing[:5])


def test_each_translation_keeps_the_placeholders_of_its_english(translated):
    _language, po = translated

    def names(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    wrong = [
        entry.msgid
        for entry in po.translated_entries()
        if (
            entry.msgid_plural
            and any(
                names(text) not in (names(entry.msgid), names(entry.msgid_plural))
                for text in entry.msgstr_plural.values()
            )
        )
        or (not entry.msgid_plural and names(entry.msgstr) != names(entry.msgid))
    ]

    assert wrong == []


def test_the_four_catalogues_hold_the_same_messages():
    english = {entry.msgid for entry in catalogue("fr")}

    for language in ("rw", "sw"):
        assert english - {entry.msgid for entry in catalogue(language)} == set(), language


@pytest.mark.parametrize(
    ("language", "month"), [("rw", "Ukuboza"), ("sw", "Desemba"), ("fr", "décembre")]
)
def test_dates_are_written_in_each_languages_own_way(language, month):
    from datetime import date

    with translation.override(language):
        written = date_format(date(2026, 12, 3), "DATE_FORMAT")

    assert written == f"3 {month} 2026"


@pytest.mark.parametrize("language", ["rw", "sw", "fr", "en"])
def test_a_browser_asking_for_a_language_gets_it(db, language):
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")

    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.content.decode()


def test_an_unknown_language_falls_back_to_english(db):
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="xx-YY")

    assert '<html lang="en"' in page.content.decode()
