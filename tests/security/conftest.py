import os
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from tests.security.hostile import csrf_headers

# Hypothesis caches what it learns (character tables, constants) in .hypothesis/ under the working
# directory; keep that out of the repository.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "allforrwanda-hypothesis")
)


@pytest.fixture
def tracked(client, complainant_case):
    """The test client, holding a tracking session opened with the complainant's receipt."""
    complaint, receipt = complainant_case
    client.raise_request_exception = False
    response = client.post("/track/", {"receipt": receipt})
    assert response.status_code == 302
    return client, complaint


@pytest.fixture
def visitor(complainant_case) -> Client:
    """A visitor as in production: CSRF checks on, a CSRF cookie, and their case open to follow."""
    _complaint, receipt = complainant_case
    visitor = Client(enforce_csrf_checks=True, raise_request_exception=False)
    visitor.get("/track/")
    response = visitor.post("/track/", {"receipt": receipt}, headers=csrf_headers(visitor))
    assert response.status_code == 302
    return visitor


@pytest.fixture
def staff_visitor(staff_viewer) -> Client:
    """A visitor signed in to the admin as a viewer, as a person does: password, then a code."""
    from tests.monitoring.staff import sign_in

    visitor = Client(raise_request_exception=False)
    sign_in(visitor, staff_viewer)
    return visitor
