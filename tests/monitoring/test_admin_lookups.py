"""No admin list filters on a column it does not offer as a filter: secrets cannot be read a
character at a time from how many rows a prefix matches."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.monitoring.staff import sign_in


@pytest.fixture
def superuser_client(superuser_with_device):
    client = Client()
    sign_in(client, superuser_with_device, superuser_with_device.totpdevice_set.get())
    return client


def unlisted_lookups() -> list[tuple[str, str]]:
    """Every registered list with each of its own columns that no filter of its offers."""
    cases = []
    for model, model_admin in admin.site._registry.items():
        listed = {f if isinstance(f, str) else None for f in model_admin.list_filter}
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for field in model._meta.concrete_fields:
            if field.name not in listed and not field.primary_key:
                cases.append((url, f"{field.name}__startswith"))
    return cases


SECRETS = [
    ("admin:otp_totp_totpdevice_changelist", "key__startswith"),
    ("admin:complaints_complaint_changelist", "receipt_hash__startswith"),
    ("admin:complaints_complaint_changelist", "submission_token__startswith"),
    ("admin:auth_user_changelist", "password__startswith"),
]


@pytest.mark.parametrize(("url_name", "lookup"), SECRETS)
def test_a_secret_column_cannot_be_filtered_on_from_the_url(superuser_client, url_name, lookup):
    response = superuser_client.get(reverse(url_name), {lookup: "a"})

    assert response.status_code == 400


def test_no_list_accepts_a_lookup_on_a_column_it_offers_no_filter_for(superuser_client):
    cases = unlisted_lookups()
    accepted = [
        (url, lookup)
        for url, lookup in cases
        if superuser_client.get(url, {lookup: "a"}).status_code != 400
    ]

    assert len(cases) > 40  # every list was walked
    assert accepted == []


def test_the_filters_a_list_offers_still_work(superuser_client, complainant_case):
    complaint, _receipt = complainant_case
    url = reverse("admin:complaints_complaint_changelist")

    received = superuser_client.get(url, {"status__exact": "received"})
    closed = superuser_client.get(url, {"status__exact": "closed"})

    assert received.status_code == closed.status_code == 200
    assert complaint.reference in received.content.decode()
    assert complaint.reference not in closed.content.decode()


REVERSE_RELATIONS = [
    ("admin:auth_user_changelist", "groups__user__password__startswith"),
    ("admin:complaints_complaint_changelist", "categories__complaints__receipt_hash__startswith"),
]


@pytest.mark.parametrize(("url_name", "lookup"), REVERSE_RELATIONS)
def test_a_lookup_back_through_a_reverse_relation_is_refused_not_a_crash(
    superuser_client, url_name, lookup
):
    response = superuser_client.get(reverse(url_name), {lookup: "a"})

    assert response.status_code == 400


def test_a_model_registered_without_an_admin_class_also_filters_only_on_what_it_lists():
    from django.contrib.auth.models import Permission

    from monitoring.admin_site import ListedLookupsOnly, StaffAdminSite

    site = StaffAdminSite(name="probe")
    site.register(Permission)

    assert isinstance(site._registry[Permission], ListedLookupsOnly)


def test_the_staff_site_names_itself_as_the_committees(superuser_client):
    html = superuser_client.get(reverse("admin:index")).content.decode()

    assert "All For Rwanda — Monitoring Committee" in html
    assert "<title>Case work | All For Rwanda</title>" in html
