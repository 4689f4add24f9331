"""Uploaded files are checked by content, not by name: a PDF starts with %PDF-, a DOCX is a ZIP holding
word/document.xml, a text file decodes as UTF-8. A file that lies about its type is refused with a clear message."""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import pgettext

MAX_BYTES = 20 * 1024 * 1024
PLAN_EXTENSIONS = {".docx", ".pdf", ".txt", ".md"}
EVIDENCE_EXTENSIONS = PLAN_EXTENSIONS | {".xlsx", ".png", ".jpg", ".jpeg"}
CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content: bytes
    sha256: str
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)


def _zip_has(content: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return member in archive.namelist() and archive.testzip() is None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return False


def _looks_like(extension: str, content: bytes) -> bool:
    if extension == ".pdf":
        return content[:1024].lstrip().startswith(b"%PDF-")
    if extension == ".docx":
        return content.startswith(b"PK\x03\x04") and _zip_has(content, "word/document.xml")
    if extension == ".xlsx":
        return content.startswith(b"PK\x03\x04") and _zip_has(content, "xl/workbook.xml")
    if extension == ".png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension in (".txt", ".md"):
        if b"\x00" in content[:4096]:
            return False
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return True
    return False


def check_upload(upload, allowed: set[str], *, sniff: bool = True) -> CheckedFile:
    """Read and check an uploaded file (Django UploadedFile or any object with .name and .read()).

    `sniff=False` leaves the content check to the caller (the plan parser reads DOCX, PDF and text itself and says
    more precisely what is wrong: a scanned PDF, a legacy Vietnamese encoding, a .doc renamed .docx ...)."""
    name = PurePath(getattr(upload, "name", "") or "file").name[-120:]
    extension = PurePath(name).suffix.lower()
    if extension not in allowed:
        raise ValidationError(
            pgettext("plans", "Files of type %(ext)s are not accepted. Accepted: %(allowed)s.")
            % {
                "ext": extension or pgettext("plans", "(none)"),
                "allowed": ", ".join(sorted(e.upper().lstrip(".") for e in allowed)),
            },
            code="file_type",
        )
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(pgettext("plans", "The file is larger than 20 MB."), code="file_size")
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read()
    if len(content) > MAX_BYTES:
        raise ValidationError(pgettext("plans", "The file is larger than 20 MB."), code="file_size")
    if not content:
        raise ValidationError(pgettext("plans", "The file is empty."), code="file_empty")
    if sniff and not _looks_like(extension, content):
        if extension == ".docx":
            message = pgettext(
                "plans", "The DOCX file is damaged or is not a Word document; open it in Word and save it again."
            )
        elif extension in (".txt", ".md"):
            message = pgettext("plans", "The text file is not UTF-8 text; save it again as UTF-8.")
        else:
            message = pgettext("plans", "The content of the file is not a %(ext)s file.") % {
                "ext": extension.upper().lstrip(".")
            }
        raise ValidationError(message, code="file_content")
    return CheckedFile(
        name=name,
        extension=extension,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=CONTENT_TYPES[extension],
    )
