"""The admin of staff accounts: roles, passwords and authenticator apps, with four eyes.

What gives an account case content is proposed here and applied only when a second person
confirms it (monitoring/staff_changes.py); everything else applies as usual.
"""

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.admin import ReadOnlyAdmin
from monitoring.models import StaffChange, StaffChangeKind, StaffChangeOutcome
from monitoring.staff_changes import (
    StaffChangeRefused,
    sensitive_groups,
    staff_account_rename_check,
    staff_change_decide,
    staff_change_history,
    staff_change_request,
    staff_change_warnings,
)


def _requested(
    request: HttpRequest, *, kind: StaffChangeKind, account: AbstractBaseUser, **extra: object
) -> bool:
    """Record the change and tell the person what became of it; True if it applied now."""
    change = staff_change_request(
        kind=kind, account=account, by=request.user, now=timezone.now(), **extra
    )
    if hasattr(change, "decision"):
        return True
    messages.warning(
        request,
        _(
            "%(change)s for %(account)s has not been applied yet: it awaits confirmation "
            "by the Committee chair."
        )
        % {"change": _describe(change), "account": account.get_username()},
    )
    return False


def _describe(change: StaffChange) -> str:
    if change.kind == StaffChangeKind.GRANT_ROLE:
        return _("The role “%(role)s”") % {"role": change.group.name}
    return str(change.get_kind_display())


class StaffUserChangeForm(UserChangeForm):
    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if self.instance.pk and username != self.initial.get("username"):
            try:
                staff_account_rename_check(account=self.instance)
            except StaffChangeRefused as error:
                raise ValidationError(error.message) from error
        return username


class StaffUserAdmin(UserAdmin):
    """Accounts for Administrators, who manage people and roles but may not raise themselves.

    Without this, `change_user` lets anyone holding it tick "superuser" on their own account
    (then read every case, with no reveal recorded) or take over a superuser's account. A
    sensitive role added, or a sensitive account's password reset, waits for a second person.
    Every reset, role removal and rename is recorded; the dates the confirmer is shown are not
    the Administrator's to edit.
    """

    form = StaffUserChangeForm
    GUARDED = ["is_superuser", "user_permissions", "date_joined", "last_login"]
    OWN_ACCOUNT = ["groups", "is_staff", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.GUARDED
            if obj is not None and obj.pk == request.user.pk:
                fields += self.OWN_ACCOUNT
        return fields

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: object, form: ModelForm, change: bool) -> None:
        """A rename is made, and recorded, by `staff_change_request`."""
        renamed_to = obj.get_username()
        if change and "username" in form.changed_data:
            obj.username = form.initial["username"]
        super().save_model(request, obj, form, change)
        if obj.get_username() != renamed_to:
            _requested(request, kind=StaffChangeKind.RENAME, account=obj, renamed_to=renamed_to)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        """Apply the role changes, except sensitive roles newly given: those are proposed.

        Roles taken away are applied at once, and recorded: removing access must never wait.
        """
        wanted = form.cleaned_data.get("groups")
        if wanted is None:  # not on this form (adding an account, or one's own)
            return super().save_related(request, form, formsets, change)
        account = form.instance
        held = set(account.groups.values_list("pk", flat=True))
        added = [g for g in wanted.filter(pk__in=sensitive_groups()) if g.pk not in held]
        removed = list(account.groups.exclude(pk__in=wanted.values("pk")).order_by("name"))
        if not request.user.is_superuser:
            form.cleaned_data["groups"] = wanted.exclude(pk__in=[group.pk for group in added])
        super().save_related(request, form, formsets, change)
        for group in removed:
            _requested(request, kind=StaffChangeKind.REMOVE_ROLE, account=account, group=group)
        for group in added:
            _requested(request, kind=StaffChangeKind.GRANT_ROLE, account=account, group=group)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """A new password is recorded; a sensitive account's is proposed, as its hash, not set."""
        account = self.get_object(request, unquote(id))
        if (
            request.method != "POST"
            or account is None
            or not self.has_change_permission(request, account)
        ):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(account, request.POST)
        if not form.is_valid():  # Django's to show
            return super().user_change_password(request, id, form_url)
        form.save(commit=False)  # hashes the password onto this copy of the account only
        password_hash = account.password
        account.refresh_from_db(fields=["password"])
        if _requested(
            request,
            kind=StaffChangeKind.RESET_PASSWORD,
            account=account,
            password_hash=password_hash,
        ):
            account.refresh_from_db(fields=["password"])
            update_session_auth_hash(request, account)
            messages.success(request, _("The password was changed, and the change recorded."))
        return redirect("admin:auth_user_change", account.pk)


class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    """Authenticator apps; removing one is recorded, and for a sensitive account waits.

    With the app gone, the account's next sign-in enrols a new one: whoever knows the password
    then holds the account.
    """

    actions = ["delete_selected"]

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        device = self.get_object(request, unquote(object_id))
        if (
            request.method == "POST"
            and device is not None
            and self.has_delete_permission(request, device)
        ):
            if _requested(request, kind=StaffChangeKind.REMOVE_DEVICE, account=device.user):
                messages.success(request, _("The app was removed, and the change recorded."))
            return redirect("admin:otp_totp_totpdevice_changelist")
        return super().delete_view(request, object_id, extra_context)

    @admin.action(
        description=admin_actions.delete_selected.short_description, permissions=["delete"]
    )
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        # Django's action deletes on its second POST (the confirmation page sends "post").
        if request.POST.get("post"):
            for account in {device.user for device in queryset.select_related("user")}:
                _requested(request, kind=StaffChangeKind.REMOVE_DEVICE, account=account)
            return None
        return admin_actions.delete_selected(self, request, queryset)


class DecisionFilter(admin.SimpleListFilter):
    title = gettext_lazy("decision")
    parameter_name = "decision"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("pending", gettext_lazy("Awaiting confirmation")), *StaffChangeOutcome.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "pending":
            return queryset.filter(decision__isnull=True)
        if self.value() in StaffChangeOutcome.values:
            return queryset.filter(decision__outcome=self.value())
        return queryset


class StaffChangeAdmin(ReadOnlyAdmin):
    """The record of staff changes; the chair confirms or refuses each waiting one here."""

    list_display = [
        *["at", "kind", "username", "account", "group", "renamed_to", "proposed_by"],
        *["outcome", "decided_by"],
    ]
    list_filter = [DecisionFilter, "kind"]
    list_select_related = ["account", "group", "proposed_by", "decision__by"]
    search_fields = ["=account__username"]
    fields = [
        *["at", "kind", "username", "account_joined", "account", "group", "renamed_to"],
        "proposed_by",
        *["outcome", "decided_by", "decided_at"],
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("decision"))
    def outcome(self, change: StaffChange) -> str:
        decision = getattr(change, "decision", None)
        return decision.get_outcome_display() if decision else _("Awaiting confirmation")

    @admin.display(description=gettext_lazy("decided by"))
    def decided_by(self, change: StaffChange) -> str:
        decision = getattr(change, "decision", None)
        return decision.by.get_username() if decision else ""

    @admin.display(description=gettext_lazy("decided on"))
    def decided_at(self, change: StaffChange) -> object:
        decision = getattr(change, "decision", None)
        return decision.at if decision else ""

    def get_urls(self) -> list[URLPattern]:
        # admin_view: a staff session that passed the second factor, with Django's CSRF check.
        return [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="monitoring_staffchange_confirm",
            ),
            path(
                "<int:pk>/refuse/",
                self.admin_site.admin_view(self.refuse_view),
                name="monitoring_staffchange_refuse",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        change = self.get_object(request, unquote(object_id))
        may_decide = (
            change is not None
            and request.user.has_perm("monitoring.confirm_staff_change")
            and not hasattr(change, "decision")
            and request.user.pk not in (change.proposed_by_id, change.account_id)
        )
        extra = {**(extra_context or {}), "may_decide": may_decide}
        if change is not None:
            extra.update(self._account_context(change))
        return super().change_view(request, object_id, form_url, extra)

    def _account_context(self, change: StaffChange) -> dict:
        """What the confirmer needs to know of the account, since its proposer may have used it."""
        now = timezone.now()
        account = change.account
        return {
            "account": account,
            "username_asked": change.username or account.get_username(),
            "joined": change.account_joined or account.date_joined,
            "history": staff_change_history(account=account, now=now),
            "warnings": staff_change_warnings(change=change, now=now),
            "needs_code": change.kind == StaffChangeKind.GRANT_ROLE,
            "has_app": TOTPDevice.objects.filter(user_id=account.pk, confirmed=True).exists(),
        }

    @method_decorator(sensitive_post_parameters("code"))  # never in an error report
    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._decide(request, pk, confirm=True)

    def refuse_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._decide(request, pk, confirm=False)

    def _decide(self, request: HttpRequest, pk: int, *, confirm: bool) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("monitoring.confirm_staff_change"):
            raise PermissionDenied
        change = get_object_or_404(StaffChange.objects.select_related("group"), pk=pk)
        try:
            staff_change_decide(
                change=change,
                by=request.user,
                confirm=confirm,
                now=timezone.now(),
                code=request.POST.get("code", ""),
            )
        except StaffChangeRefused as error:
            messages.error(request, str(error.message))
        else:
            done = _("%(change)s for %(account)s: confirmed and applied.")
            if not confirm:
                done = _("%(change)s for %(account)s: refused.")
            account = change.account.get_username()
            messages.success(request, done % {"change": _describe(change), "account": account})
        return redirect(reverse("admin:monitoring_staffchange_change", args=[pk]))
