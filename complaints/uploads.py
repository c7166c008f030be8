"""Receiving uploads: cut off at the size limit, and never written to disk in clear.

Django spools an upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file as it streams in:
a photo with its GPS tags, in clear, in /tmp, and left there if the worker is killed mid-upload.
Here the temporary file is encrypted (AES-256-CTR) under a key drawn for that one upload and held
only in the worker's memory, so whatever a crash leaves behind is noise; `purge_abandoned_uploads`
deletes such leftovers from the spool folder.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from complaints.evidence import MB

SPOOL_PREFIX = "afr-upload-"
_BLOCK = 16


def spool_dir() -> Path:
    """Where uploads are spooled: FILE_UPLOAD_TEMP_DIR, else `spool/` beside the evidence."""
    return Path(settings.FILE_UPLOAD_TEMP_DIR or default_storage.path("spool"))


class EncryptedSpool:
    """A temporary file that holds only ciphertext; reads decrypt, from any position.

    CTR mode, so that a read can start anywhere (Django and the checks seek back to the start).
    No authentication tag: the file lives for one request, and its key never leaves this object.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._key = os.urandom(32)
        self._nonce = int.from_bytes(os.urandom(_BLOCK), "big")
        self._encryptor = self._cipher(0).encryptor()
        # Deleted when closed: at the end of the request, or when the upload is cut off.
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed with the upload
            dir=directory, prefix=SPOOL_PREFIX, suffix=".part"
        )
        self._position = 0
        self.size = 0

    def _cipher(self, block: int) -> Cipher:
        counter = (self._nonce + block) % (1 << 128)
        return Cipher(algorithms.AES(self._key), modes.CTR(counter.to_bytes(_BLOCK, "big")))

    @property
    def name(self) -> str:
        return self._file.name

    @property
    def closed(self) -> bool:
        return self._file.closed

    def write(self, data: bytes) -> None:
        self._file.seek(0, os.SEEK_END)
        self._file.write(self._encryptor.update(data))
        self.size += len(data)

    def flush(self) -> None:
        self._file.flush()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        self._file.seek(self._position)
        sealed = self._file.read(size if size is not None and size >= 0 else -1)
        skip = self._position % _BLOCK
        decryptor = self._cipher(self._position // _BLOCK).decryptor()
        plain = decryptor.update(bytes(skip) + sealed)[skip:]
        self._position += len(plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):  # already purged: nothing left to delete
            self._file.close()


class EncryptedUploadedFile(UploadedFile):
    """An upload spooled encrypted; it reads as the plain bytes and has no path on disk."""

    def close(self) -> None:
        self.file.close()


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


class EncryptedTemporaryFileUploadHandler(FileUploadHandler):
    """Django's TemporaryFileUploadHandler, but the spooled bytes are ciphertext."""

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)
        # Named `file`: Django's parser closes (here: deletes) it when an upload is skipped.
        self.file = EncryptedSpool(spool_dir())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> EncryptedUploadedFile:
        self.file.flush()
        self.file.seek(0)
        return EncryptedUploadedFile(
            file=self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()
