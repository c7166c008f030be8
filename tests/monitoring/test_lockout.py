"""Failed sign-ins lock the username for a while, and leave no address or browser behind."""

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.lockout import NO_ADDRESS
from tests.complaints.test_privacy import database_text
from tests.monitoring.staff import (
    PASSWORD,
    code_for,
    enter_code,
    enter_password,
    sign_in,
    wrong_code,
)

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "203.0.113.78"
USER_AGENT = "MarkerPhone/9.9 (Zxq-UA-staff)"
CODE_STEP = reverse("admin:login_code")


def fail_passwords(client: Client, username: str, times: int) -> list:
    return [enter_password(client, username, "wrong password, again") for _ in range(times)]


def test_the_username_is_locked_after_the_limit_even_with_the_right_password(
    client, settings, rapporteur, rapporteur_device
):
    responses = fail_passwords(client, "rapporteur", settings.AXES_FAILURE_LIMIT)

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    right = enter_password(Client(), "rapporteur")
    assert right.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"locked for up to {minutes} minutes" in right.content.decode()
    assert '<h1 class="sign-in-title">Sign-in locked</h1>' in right.content.decode()
    attempt = AccessAttempt.objects.get(username="rapporteur")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT


def test_wrong_codes_count_towards_the_lockout(client, settings, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur")
    fail_passwords(Client(), "rapporteur", settings.AXES_FAILURE_LIMIT - 2)

    assert enter_code(client, wrong_code(rapporteur_device)).status_code == 200
    locked = enter_code(client, wrong_code(rapporteur_device))

    assert locked.status_code == 429
    assert "staff_sign_in" not in client.session  # the half-finished sign-in is over
    assert enter_code(client, code_for(rapporteur_device)).url == reverse("admin:login")
    assert enter_password(Client(), "rapporteur").status_code == 429


def test_a_half_finished_sign_in_cannot_finish_once_the_username_is_locked(
    client, settings, rapporteur, rapporteur_device
):
    enter_password(client, "rapporteur")
    fail_passwords(Client(), "rapporteur", settings.AXES_FAILURE_LIMIT)

    response = enter_code(client, code_for(rapporteur_device))

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_half_finished_enrolment_cannot_finish_once_the_username_is_locked(
    client, settings, newcomer
):
    enter_password(client, "newcomer")
    device = TOTPDevice.objects.get(user=newcomer)
    fail_passwords(Client(), "newcomer", settings.AXES_FAILURE_LIMIT)

    response = client.post(reverse("admin:login_enrol"), {"otp_token": code_for(device)})

    assert response.status_code == 429
    device.refresh_from_db()
    assert not device.confirmed
    assert "_auth_user_id" not in client.session
    assert "staff_sign_in" not in client.session


def test_one_username_can_never_have_two_failure_records(rapporteur):
    """Simultaneous failures rely on axes' unique index; a NULL address would slip past it."""
    fields = {"username": "rapporteur", "ip_address": NO_ADDRESS, "user_agent": ""}
    AccessAttempt.objects.create(**fields, failures_since_start=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        AccessAttempt.objects.create(**fields, failures_since_start=1)


def test_the_lock_lifts_after_the_cool_off(client, settings, rapporteur, rapporteur_device):
    fail_passwords(client, "rapporteur", settings.AXES_FAILURE_LIMIT)
    assert enter_password(client, "rapporteur").status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )

    assert enter_password(client, "rapporteur").url == CODE_STEP
    assert enter_code(client, code_for(rapporteur_device)).url == reverse("admin:index")


def test_tries_during_the_lockout_do_not_extend_it(client, settings, rapporteur):
    fail_passwords(client, "rapporteur", settings.AXES_FAILURE_LIMIT)
    locked_at = AccessAttempt.objects.get().attempt_time

    fail_passwords(client, "rapporteur", 3)
    enter_password(client, "rapporteur")

    attempt = AccessAttempt.objects.get()
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT


def test_a_full_sign_in_clears_the_count(client, settings, rapporteur, rapporteur_device):
    fail_passwords(client, "rapporteur", settings.AXES_FAILURE_LIMIT - 1)

    sign_in(client, rapporteur, rapporteur_device)

    assert not AccessAttempt.objects.exists()


def test_the_lock_follows_the_username_not_the_address(
    settings, rapporteur, rapporteur_device, newcomer
):
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail_passwords(Client(REMOTE_ADDR=f"198.51.100.{number}"), "rapporteur", 1)

    same_camp = Client(REMOTE_ADDR="198.51.100.0")
    assert enter_password(same_camp, "rapporteur").status_code == 429
    assert enter_password(same_camp, "newcomer").url == reverse("admin:login_enrol")


def test_an_unknown_username_is_locked_like_a_real_one(client, settings, rapporteur):
    fail_passwords(client, "nobody-here", settings.AXES_FAILURE_LIMIT)
    fail_passwords(client, "rapporteur", settings.AXES_FAILURE_LIMIT)

    unknown = enter_password(client, "nobody-here").content.decode()
    known = enter_password(client, "rapporteur").content.decode()

    assert "locked for up to" in unknown
    strip = "csrfmiddlewaretoken"
    assert [line for line in unknown.splitlines() if strip not in line] == [
        line for line in known.splitlines() if strip not in line
    ]


def test_no_address_or_browser_is_kept_after_failed_sign_ins(
    settings, caplog, rapporteur, rapporteur_device, newcomer
):
    caplog.set_level(logging.DEBUG)
    marked = {
        "REMOTE_ADDR": ADDRESS,
        "HTTP_X_FORWARDED_FOR": ADDRESS,
        "HTTP_X_REAL_IP": ADDRESS,
        "HTTP_USER_AGENT": USER_AGENT,
    }
    client = Client(**marked)
    fail_passwords(client, "newcomer", 2)
    enter_password(client, "rapporteur")
    enter_code(client, wrong_code(rapporteur_device))
    fail_passwords(client, "rapporteur", settings.AXES_FAILURE_LIMIT)
    fail_passwords(client, "nobody-here", 1)
    sign_in(Client(**marked), newcomer, TOTPDevice.objects.create(user=newcomer, confirmed=True))

    stored = database_text()
    logged = "\n".join(
        record.getMessage() + repr(record.args) + repr(record.__dict__) for record in caplog.records
    )
    assert AccessAttempt.objects.filter(username="rapporteur").exists()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {NO_ADDRESS}
    for trace in (ADDRESS, USER_AGENT, "Zxq-UA", PASSWORD):
        assert trace not in stored
        assert trace not in logged


def test_the_limit_and_the_cool_off_come_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "allforrwanda.settings",
        "STAFF_LOGIN_FAILURE_LIMIT": "3",
        "STAFF_LOCKOUT_MINUTES": "10",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "3 0:10:00"
