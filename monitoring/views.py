"""Staff views beside the admin's model pages, wired in under /staff/ by monitoring.admin."""

import io
from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from complaints.models import Complaint, Evidence
from monitoring.services import AccessRefused, evidence_download, identity_reveal


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence for staff only, decrypted, as a download that the browser will not render."""
    evidence = get_object_or_404(Evidence.objects.select_related("complaint"), pk=pk)
    try:
        download = evidence_download(evidence=evidence, by=request.user, now=timezone.now())
    except AccessRefused as error:
        # Not found, as for a file that does not exist: which ids exist is not told.
        raise Http404 from error
    response = FileResponse(
        io.BytesIO(download.content),
        as_attachment=True,
        filename=download.filename,
        content_type=download.content_type,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def reveal_answer(
    request: HttpRequest,
    *,
    complaint: Complaint,
    context: dict,
    refused: Callable[[AccessRefused], HttpResponse],
) -> HttpResponse:
    """The reveal page's answer: for a reason given, the identity, the view recorded (by
    identity_reveal, which checks who may); else the form again. `refused` answers a refusal."""
    form = context["form"]
    if request.method == "POST" and form.is_valid():
        try:
            complainant = identity_reveal(
                complaint=complaint,
                by=request.user,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except AccessRefused as error:
            return refused(error)
        victims = complaint.victims.all()
        return render(
            request,
            "monitoring/identity.html",
            {**context, "complainant": complainant, "victims": victims},
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "monitoring/reveal.html", context, status=status)
