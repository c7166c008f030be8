"""What a complainant types about themself stays out of the browser's own stores."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.journey import ANSWERS, press
from tests.filing import MARKERS

pytestmark = pytest.mark.browser
# What the first pages (about you, who you are, contact, where you live) type that would
# identify the person.
TYPED = [MARKERS["name"], "+256 700 000000", "UG-123", "Only after 6pm"]


def profile_bytes(folder) -> bytes:
    return b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())


def test_identity_typed_into_the_form_is_not_kept_in_a_persistent_browser_profile(
    live_server, tmp_path, monkeypatch
):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip("Chromium not installed: apt-get install chromium (CI installs it)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as the browser fixture does

    profile = tmp_path / "profile"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/file/about/")
        for answer, _following in ANSWERS[:4]:
            answer(page)
            press(page, "Save and continue")
        page.get_by_role("link", name="Leave this site quickly").first.click()
        context.close()

    stored = profile_bytes(profile)
    assert (profile / "Default").is_dir()  # the profile really was written
    assert [text for text in TYPED if text.encode() in stored] == []
