"""`make demo`: every demo role can sign in, password and authenticator secret both printed."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.appeals.models import JudgeProfile
from monitoring.management.commands.seed_demo import DEMO_JUDGES
from monitoring.roles import ROLES
from tests.monitoring.staff import code_for, enter_code, enter_password

LOGIN_LINE = re.compile(r"^\s+(demo-[a-z-]+)\s+(\S+)\s+((?:[A-Z2-7]{4} ?){8})$", re.MULTILINE)


@pytest.fixture
def demo_output(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    return capsys.readouterr().out


def test_the_demo_prints_each_accounts_password_and_totp_secret(demo_output):
    logins = LOGIN_LINE.findall(demo_output)

    assert "for demonstration only" in demo_output
    # One account per role, and the Appeal Body's extra judges (a panel needs three).
    assert len(logins) == len(ROLES) + len(DEMO_JUDGES) - 1
    judges = JudgeProfile.objects.filter(user__username__startswith="demo-appeal-judge")
    assert judges.count() == len(DEMO_JUDGES)
    assert sorted(str(p.nationalities[0]) for p in judges.filter(co_president=True)) == [
        "GB",
        "RW",
    ]
    for username, password, secret in logins:
        user = get_user_model().objects.get(username=username)
        device = TOTPDevice.objects.get(user=user)
        assert user.check_password(password)
        assert device.confirmed
        assert b32decode(secret.replace(" ", "")) == device.bin_key


def test_a_newcomer_signs_in_with_what_the_demo_printed(demo_output, settings, capsys):
    username, password, _secret = LOGIN_LINE.findall(demo_output)[0]
    client = Client()

    assert enter_password(client, username, password).url == reverse("admin:login_code")
    call_command("demo_totp", username)
    code = capsys.readouterr().out.split()[0]
    response = enter_code(client, code)

    assert re.fullmatch(r"\d{6}", code)
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_running_the_demo_again_gives_new_secrets(demo_output, capsys):
    call_command("seed_demo")
    again = capsys.readouterr().out

    first = {u: s for u, _p, s in LOGIN_LINE.findall(demo_output)}
    second = {u: s for u, _p, s in LOGIN_LINE.findall(again)}
    assert first.keys() == second.keys()
    assert all(first[u] != second[u] for u in first)
    assert TOTPDevice.objects.count() == len(ROLES) + len(DEMO_JUDGES) - 1


def test_the_current_code_is_printed_only_in_development(demo_output, settings):
    username = LOGIN_LINE.findall(demo_output)[0][0]
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo_totp", username)


def test_the_current_code_is_what_the_app_would_show(demo_output, capsys):
    username = LOGIN_LINE.findall(demo_output)[0][0]
    device = TOTPDevice.objects.get(user__username=username)

    call_command("demo_totp", username)

    printed = capsys.readouterr().out.split()[0]
    assert printed in {code_for(device), code_for(device, steps_ahead=1)}
