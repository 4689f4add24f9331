"""Uploaded files are checked by content, not by name: a PDF starts with %PDF-, a DOCX is a ZIP holding
word/document.xml, a text file decodes as UTF-8. A file that lies about its type is refused with a clear message."""

from dataclasses import dataclass

from django.conf import settings

from treem.core import uploads

MAX_BYTES = 20 * 1024 * 1024  # default of the PLANS_MAX_UPLOAD_BYTES setting
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
    report: dict | None = None  # the gate's kind and sizes

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    return int(getattr(settings, "PLANS_MAX_UPLOAD_BYTES", MAX_BYTES))


def check_upload(upload, allowed: set[str], *, sniff: bool = True) -> CheckedFile:
    """Read and check an uploaded file (Django UploadedFile or any object with .name and .read()) through the upload
    gate (treem.core.uploads): extension, size, content, ZIP limits.

    `sniff=False` leaves the content check to the caller (the plan parser reads DOCX, PDF and text itself and says
    more precisely what is wrong: a scanned PDF, a legacy Vietnamese encoding, a .doc renamed .docx ...); the ZIP
    limits are checked all the same."""
    checked = uploads.receive(upload, allowed=allowed, max_bytes=max_bytes(), sniff=sniff)
    return CheckedFile(
        name=checked.name,
        extension=checked.extension,
        content=checked.content,
        sha256=checked.sha256,
        content_type=CONTENT_TYPES[checked.extension],
        report=checked.report(),
    )
