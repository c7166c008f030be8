"""The staff admin: every page needs a staff account that has passed its second factor."""

from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from monitoring import accounts


def lookup_field_path(model: type[Model], lookup: str) -> str | None:
    """The fields a changelist lookup goes through (`user__id__exact` -> `user`), or None.

    A trailing primary key of a related model is dropped: `user__id` filters on `user`.
    """
    path: list[str] = []
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # the rest are lookups and transforms (`exact`, `startswith`, `year`…)
        # Reverse relations (`groups__user`) have no `primary_key`: they are walked like others.
        if path and getattr(field, "primary_key", False):
            break
        path.append(part)
        if not field.is_relation:
            break
        model = field.related_model
    return LOOKUP_SEP.join(path) if path else None


class ListedLookupsOnly:
    """A ModelAdmin mixin: its list filters on what its filters offer, nothing else.

    Django's own `lookup_allowed` lets any URL filter on any local field, so
    `?key__startswith=4f` on the device list, or `?receipt_hash__startswith=` on the complaint
    list, reads a secret one character at a time from the number of rows. Here a lookup must go
    through a field of `list_filter` or `date_hierarchy` (or be a simple filter's own
    parameter); any other is refused with Django's DisallowedModelAdminLookup (a 400), before
    any query runs. Searching goes through `search_fields` and is not a lookup.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        for fk_lookup in self.model._meta.related_fkey_lookups:
            # Raw-id popups filter on the `limit_choices_to` written in our own code.
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in admin.widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        parameters, paths = self.listed_lookups(request)
        if lookup in parameters:
            return True
        path = lookup_field_path(self.model, lookup)
        return path is not None and path in paths

    def listed_lookups(self, request: HttpRequest) -> tuple[set[str], set[str]]:
        """The simple filters' parameter names, and the field paths of the other filters."""
        parameters: set[str] = set()
        paths = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                parameters.add(item.parameter_name)
            else:
                field = item[0] if isinstance(item, (list, tuple)) else item
                paths.add(lookup_field_path(self.model, field) or field)
        return parameters, paths


class StaffAdminSite(admin.AdminSite):
    site_header = _("All For Rwanda — Monitoring Committee")
    site_title = "All For Rwanda"
    index_title = _("Case work")
    index_template = "monitoring/admin_index.html"
    # The index is the way between pages; the sidebar would take a quarter of the case list's
    # width at 1280 px, cutting its last columns.
    enable_nav_sidebar = False

    def register(
        self, model_or_iterable: object, admin_class: type | None = None, **options: object
    ) -> None:
        """Every admin registered here, ours or a library's, filters only on what it lists."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ListedLookupsOnly):
            admin_class = type(
                admin_class.__name__,
                (ListedLookupsOnly, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        # A password alone is never enough: the session must also carry a verified OTP device
        # (set by OTPMiddleware), so a half-finished sign-in reaches no admin page or view
        # wrapped in `admin_view`.
        verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and verified is not None and verified()

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = dict(extra_context or {})
        extra["records_on_behalf"] = request.user.has_perm("complaints.record_on_behalf")
        extra["lodges_appeals"] = request.user.has_perm("complaints.lodge_appeal_on_behalf")
        extra["sees_statistics"] = request.user.has_perm("monitoring.view_statistics")
        if request.user.has_perm("complaints.view_appeal"):
            from django.utils import timezone

            from monitoring.appeals.selectors import appeal_queue_counts

            extra["appeal_queues"] = appeal_queue_counts(request.user, now=timezone.now())
        if request.user.has_perm("monitoring.confirm_staff_change"):
            # Imported here: the site is built before the models are ready.
            from monitoring.staff_changes import staff_changes_pending

            extra["staff_changes_pending"] = staff_changes_pending().count()
        if request.user.has_perm("complaints.view_complaint"):
            from django.utils import timezone

            from monitoring.cases.selectors import queue_counts

            extra["queues"] = queue_counts(request.user, now=timezone.now())
        return super().index(request, extra)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return accounts.sign_in(request)

    def logout(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().logout(request, extra_context)
        # A shared office computer keeps nothing of the staff session: cookies, cache, storage.
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    def get_urls(self) -> list[URLPattern]:
        # They read the models, which are not ready when this module loads.
        from monitoring import intake, statistics_views

        return [
            path("intake/", self.admin_view(intake.intake), name="intake"),
            path("intake/receipt/", self.admin_view(intake.intake_receipt), name="intake_receipt"),
            path(
                "intake/evidence/", self.admin_view(intake.intake_evidence), name="intake_evidence"
            ),
            path(
                "statistics/",
                self.admin_view(statistics_views.staff_statistics),
                name="statistics",
            ),
            path("login/code/", accounts.second_factor, name="login_code"),
            path("login/enrol/", accounts.enrol, name="login_enrol"),
            path("login/restart/", accounts.sign_in_restart, name="login_restart"),
            *super().get_urls(),
        ]
