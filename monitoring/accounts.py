"""Staff sign-in in two steps: the password, then a six-digit code from an authenticator app.

After the password the session holds only a *pending* sign-in (who, a marker of their password,
where to go next); Django's `login` runs only once a code from the account's confirmed device is
right. So nothing that checks `is_authenticated` can be reached with a password alone, and the
admin site also demands a verified device (monitoring/admin_site.py). An account without a
device enrols one on its first sign-in. Wrong passwords and wrong codes both count towards the
username's lockout (django-axes, monitoring/lockout.py).
"""

import re

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.contrib import admin, auth
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.totp import (
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_enrolment_start,
    totp_device_unconfirmed,
    totp_qr_data_uri,
    totp_secret,
)

PENDING_KEY = "staff_sign_in"


class FreshInput(forms.TextInput):
    """A field that never shows a code back: after a wrong one, the next try starts empty."""

    def format_value(self, value: object) -> None:
        return None


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Six-digit code"),
        max_length=20,
        widget=FreshInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_otp_token(self) -> str:
        code = "".join(self.cleaned_data["otp_token"].split())
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(gettext_lazy("Type the six digits that your app shows."))
        return code


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """The first step (the admin's login page): username and password."""
    next_url = _safe_next(request)
    if admin.site.has_permission(request):
        return redirect(next_url or reverse("admin:index"))
    if request.method == "GET" and _pending_user(request) is not None:
        return redirect("admin:login_code")
    form = AdminAuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = form.get_user()
        _pending_start(request, user, next_url=next_url)
        if totp_device_confirmed(user=user) is None:
            totp_device_enrolment_start(user=user)
            return redirect("admin:login_enrol")
        return redirect("admin:login_code")
    return _render(
        request,
        "monitoring/sign_in.html",
        title=_("Staff sign-in"),
        form=form,
        next=next_url,
        app_path=request.get_full_path(),
    )


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second step for an account with a confirmed device: the code its app shows."""
    user = _pending_user(request)
    if user is None:
        return redirect("admin:login")
    device = totp_device_confirmed(user=user)
    if device is None:
        return redirect("admin:login_enrol")
    if _locked(request, user):
        return lockout_response(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if _code_is_right(request, form, user=user, device=device):
        return _complete(request, user=user, device=device)
    return _render(
        request,
        "monitoring/sign_in_code.html",
        title=_("Code from your authenticator app"),
        form=form,
        who=user,
    )


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """The second step for an account without a device: set up an app, confirm with a code."""
    user = _pending_user(request)
    if user is None:
        return redirect("admin:login")
    if totp_device_confirmed(user=user) is not None:
        return redirect("admin:login_code")
    if _locked(request, user):
        return lockout_response(request)
    device = totp_device_unconfirmed(user=user)
    if device is None:  # removed since the password step: begin again
        request.session.pop(PENDING_KEY, None)
        return redirect("admin:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if _code_is_right(request, form, user=user, device=device):
        totp_device_confirm(device=device)
        return _complete(request, user=user, device=device)
    return _render(
        request,
        "monitoring/sign_in_enrol.html",
        title=_("Set up your authenticator app"),
        form=form,
        who=user,
        secret=totp_secret(device),
        otpauth_uri=device.config_url,
        qr_code=totp_qr_data_uri(device),
    )


@require_POST
@csrf_protect
@never_cache
def sign_in_restart(request: HttpRequest) -> HttpResponse:
    """Forget a half-finished sign-in, e.g. to sign in as someone else."""
    request.session.pop(PENDING_KEY, None)
    return redirect("admin:login")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """What a locked username is shown (also axes' AXES_LOCKOUT_CALLABLE).

    The same page whether or not the username exists, so it tells nobody which accounts do.
    """
    request.session.pop(PENDING_KEY, None)
    minutes = int(get_cool_off(request).total_seconds() // 60)
    return _render(
        request,
        "monitoring/locked_out.html",
        status=429,
        title=_("Sign-in locked"),
        minutes=minutes,
    )


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


def _pending_start(request: HttpRequest, user: AbstractBaseUser, *, next_url: str) -> None:
    request.session.cycle_key()  # a new session id once the password is known: no fixation
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        # Changes with the password: a sign-in begun before a password change cannot finish.
        "hash": user.get_session_auth_hash(),
        "backend": user.backend,
        "next": next_url,
    }


def _pending_user(request: HttpRequest) -> AbstractBaseUser | None:
    """Who passed the password step in this session, if they still may sign in."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    user = (
        auth.get_user_model()
        ._default_manager.filter(pk=pending["user"], is_active=True, is_staff=True)
        .first()
    )
    if user is None or not constant_time_compare(user.get_session_auth_hash(), pending["hash"]):
        request.session.pop(PENDING_KEY, None)
        return None
    return user


def _locked(request: HttpRequest, user: AbstractBaseUser) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def _code_is_right(
    request: HttpRequest, form: CodeForm, *, user: AbstractBaseUser, device: TOTPDevice
) -> bool:
    """Check a posted code; a wrong one counts towards the lockout like a wrong password.

    django-otp also throttles the device itself (1, 2, 4… seconds between tries) and refuses a
    code that was already used.
    """
    if not form.is_valid():
        return False
    if django_otp.verify_token(user, device.persistent_id, form.cleaned_data["otp_token"]):
        return True
    # Axes listens to this signal; at the limit it flags the request and its middleware answers
    # with lockout_response instead of this page.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    form.add_error(
        "otp_token",
        _("This code is not right. Wait for the next code in your app, then try again."),
    )
    return False


def _complete(request: HttpRequest, *, user: AbstractBaseUser, device: TOTPDevice) -> HttpResponse:
    pending = request.session.pop(PENDING_KEY)
    auth.login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    return redirect(pending["next"] or reverse("admin:index"))


def _render(
    request: HttpRequest, template: str, *, status: int = 200, **context: object
) -> HttpResponse:
    """A page inside the admin's own frame, so the sign-in looks like the rest of the admin."""
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)
