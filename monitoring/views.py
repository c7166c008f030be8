"""Staff views beside the admin's model pages, wired in under /staff/ by monitoring.admin."""

import io

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from complaints.models import Evidence
from monitoring.services import AccessRefused, evidence_download


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
