"""The data officer's desk in a browser: the statistics page and an export, downloaded and
checked against the fingerprint the export page shows."""

import hashlib
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from monitoring.models import ExportRecord
from monitoring.statistics import statistics_refresh
from tests.browser.desks import Desk, desks_opened, sign_in
from tests.browser.journey import foreign_requests, path_of
from tests.filing import step_data, submit_directly
from tests.monitoring.cast import member

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "data_desk_shots"


@pytest.fixture
def desks(browser, live_server, requested_urls) -> Iterator[Callable[[str], Desk]]:
    yield from desks_opened(browser, live_server, requested_urls, SHOTS)


def test_the_data_officer_reads_the_statistics_and_checks_an_exports_fingerprint(
    desks, roles, seed_data, django_user_model, requested_urls, live_server
):
    now = timezone.now()
    for country in ["RW", "RW", "UG", "KE"]:
        consents = {"consent_processing": "on", "consent_anonymised_use": "on"}
        data = step_data(what={"incident_country": country}, consents=consents)
        submit_directly(now=now - timedelta(days=40), data=data)
    statistics_refresh(now=now)
    officer = member(django_user_model, "data1", "Data officer")
    desk = desks("data officer")
    page = desk.page
    sign_in(desk, officer)

    page.get_by_role("link", name="See the statistics").click()
    assert path_of(page) == "/staff/statistics/"
    assert page.get_by_text("4 complaints counted").is_visible()
    assert page.locator("svg.chart").count() >= 6
    desk.shot("statistics")
    page.set_viewport_size({"width": 360, "height": 800})
    desk.shot("statistics-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{desk.site}/staff/complaints/complaint/?status__exact=received")
    page.get_by_role("link", name="Export this list").click()
    assert page.get_by_text("status: Received").is_visible()
    desk.shot("export")
    with page.expect_download() as download:  # a download: the page stays where it is
        page.get_by_role("button", name="Export and record").click()
    body = Path(download.value.path()).read_bytes()
    assert re.fullmatch(r"cases-case_list-\d{8}-\d{4}\.csv", download.value.suggested_filename)
    page.reload()

    fingerprint = hashlib.sha256(body).hexdigest()
    assert page.locator("code.sha256").first.inner_text() == fingerprint
    assert ExportRecord.objects.get().end.sha256 == fingerprint
    assert body.count(b"\r\n") == 5  # the header and the four cases
    desk.shot("export-recorded")
    assert foreign_requests(requested_urls, live_server.url) == []
