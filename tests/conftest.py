import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.filing import submit_directly


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

    When a test client logs them in (`client.force_login(staff_viewer)`), the session also counts
    as having passed the second factor, as after the real two-step sign-in. A plain force_login
    of anyone else reaches no admin page; tests/monitoring/ tests the sign-in itself.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.auth.signals import user_logged_in
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = django_user_model.objects.create_user(
        username="viewer", password="x" * 16, is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_complaint",
                "view_case_content",
                "view_evidence_file",
                "view_violationcategory",
            ]
        )
    )
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)

    def second_factor_passed(sender: type, request, user, **kwargs) -> None:
        if user.pk == device.user_id:
            request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id

    user_logged_in.connect(second_factor_passed, weak=False, dispatch_uid="staff-viewer-otp")
    yield user
    user_logged_in.disconnect(dispatch_uid="staff-viewer-otp")
