"""The committee's admin: the complaint view of `complaints`, plus what only staff do."""

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.admin import ComplaintAdmin, ReadOnlyAdmin
from complaints.deadlines import lateness
from complaints.errors import ComplaintError
from complaints.models import Complaint, Status
from monitoring import views
from monitoring.appeals.admin import register as appeals_register
from monitoring.cases.access import Access, access_to, cases_visible_to, may_reveal
from monitoring.cases.admin import CaseWorkAdmin, QueueFilter, bulk_move_message
from monitoring.cases.services import case_move, messages_mark_read
from monitoring.export_admin import ExportAdmin
from monitoring.exports import levels_for
from monitoring.forms import RevealForm
from monitoring.models import AccessEvent, ExportRecord, StaffChange
from monitoring.services import AccessRefused
from monitoring.staff_admin import StaffChangeAdmin, StaffTOTPDeviceAdmin, StaffUserAdmin

BULK_MOVE_MAX = 200


class CaseAdmin(ExportAdmin, CaseWorkAdmin, ComplaintAdmin):
    """Complaints as the committee sees them: each user the cases the access rule gives them
    (monitoring/cases/access.py), the moves they may make, identity only through a recorded
    reveal."""

    list_display = [
        *ComplaintAdmin.list_display[:2],
        "rapporteur",
        "deadline",
        *ComplaintAdmin.list_display[2:],
    ]
    list_filter = [QueueFilter, *ComplaintAdmin.list_filter]
    LIST_FIELDS = [*ComplaintAdmin.LIST_FIELDS, "due_at", "rapporteur__username"]
    actions = ["start_triage"]

    def get_urls(self) -> list[URLPattern]:
        reveal = self.admin_site.admin_view(self.reveal_view)
        # admin_view: a staff session that passed the second factor, as for every admin page.
        download = self.admin_site.admin_view(views.evidence_file)
        return [
            path("<int:pk>/reveal/", reveal, name="complaints_complaint_reveal"),
            path("evidence/<int:pk>/", download, name="complaints_evidence_download"),
            *self.case_work_urls(),
            *self.export_urls(),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Complaint]:
        return cases_visible_to(request.user, super().get_queryset(request)).select_related(
            "rapporteur"
        )

    def get_fieldsets(self, request: HttpRequest, obj: Complaint | None = None) -> list:
        if obj is not None and access_to(request.user, obj) < Access.FULL:
            return self.structured_fieldsets()
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request: HttpRequest, obj: Complaint | None = None) -> list:
        if obj is not None and access_to(request.user, obj) < Access.FULL:
            return []
        return super().get_inlines(request, obj)

    @admin.display(description=_("rapporteur"), ordering="rapporteur__username")
    def rapporteur(self, complaint: Complaint) -> str:
        return complaint.rapporteur.get_username() if complaint.rapporteur_id else "—"

    @admin.display(description=_("next step due"), ordering="due_at")
    def deadline(self, complaint: Complaint) -> str:
        if complaint.due_at is None:
            return "—"
        late = lateness(complaint.due_at, now=timezone.now())
        if late is None:
            return date_format(timezone.localtime(complaint.due_at), "DATE_FORMAT")
        return format_html(
            '<strong class="overdue">{}</strong>',
            _("%(days)d days late") % {"days": late.days} if late.days else _("late today"),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        complaint = (
            self.get_queryset(request).filter(pk=object_id).first()
            if object_id.isascii() and object_id.isdecimal()
            else None
        )
        extra = dict(extra_context or {})
        if complaint is not None:
            extra.update(self.case_work_context(request, complaint))
            if extra["full_access"] and request.method == "GET":
                # Opening the case is reading it: its messages from the complainant are read.
                messages_mark_read(complaint, by=request.user, now=timezone.now())
        return super().change_view(request, object_id, form_url, extra)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra = {**(extra_context or {}), "may_export": bool(levels_for(request.user))}
        return super().changelist_view(request, extra)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # A case's history is its timeline on the case page (and CaseHistory underneath), not
        # the admin's change log, which no one writes to for read-only cases.
        return redirect("admin:complaints_complaint_change", object_id)

    @admin.action(description=_("Start triage of the selected cases"))
    def start_triage(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        # One locked move per case: "select all" over a long list moves it in rounds.
        if len(queryset.values_list("pk", flat=True)[: BULK_MOVE_MAX + 1]) > BULK_MOVE_MAX:
            messages.warning(
                request,
                _("Select at most %(max)d cases at a time; nothing was moved.")
                % {"max": BULK_MOVE_MAX},
            )
            return
        moved, refused = 0, []
        for complaint in queryset.only("pk", "reference", "status", "rapporteur"):
            try:
                case_move(
                    complaint=complaint,
                    to=Status.TRIAGE,
                    by=request.user,
                    expected_status=Status.RECEIVED,
                    now=timezone.now(),
                )
            except ComplaintError:
                refused.append(complaint.reference)
            else:
                moved += 1
        bulk_move_message(request, moved, refused)

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = self._case(request, pk)
        form = RevealForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "complaint": complaint,
            "form": form,
            "opts": self.opts,
        }

        def refused(error: AccessRefused) -> HttpResponse:
            messages.error(request, str(error.message))
            return redirect("admin:complaints_complaint_change", complaint.pk)

        if not (request.method == "POST" and form.is_valid()) and not may_reveal(
            request.user, complaint
        ):
            return refused(AccessRefused())
        return views.reveal_answer(request, complaint=complaint, context=context, refused=refused)


admin.site.unregister(Complaint)
admin.site.register(Complaint, CaseAdmin)


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "complaint_reference", "reason"]
    list_filter = ["action", "at"]
    search_fields = ["=complaint_reference"]
    list_select_related = ["actor"]
    fields = ["at", "action", "actor", "complaint_reference", "reason"]
    readonly_fields = fields


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    """Every export of the case list, for the chair to review: who, what, the file's hash."""

    list_display = [
        "at",
        "actor",
        "level",
        "file_format",
        "source",
        "filters",
        "rows",
        "outcome",
        "sha256",
    ]
    list_filter = ["level", "source", "at"]
    list_select_related = ["actor", "end"]
    fields = [
        "at",
        "actor",
        "level",
        "file_format",
        "source",
        "filters",
        "purpose",
        "rows",
        "outcome",
        "sha256",
    ]
    readonly_fields = fields

    @admin.display(description=_("rows sent"))
    def rows(self, record: ExportRecord) -> object:
        end = getattr(record, "end", None)
        return end.row_count if end else "—"

    @admin.display(description=_("outcome"))
    def outcome(self, record: ExportRecord) -> str:
        end = getattr(record, "end", None)
        return end.get_outcome_display() if end else _("Not finished")

    @admin.display(description=_("SHA-256 of the file"))
    def sha256(self, record: ExportRecord) -> str:
        end = getattr(record, "end", None)
        return (end.sha256 if end else "") or "—"


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, StaffTOTPDeviceAdmin)
admin.site.register(StaffChange, StaffChangeAdmin)

# The Appeal Body's pages (monitoring/appeals/admin.py).
appeals_register(admin.site)
