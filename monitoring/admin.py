"""The committee's admin: the complaint view of `complaints`, plus what only staff do."""

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.admin import ComplaintAdmin, ReadOnlyAdmin
from complaints.models import Complaint
from monitoring import views
from monitoring.forms import RevealForm
from monitoring.models import AccessEvent, StaffChange
from monitoring.services import AccessRefused, identity_reveal
from monitoring.staff_admin import StaffChangeAdmin, StaffTOTPDeviceAdmin, StaffUserAdmin


class CaseAdmin(ComplaintAdmin):
    """Complaints as the committee sees them; identity only through a recorded reveal."""

    def get_urls(self) -> list[URLPattern]:
        reveal = self.admin_site.admin_view(self.reveal_view)
        # admin_view: a staff session that passed the second factor, as for every admin page.
        download = self.admin_site.admin_view(views.evidence_file)
        return [
            path("<int:pk>/reveal/", reveal, name="complaints_complaint_reveal"),
            path("evidence/<int:pk>/", download, name="complaints_evidence_download"),
            *super().get_urls(),
        ]

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = get_object_or_404(Complaint, pk=pk)
        form = RevealForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "complaint": complaint,
            "form": form,
            "opts": self.opts,
        }
        if request.method == "POST" and form.is_valid():
            try:
                complainant = identity_reveal(
                    complaint=complaint,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except AccessRefused as error:
                messages.error(request, str(error.message))
                return redirect("admin:complaints_complaint_change", complaint.pk)
            return render(
                request,
                "monitoring/identity.html",
                {**context, "complainant": complainant, "victims": complaint.victims.all()},
            )
        if not request.user.has_perm("complaints.reveal_identity"):
            messages.error(request, str(AccessRefused.default_message))
            return redirect("admin:complaints_complaint_change", complaint.pk)
        return render(
            request,
            "monitoring/reveal.html",
            context,
            status=400 if request.method == "POST" else 200,
        )


admin.site.unregister(Complaint)
admin.site.register(Complaint, CaseAdmin)


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "complaint_reference"]
    list_filter = ["action", "at"]
    search_fields = ["=complaint_reference"]
    list_select_related = ["actor"]
    fields = ["at", "action", "actor", "complaint_reference", "reason"]
    readonly_fields = fields


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, StaffTOTPDeviceAdmin)
admin.site.register(StaffChange, StaffChangeAdmin)
