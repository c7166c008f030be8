"""Every word a public template shows is marked for translation: none reaches a Kinyarwanda or
Swahili reader in English because someone forgot `{% translate %}`."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# The staff side (the admin and the Committee's own pages) is checked by its own tests.
STAFF = ("admin", "monitoring")
PUBLIC = sorted(
    path for path in TEMPLATES.rglob("*.html") if path.relative_to(TEMPLATES).parts[0] not in STAFF
)
NOT_WORDS = {"All For Rwanda"}  # the name of the site, the same in every language
SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
DJANGO = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)


def words_left(source: str) -> list[str]:
    """The text a reader would see that is not inside a Django tag or a variable."""
    source = re.sub(
        r"{%\s*(blocktranslate|blocktrans)\b.*?{%\s*end\1\s*%}", " ", source, flags=re.S
    )
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"<!--.*?-->", " ", source, flags=re.S)
    source = DJANGO.sub(" ", source)
    text = re.sub(r"<[^>]*>", "\n", source)
    pieces = [piece.strip(" \t·—|") for piece in text.split("\n")]
    return [
        piece for piece in pieces if re.search(r"[^\W\d_]{2,}", piece) and piece not in NOT_WORDS
    ]


def attributes_left(source: str) -> list[str]:
    """Shown attributes (aria-label, title…) written as plain text rather than translated."""
    found = []
    for name in SHOWN_ATTRIBUTES:
        for value in re.findall(rf'\b{name}="([^"]*)"', source):
            if re.search(r"[^\W\d_]{2,}", DJANGO.sub("", value)):
                found.append(f'{name}="{value}"')
    return found


@pytest.mark.parametrize("path", PUBLIC, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_a_public_template_shows_no_words_that_are_not_marked_for_translation(path):
    source = path.read_text()

    assert words_left(source) == []
    assert attributes_left(source) == []


def test_the_check_finds_a_forgotten_word_and_a_forgotten_label():
    assert words_left("<p>{% translate 'Yes' %}</p><p>Send it</p>") == ["Send it"]
    assert words_left("{% blocktranslate %}Hello {{ x }}{% endblocktranslate %}") == []
    assert attributes_left('<nav aria-label="Steps">') == ['aria-label="Steps"']
    assert attributes_left("<nav aria-label=\"{% translate 'Steps' %}\">") == []
    assert len(PUBLIC) > 20  # the public templates really were found
