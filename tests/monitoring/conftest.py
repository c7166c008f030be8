import pytest
from django.contrib.auth.models import Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.monitoring.cast import member
from tests.monitoring.staff import PASSWORD


def _staff(django_user_model, username: str, **extra):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True, **extra
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_complaint",
                "view_case_content",
                "view_evidence_file",
                "view_violationcategory",
                # Every case, as the chair sees them (monitoring/cases/access.py).
                "view_every_case",
            ]
        )
    )
    return user


@pytest.fixture
def rapporteur(django_user_model):
    """A staff member whose authenticator app is set up."""
    return _staff(django_user_model, "rapporteur")


@pytest.fixture
def rapporteur_device(rapporteur):
    return TOTPDevice.objects.create(user=rapporteur, name="Phone", confirmed=True)


@pytest.fixture
def newcomer(django_user_model):
    """A staff member signing in for the first time: no authenticator app yet."""
    return _staff(django_user_model, "newcomer")


@pytest.fixture
def superuser_with_device(django_user_model):
    user = django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


@pytest.fixture
def chair(django_user_model):
    """The Committee chair, in the role a data migration created."""
    return member(django_user_model, "chair", "Committee chair")


@pytest.fixture
def member_rapporteur(django_user_model):
    """A committee member in the Rapporteur role (the `rapporteur` fixture holds permissions
    given one by one, for the sign-in tests)."""
    return member(django_user_model, "amina", "Rapporteur")


@pytest.fixture
def other_rapporteur(django_user_model):
    return member(django_user_model, "jean", "Rapporteur")


@pytest.fixture
def data_officer(django_user_model):
    return member(django_user_model, "data", "Data officer")
