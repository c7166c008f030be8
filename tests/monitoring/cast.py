"""The Committee's cast for case-work tests: people in their real roles, signed in for real."""

from django.contrib.auth.models import Group
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.cases.services import case_assign
from tests.monitoring.staff import PASSWORD, sign_in


def member(django_user_model, username: str, role: str):
    """A staff account in one of the roles of monitoring/roles.py, with an authenticator app."""
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def client_of(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def give(complaint, to, *, by, now):
    """The chair gives a case to someone, as from the case page (the page showed who had it)."""
    return case_assign(
        complaint=complaint,
        rapporteur=to,
        by=by,
        expected_rapporteur_id=complaint.rapporteur_id,
        now=now,
    )
