"""Signing staff in during tests the way a person does: password, then the app's code."""

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple 42"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the device's app shows now (or `steps_ahead` periods of 30 s later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code that no nearby time step of the device accepts."""
    nearby = {code_for(device, steps_ahead=step) for step in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in nearby)


def enter_password(client: Client, username: str, password: str = PASSWORD, *, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("admin:login"), data)


def enter_code(client: Client, code: str):
    return client.post(reverse("admin:login_code"), {"otp_token": code})


def next_code_for(device: TOTPDevice) -> str:
    """A code the device still takes: django-otp refuses any at or before the last one used.

    So a test may sign the same account in twice within 30 seconds (the device accepts the next
    period's code too).
    """
    device.refresh_from_db()
    current = int(time.time() - device.t0) // device.step + device.drift
    return code_for(device, steps_ahead=max(0, device.last_t + 1 - current))


def sign_in(
    client: Client, user, device: TOTPDevice | None = None, *, password: str = PASSWORD
) -> None:
    """Both steps, as a person does them, asserting each one went where it should.

    Without a device, the account's confirmed one: its app's code is computed from its key.
    """
    device = device or TOTPDevice.objects.get(user=user, confirmed=True)
    assert enter_password(client, user.username, password).url == reverse("admin:login_code")
    assert enter_code(client, next_code_for(device)).url == reverse("admin:index")


def user_form_data(client: Client, user) -> dict:
    """An account's change form as the page fills it in (dates split as the widget does)."""
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and not isinstance(value, list)
    }
    joined = data.pop("date_joined", None)
    if joined is None:  # read-only for an Administrator
        return data
    return {
        **data,
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().strftime("%H:%M:%S"),
    }
