"""The public pages load a Bootstrap trimmed to what they use (`make css`). A class a template
starts to use that the trimmed file lacks would silently lose its style: this test says so."""

import re
from pathlib import Path

import crispy_bootstrap5

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT / "static" / "vendor" / "bootstrap"
CRISPY = Path(crispy_bootstrap5.__file__).parent / "templates"


def selectors_of(css: str) -> set[str]:
    return set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))


def classes_used() -> set[str]:
    """Every word inside a class="…" of a public template or of crispy-bootstrap5's templates,
    and in Python that sets classes on widgets; template tags inside are left out."""
    sources = [
        *(p for p in (ROOT / "templates").rglob("*.html") if "admin" not in p.parts),
        *CRISPY.rglob("*.html"),
        *(ROOT / "complaints").rglob("*.py"),
    ]
    used = set()
    for path in sources:
        text = path.read_text()
        for value in re.findall(r"class=[\"']([^\"']*)[\"']", text):
            value = re.sub(r"{%.*?%}|{{.*?}}", " ", value)
            used.update(word for word in value.split() if re.fullmatch(r"[\w-]+", word))
    return used


def test_every_bootstrap_class_the_public_pages_use_is_in_the_trimmed_stylesheet():
    full = selectors_of((BOOTSTRAP / "bootstrap.min.css").read_text())
    trimmed = selectors_of((BOOTSTRAP / "bootstrap.trimmed.min.css").read_text())

    missing = sorted((classes_used() & full) - trimmed)

    assert len(classes_used() & full) > 60  # the scan really finds the classes
    assert missing == [], "run `make css`: the trimmed Bootstrap lacks " + ", ".join(missing)


def test_the_trimmed_stylesheet_is_what_the_public_pages_link_and_is_far_smaller():
    base = (ROOT / "templates" / "base.html").read_text()
    full = (BOOTSTRAP / "bootstrap.min.css").stat().st_size
    trimmed = (BOOTSTRAP / "bootstrap.trimmed.min.css").stat().st_size

    assert "vendor/bootstrap/bootstrap.trimmed.min.css" in base
    assert "vendor/bootstrap/bootstrap.min.css" not in base
    assert trimmed < full / 4
    assert "Licensed under MIT" in (BOOTSTRAP / "bootstrap.trimmed.min.css").read_text()


def test_the_trimmed_stylesheet_still_draws_radio_buttons_round_and_file_inputs_styled():
    """Input types are written by Django's widgets in Python, which the trim does not read."""
    trimmed = (BOOTSTRAP / "bootstrap.trimmed.min.css").read_text()

    assert (
        ".form-check-input[type=radio]" in trimmed or "[type=radio]{border-radius:50%}" in trimmed
    )
    for kind in ("radio", "checkbox", "file", "submit"):
        assert f"[type={kind}]" in trimmed, kind
