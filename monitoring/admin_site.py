"""The staff admin: every page needs a staff account that has passed its second factor."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from monitoring import accounts


class StaffAdminSite(admin.AdminSite):
    site_header = _("All For Rwanda — Monitoring Committee")
    site_title = "All For Rwanda"
    index_title = _("Case work")

    def has_permission(self, request: HttpRequest) -> bool:
        # A password alone is never enough: the session must also carry a verified OTP device
        # (set by OTPMiddleware), so a half-finished sign-in reaches no admin page or view
        # wrapped in `admin_view`.
        verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and verified is not None and verified()

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return accounts.sign_in(request)

    def logout(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().logout(request, extra_context)
        # A shared office computer keeps nothing of the staff session: cookies, cache, storage.
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    def get_urls(self) -> list[URLPattern]:
        return [
            path("login/code/", accounts.second_factor, name="login_code"),
            path("login/enrol/", accounts.enrol, name="login_enrol"),
            path("login/restart/", accounts.sign_in_restart, name="login_restart"),
            *super().get_urls(),
        ]
