"""Staff passwords: long, not common, stored with Argon2; and no account comes with the code."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PRODUCTION_PASSWORD_HASHERS


@pytest.mark.parametrize("password", ["Zq7#kd9!Lm2", "short", ""])
def test_a_password_under_twelve_characters_is_refused(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert "password_too_short" in [error.code for error in refused.value.error_list]


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop12", "1qaz2wsx3edc"])
def test_a_common_password_is_refused_even_when_long_enough(password):
    assert len(password) >= 12
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert "password_too_common" in [error.code for error in refused.value.error_list]


def test_a_long_uncommon_passphrase_is_accepted():
    assert validate_password("lake kivu at dawn, 7 boats") is None


def test_a_new_password_is_hashed_with_argon2id(django_user_model, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
    user = django_user_model.objects.create_user(username="someone", password="x" * 16)

    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("x" * 16)
    # Django's own Argon2 costs (not the quick ones the other tests use): nothing to upgrade.
    assert type(identify_hasher(user.password)) is Argon2PasswordHasher
    assert not Argon2PasswordHasher().must_update(user.password)


def test_no_account_device_or_attempt_exists_after_migrations(django_user_model):
    assert not django_user_model.objects.exists()
    assert not TOTPDevice.objects.exists()
    assert not AccessAttempt.objects.exists()
