import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from tests.filing import submit_directly

PRODUCTION_PASSWORD_HASHERS = list(django_settings.PASSWORD_HASHERS)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Staff passwords hashed with Argon2id at cheap settings (tests/hashers.py)."""
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Each test writes evidence into its own folder, and starts with an empty cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "complaints.storage.PrivateStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_data(transactional_db):
    """What data migrations load, for tests whose database is flushed (transactional ones)."""
    from complaints.models import ViolationCategory
    from complaints.seeds import violation_categories_load

    violation_categories_load(ViolationCategory)


@pytest.fixture
def roles(transactional_db):
    """The staff roles that data migrations create, for tests whose database is flushed."""
    from django.contrib.auth.models import Group, Permission

    from monitoring.roles import ROLES

    for name, dotted in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for permission in dotted:
            app_label, codename = permission.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def complainant_case(db, now):
    """A complaint filed through the service, and the receipt its complainant was given."""
    submission = submit_directly(now=now)
    return submission.complaint, submission.receipt


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user(username="outsider", password="x" * 16)


@pytest.fixture
def staff_viewer(django_user_model):
    """A case worker who may read complaints and evidence, and has an authenticator app.

    Tests sign them in as a person does, with `sign_in(client, staff_viewer)` from
    tests/monitoring/staff.py: the password, then the code the app shows now. Nothing marks a
    session as having passed the second factor without it; tests/monitoring/ tests the steps.
    """
    from django.contrib.auth.models import Permission
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.monitoring.staff import PASSWORD

    user = django_user_model.objects.create_user(
        username="viewer", password=PASSWORD, is_staff=True
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
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user
