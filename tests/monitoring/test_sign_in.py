"""Staff reach the admin only with a password and a code from their authenticator app."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.models import Evidence
from tests.filing import TESTDATA, file_through_pages
from tests.monitoring.staff import (
    PASSWORD,
    code_for,
    enter_code,
    enter_password,
    sign_in,
    wrong_code,
)

CODE_STEP = reverse("admin:login_code")


@pytest.fixture
def evidence(db):
    file_through_pages(Client(), files=[TESTDATA / "minimal.pdf"])
    return Evidence.objects.get()


def secret_on(page) -> str:
    return re.search(r'id="secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)


def every_admin_page(evidence: Evidence) -> list[str]:
    """The admin's index, every registered model's list, and the evidence download."""
    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    return [
        reverse("admin:index"),
        *changelists,
        reverse("admin:complaints_evidence_download", args=[evidence.pk]),
    ]


def test_a_password_alone_reaches_no_admin_page_only_the_code_step(
    client, superuser_with_device, evidence
):
    enter_password(client, "root")

    pages = every_admin_page(evidence)
    for url in pages:
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == CODE_STEP, url
        assert "id_otp_token" in response.content.decode()
    assert len(pages) >= 6  # users, groups, devices, complaints, categories, evidence
    assert "_auth_user_id" not in client.session  # not logged in, only half-way


def test_a_session_logged_in_without_a_second_factor_reaches_no_admin_page(
    client, superuser_with_device, evidence
):
    client.force_login(superuser_with_device)  # as if some other login path had been used

    for url in every_admin_page(evidence):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_the_password_and_the_right_code_reach_the_admin(client, rapporteur, rapporteur_device):
    response = enter_password(client, "rapporteur")
    assert response.url == CODE_STEP

    response = enter_code(client, code_for(rapporteur_device))

    assert response.url == reverse("admin:index")
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert "Monitoring Committee" in page.content.decode()
    assert client.session[DEVICE_ID_SESSION_KEY] == rapporteur_device.persistent_id
    assert client.session["_auth_user_id"] == str(rapporteur.pk)
    rapporteur_device.refresh_from_db()
    assert rapporteur_device.last_used_at is not None


def test_a_wrong_code_signs_nobody_in(client, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur")

    response = enter_code(client, wrong_code(rapporteur_device))

    assert response.status_code == 200
    page = response.content.decode()
    assert ">This code is not right. Wait for the next code in your app, then try again.<" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0] == CODE_STEP


def test_a_code_works_only_once(client, rapporteur, rapporteur_device):
    code = code_for(rapporteur_device)
    sign_in_client = Client()
    enter_password(sign_in_client, "rapporteur")
    enter_code(sign_in_client, code)

    enter_password(client, "rapporteur")
    response = enter_code(client, code)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_code_step_returns_to_the_page_first_asked_for(client, rapporteur, rapporteur_device):
    wanted = reverse("admin:complaints_complaint_changelist")
    login_page = client.get(wanted).url
    assert login_page.startswith(reverse("admin:login"))

    enter_password(client, "rapporteur", next_url=wanted)
    response = enter_code(client, code_for(rapporteur_device))

    assert response.url == wanted
    assert client.get(wanted).status_code == 200


def test_a_next_address_on_another_site_is_ignored(client, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur", next_url="https://evil.example/")

    response = enter_code(client, code_for(rapporteur_device))

    assert response.url == reverse("admin:index")


def test_a_first_sign_in_enrols_an_app_then_signs_in(client, newcomer):
    response = enter_password(client, "newcomer")
    page = client.get(response.url)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=newcomer)
    secret = secret_on(page)

    assert response.url == reverse("admin:login_enrol")
    assert not device.confirmed
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    assert "otpauth://totp/All%20For%20Rwanda%3Anewcomer?secret=" in html
    assert 'src="data:image/svg+xml' in html

    response = client.post(reverse("admin:login_enrol"), {"otp_token": code_for(device)})

    device.refresh_from_db()
    assert device.confirmed
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_enrolment_shows_the_same_secret_until_it_is_confirmed(client, newcomer):
    enter_password(client, "newcomer")
    first = secret_on(client.get(reverse("admin:login_enrol")))
    again = secret_on(client.get(reverse("admin:login_enrol")))

    assert first == again
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_a_wrong_code_confirms_no_enrolment(client, newcomer):
    enter_password(client, "newcomer")
    client.get(reverse("admin:login_enrol"))
    device = TOTPDevice.objects.get(user=newcomer)

    response = client.post(reverse("admin:login_enrol"), {"otp_token": wrong_code(device)})

    device.refresh_from_db()
    assert response.status_code == 200
    assert not device.confirmed
    assert "_auth_user_id" not in client.session


def test_the_code_step_sends_an_account_without_an_app_to_enrolment(client, newcomer):
    enter_password(client, "newcomer")

    assert client.get(CODE_STEP).url == reverse("admin:login_enrol")


def test_an_enrolment_removed_meanwhile_starts_the_sign_in_again(client, newcomer):
    enter_password(client, "newcomer")
    TOTPDevice.objects.filter(user=newcomer).delete()

    assert client.get(reverse("admin:login_enrol")).url == reverse("admin:login")
    assert client.get(reverse("admin:login")).status_code == 200


def test_an_account_with_an_app_cannot_enrol_another(client, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur")

    response = client.get(reverse("admin:login_enrol"))

    assert response.url == CODE_STEP
    assert TOTPDevice.objects.filter(user=rapporteur).count() == 1


def test_the_second_step_needs_the_first(client, rapporteur, rapporteur_device):
    for url in (CODE_STEP, reverse("admin:login_enrol")):
        response = client.post(url, {"otp_token": code_for(rapporteur_device)})
        assert response.url == reverse("admin:login"), url
    assert "_auth_user_id" not in client.session


def test_an_account_that_is_not_staff_cannot_start_a_sign_in(client, outsider):
    response = client.post(reverse("admin:login"), {"username": "outsider", "password": "x" * 16})

    assert response.status_code == 200
    assert "staff_sign_in" not in client.session
    assert client.get(CODE_STEP).url == reverse("admin:login")


def test_a_password_change_between_the_steps_ends_the_sign_in(
    client, rapporteur, rapporteur_device
):
    enter_password(client, "rapporteur")
    rapporteur.set_password("another long passphrase 43")
    rapporteur.save()

    response = enter_code(client, code_for(rapporteur_device))

    assert response.url == reverse("admin:login")
    assert "_auth_user_id" not in client.session


def test_start_again_forgets_the_half_finished_sign_in(client, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur")

    client.post(reverse("admin:login_restart"))

    assert client.get(CODE_STEP).url == reverse("admin:login")
    assert client.get(reverse("admin:login")).status_code == 200


def test_signing_out_ends_the_verified_session(client, rapporteur, rapporteur_device):
    sign_in(client, rapporteur, rapporteur_device)

    client.post(reverse("admin:logout"))

    assert client.get(reverse("admin:index")).status_code == 302


def test_the_evidence_download_needs_a_verified_staff_session(
    client, rapporteur, rapporteur_device, evidence
):
    url = reverse("admin:complaints_evidence_download", args=[evidence.pk])
    assert client.get(url).status_code == 302

    sign_in(client, rapporteur, rapporteur_device)
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_sign_in_pages_have_no_inline_script_or_style(client, newcomer, rapporteur):
    pages = [client.get(reverse("admin:login"))]
    enter_password(client, "newcomer")
    pages.append(client.get(reverse("admin:login_enrol")))
    client.post(reverse("admin:login_restart"))
    enter_password(client, "rapporteur")
    TOTPDevice.objects.create(user=rapporteur, confirmed=True)
    pages.append(client.get(CODE_STEP))

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "script-src 'self'" in page["Content-Security-Policy"]
        assert "style=" not in html
        assert "<style" not in html
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
        assert "no-store" in page["Cache-Control"]


def test_the_sign_in_pages_speak_french(client, newcomer, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    first = client.get(reverse("admin:login")).content.decode()
    enter_password(client, "newcomer")
    enrol = client.get(reverse("admin:login_enrol")).content.decode()

    assert "Étape 1 sur 2" in first
    assert "Étape 2 sur 2" in enrol
    assert "Code à six chiffres" in enrol


def test_signing_out_ends_the_session_and_clears_the_browsers_copy_of_the_site(
    client, rapporteur, rapporteur_device
):
    sign_in(client, rapporteur, rapporteur_device)

    response = client.post(reverse("admin:logout"))

    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get(reverse("admin:index")).status_code == 302  # back to the sign-in page


def test_the_session_id_changes_after_the_password_and_again_after_the_code(
    client, rapporteur, rapporteur_device, settings
):
    planted = client.session  # e.g. a session id an attacker set in this browser beforehand
    planted["planted"] = True
    planted.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    enter_password(client, "rapporteur")
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    enter_code(client, code_for(rapporteur_device))
    after_code = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert len({before, after_password, after_code}) == 3
    assert not planted.exists(before)
    assert not planted.exists(after_password)
    assert client.session["_auth_user_id"] == str(rapporteur.pk)


@pytest.mark.parametrize("change", [{"is_staff": False}, {"is_active": False}])
def test_an_account_that_loses_staff_status_or_is_deactivated_loses_its_signed_in_session(
    client, rapporteur, rapporteur_device, evidence, django_user_model, change
):
    sign_in(client, rapporteur, rapporteur_device)
    assert client.get(reverse("admin:index")).status_code == 200

    django_user_model.objects.filter(pk=rapporteur.pk).update(**change)

    for url in every_admin_page(evidence):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
    assert "id_password" in client.get(reverse("admin:login")).content.decode()


@pytest.mark.parametrize("change", [{"is_staff": False}, {"is_active": False}])
def test_an_account_that_loses_staff_status_between_the_steps_cannot_finish(
    client, rapporteur, rapporteur_device, django_user_model, change
):
    enter_password(client, "rapporteur")
    django_user_model.objects.filter(pk=rapporteur.pk).update(**change)

    assert enter_code(client, code_for(rapporteur_device)).url == reverse("admin:login")
    assert "_auth_user_id" not in client.session
    assert "staff_sign_in" not in client.session


def sign_in_title(page) -> str:
    return re.search(r'<h1 class="sign-in-title">([^<]*)</h1>', page.content.decode()).group(1)


def test_each_sign_in_page_shows_its_title_in_the_admins_frame(client, newcomer, rapporteur):
    first = client.get(reverse("admin:login"))
    enter_password(client, "newcomer")
    enrol = client.get(reverse("admin:login_enrol"))
    client.post(reverse("admin:login_restart"))
    TOTPDevice.objects.create(user=rapporteur, confirmed=True)
    enter_password(client, "rapporteur")
    code = client.get(CODE_STEP)

    assert sign_in_title(first) == "Staff sign-in"
    assert sign_in_title(enrol) == "Set up your authenticator app"
    assert sign_in_title(code) == "Code from your authenticator app"
    assert "Not newcomer? Start again" in enrol.content.decode()
    assert "Not rapporteur? Start again" in code.content.decode()
    for page in (first, enrol, code):
        assert "All For Rwanda — Monitoring Committee" in page.content.decode()


def test_the_code_field_asks_for_a_one_time_code_and_never_shows_one_back(
    client, rapporteur, rapporteur_device
):
    enter_password(client, "rapporteur")

    page = enter_code(client, wrong_code(rapporteur_device)).content.decode()

    field = re.search(r'<input[^>]*name="otp_token"[^>]*>', page).group(0)
    for attribute in (
        'inputmode="numeric"',
        'autocomplete="one-time-code"',
        "autofocus",
        'size="8"',
        'maxlength="20"',
        "required",
    ):
        assert attribute in field
    assert "value=" not in field  # the wrong code is not typed back in
    assert '<label for="id_otp_token">Six-digit code:</label>' in page


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 34 5a"])
def test_a_code_that_is_not_six_digits_is_refused_without_counting_as_a_failure(
    client, rapporteur, rapporteur_device, code
):
    from axes.models import AccessAttempt

    enter_password(client, "rapporteur")

    response = enter_code(client, code)

    assert response.status_code == 200
    assert ">Type the six digits that your app shows.<" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_code_typed_with_spaces_is_accepted(client, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur")
    code = code_for(rapporteur_device)

    assert enter_code(client, f" {code[:3]} {code[3:]} ").url == reverse("admin:index")


def test_the_password_and_the_codes_are_hidden_from_error_reports(
    client, rapporteur, rapporteur_device, newcomer
):
    password_step = enter_password(client, "rapporteur").wsgi_request
    code_step = enter_code(client, wrong_code(rapporteur_device)).wsgi_request
    newcomer_client = Client()
    enter_password(newcomer_client, "newcomer")
    enrol_step = newcomer_client.post(reverse("admin:login_enrol"), {"otp_token": "1"}).wsgi_request

    assert password_step.sensitive_post_parameters == ("password",)
    assert code_step.sensitive_post_parameters == ("otp_token",)
    assert enrol_step.sensitive_post_parameters == ("otp_token",)


def test_no_sign_in_answer_may_be_cached_even_without_the_site_wide_headers(client, newcomer):
    answers = [client.get(reverse("admin:login")), enter_password(client, "newcomer")]
    answers.append(client.get(reverse("admin:login_enrol")))
    answers.append(client.get(CODE_STEP))
    answers.append(client.post(reverse("admin:login_restart")))

    for answer in answers:  # never_cache's own marks, beyond the middleware's no-store
        assert "must-revalidate" in answer["Cache-Control"], answer
        assert answer.has_header("Expires"), answer


def test_start_again_takes_only_a_post(client, rapporteur, rapporteur_device):
    enter_password(client, "rapporteur")

    assert client.get(reverse("admin:login_restart")).status_code == 405
    assert client.get(reverse("admin:login")).url == CODE_STEP  # still half-way


def test_the_sign_in_page_sends_a_half_finished_sign_in_to_its_code_step(
    client, rapporteur, rapporteur_device, newcomer
):
    enter_password(client, "rapporteur")

    assert client.get(reverse("admin:login")).url == CODE_STEP
    # Posting the form again begins another sign-in, here as someone else.
    assert enter_password(client, "newcomer").url == reverse("admin:login_enrol")
    assert client.session["staff_sign_in"]["user"] == str(newcomer.pk)


def test_a_signed_in_account_visiting_the_sign_in_page_goes_on_to_the_admin(
    client, rapporteur, rapporteur_device
):
    wanted = reverse("admin:complaints_complaint_changelist")
    sign_in(client, rapporteur, rapporteur_device)

    assert client.get(reverse("admin:login")).url == reverse("admin:index")
    assert client.get(reverse("admin:login"), {"next": wanted}).url == wanted


def test_the_sign_in_page_keeps_the_address_first_asked_for(client, rapporteur):
    wanted = reverse("admin:complaints_complaint_changelist")

    page = client.get(reverse("admin:login"), {"next": wanted}).content.decode()
    elsewhere = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    assert f'<input type="hidden" name="next" value="{wanted}">' in page
    assert '<input type="hidden" name="next" value="">' in elsewhere.content.decode()


def test_over_https_a_next_address_over_plain_http_is_ignored(
    client, rapporteur, rapporteur_device
):
    client.post(
        reverse("admin:login"),
        {"username": "rapporteur", "password": PASSWORD, "next": "http://testserver/staff/"},
        secure=True,
    )

    response = client.post(CODE_STEP, {"otp_token": code_for(rapporteur_device)}, secure=True)

    assert response.url == reverse("admin:index")


def test_the_code_field_asks_a_phone_for_digits_and_offers_the_code_from_a_message(
    client, rapporteur, rapporteur_device
):
    enter_password(client, rapporteur.username)

    page = client.get(reverse("admin:login_code")).content.decode()

    (field,) = re.findall(r'<input[^>]*name="otp_token"[^>]*>', page)
    attributes = set(re.findall(r'\s([a-z-]+)(?:="([^"]*)")?', field))
    assert ("inputmode", "numeric") in attributes  # the digits keyboard
    assert ("autocomplete", "one-time-code") in attributes
    assert ("autofocus", "") in attributes
    assert ("size", "8") in attributes
