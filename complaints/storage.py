from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Local storage with no URL at all: evidence is read only through permission-checked views."""

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Evidence has no public URL; use the staff download view.")
