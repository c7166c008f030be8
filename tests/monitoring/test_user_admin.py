"""An Administrator manages accounts and roles, but cannot make themself more than that."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.monitoring.staff import PASSWORD, sign_in
from tests.monitoring.staff import user_form_data as own_form_data


@pytest.fixture
def administrator(django_user_model):
    user = django_user_model.objects.create_user(username="adm", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Administrator"))
    return user


@pytest.fixture
def signed_in(administrator):
    client = Client()
    device = TOTPDevice.objects.create(user=administrator, name="Phone", confirmed=True)
    sign_in(client, administrator, device)
    return client


def test_an_administrator_cannot_make_themself_superuser_or_change_their_own_roles(
    signed_in, administrator
):
    chair = Group.objects.get(name="Committee chair")
    data = {
        **own_form_data(signed_in, administrator),
        "is_superuser": "on",
        "groups": [chair.pk],
        "username": "adm",
    }

    signed_in.post(reverse("admin:auth_user_change", args=[administrator.pk]), data)

    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert list(administrator.groups.values_list("name", flat=True)) == ["Administrator"]


def test_an_administrator_cannot_change_a_superusers_account(signed_in, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password=PASSWORD)

    page = signed_in.get(reverse("admin:auth_user_password_change", args=[root.pk]))

    assert page.status_code == 403


def test_an_administrator_can_give_another_account_a_role_that_sees_no_case_content(
    signed_in, django_user_model
):
    person = django_user_model.objects.create_user(
        username="registrar1", password=PASSWORD, is_staff=True
    )
    registrar = Group.objects.get(name="Appeal registrar")
    data = {
        **own_form_data(signed_in, person),
        "groups": [registrar.pk],
        "username": "registrar1",
        "is_staff": "on",
        "is_active": "on",
    }

    signed_in.post(reverse("admin:auth_user_change", args=[person.pk]), data)

    assert list(person.groups.values_list("name", flat=True)) == ["Appeal registrar"]


def test_a_refused_staff_page_speaks_to_staff_not_to_a_complainant(signed_in, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password=PASSWORD)

    page = signed_in.get(reverse("admin:auth_user_password_change", args=[root.pk]))

    text = page.content.decode()
    assert page.status_code == 403
    assert "ask the Committee chair" in text
    assert "type your receipt again" not in text
    assert reverse("admin:index") in text


def test_a_refused_public_page_still_sends_the_complainant_to_their_receipt(rf):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    page = permission_denied(rf.get("/track/case/"), PermissionDenied())

    assert page.status_code == 403
    assert "type your receipt again" in page.content.decode()
    assert "Committee chair" not in page.content.decode()
