"""The case list's export page: what the list shows, at a level the user holds, recorded.

A mixin of the committee's CaseAdmin (monitoring/admin.py), behind the admin site's
`admin_view` (a signed-in, second-factor staff session) like every admin page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language

from monitoring.exports import (
    CONTENT_TYPES,
    ExportRefused,
    changelist_of,
    export_filename,
    export_start,
    export_stream,
    filter_values,
    levels_for,
    list_params,
    rows_for_level,
)
from monitoring.forms import ExportForm
from monitoring.models import ExportFormat, ExportLevel, ExportRecord, ExportSource

RECENT = 10


class ExportAdmin:
    """Mixed into the committee's CaseAdmin."""

    def export_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.export_view)
        return [path("export/", view, name="complaints_complaint_export")]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        levels = levels_for(request.user)
        if not levels:
            raise PermissionDenied
        params = list_params(request.GET)
        listed = reverse("admin:complaints_complaint_changelist")
        query = f"?{params.urlencode()}" if params else ""
        try:
            changelist = changelist_of(self, _with_params(request, params))
        except ExportRefused as refusal:
            messages.error(request, refusal.message)
            return redirect(listed)
        form = ExportForm(
            request.POST if request.method == "POST" else None,
            levels=levels,
            formats=list(ExportFormat),
        )
        if request.method == "POST" and form.is_valid():
            try:
                return self._export_response(request, form, changelist, params.urlencode())
            except ExportRefused as refusal:
                form.add_error(None, refusal.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "list_url": listed + query,
            "filters": _filters_in_words(changelist),
            "search": changelist.query,
            "recent": ExportRecord.objects.filter(actor=request.user)
            .select_related("end")
            .order_by("-at")[:RECENT],
        }
        return render(request, "monitoring/export.html", context)

    def _export_response(
        self, request: HttpRequest, form: ExportForm, changelist: object, filters: str
    ) -> StreamingHttpResponse:
        level = ExportLevel(form.cleaned_data["level"])
        record = export_start(
            by=request.user,
            level=level,
            file_format=ExportFormat(form.cleaned_data["file_format"]),
            source=ExportSource.ADMIN,
            filters=filters,
            purpose=form.cleaned_data["purpose"],
        )
        cases = rows_for_level(request.user, changelist.queryset, level)
        response = StreamingHttpResponse(
            export_stream(record=record, cases=cases, language=get_language()),
            content_type=CONTENT_TYPES[ExportFormat(record.file_format)],
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(record)}"'
        return response


def _with_params(request: HttpRequest, params: object) -> HttpRequest:
    """The request as the list would get it: the list's parameters, never the form's."""
    request.GET = params
    return request


def _filters_in_words(changelist: object) -> list[tuple[str, str]]:
    """Each filter in use and its value as the list names it (a date range as its dates)."""
    chosen = []
    for spec in changelist.filter_specs:
        given = filter_values(spec, changelist)
        if not given:
            continue
        shown = [str(c["display"]) for c in spec.choices(changelist) if c["selected"]]
        values = shown or [v for typed in given.values() for v in typed]
        chosen.append((str(spec.title), ", ".join(values)))
    return chosen
