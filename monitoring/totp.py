"""Authenticator-app devices (TOTP, RFC 6238) of staff accounts, through django-otp.

Each account has at most one confirmed device. Enrolment creates an unconfirmed one whose secret
the person copies into their app; it is confirmed by the first right code.
"""

from base64 import b32encode

import segno
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def totp_device_confirmed(*, user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def totp_device_unconfirmed(*, user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()


@transaction.atomic
def totp_device_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device to enrol, the same one at every sign-in until it is confirmed.

    Keeping it (rather than drawing a new secret each time) means a person who already scanned
    the code and comes back is not left with a secret that no longer works.
    """
    device = totp_device_unconfirmed(user=user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])


@transaction.atomic
def totp_device_replace(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new confirmed device in place of any the account had (the demo data set's accounts)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it when typed in: base32, in groups of four."""
    encoded = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as a QR code in a data: URI (the pages' CSP allows data: images only)."""
    return segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, border=4, dark="#000", light="#fff"
    )


def totp_current_code(device: TOTPDevice) -> tuple[str, int]:
    """The code the device's app shows now, and how many seconds it has left."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    seconds_left = device.step - (int(totp.time) - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", seconds_left
