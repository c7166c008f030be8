from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from complaints.evidence import MB


class EvidenceSizeLimitHandler(FileUploadHandler):
    """Stop reading a file as soon as it passes the per-file limit.

    Django would otherwise write the whole body to a temporary file first. The request goes on
    with the file left out and `request.upload_too_large` set, so the view can say why.
    """

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_FILE_MB * MB:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
