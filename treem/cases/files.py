"""Attachments: the type is decided by the content (magic bytes), never by the name; the extension must agree."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from treem.core import uploads

MAX_BYTES = getattr(settings, "CASES_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str  # canonical, with the dot
    extensions: frozenset[str]  # every extension that may carry this content


PDF = Detected("application/pdf", ".pdf", frozenset({".pdf"}))
PNG = Detected("image/png", ".png", frozenset({".png"}))
JPEG = Detected("image/jpeg", ".jpg", frozenset({".jpg", ".jpeg"}))
DOCX = Detected("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx",
                frozenset({".docx"}))
XLSX = Detected("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", frozenset({".xlsx"}))
ODT = Detected("application/vnd.oasis.opendocument.text", ".odt", frozenset({".odt"}))
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, ODT)
ALLOWED_EXTENSIONS = sorted({e for d in ALLOWED for e in d.extensions})


_BY_KIND = {uploads.PDF: PDF, uploads.PNG: PNG, uploads.JPEG: JPEG, uploads.DOCX: DOCX, uploads.XLSX: XLSX,
            uploads.ODT: ODT}


def detect(data: bytes) -> Detected | None:
    """The allowed type this content is (decided by the upload gate), or None."""
    try:
        return _BY_KIND.get(uploads.detect(data))
    except uploads.UploadRefused:  # a ZIP with too many members is none of the allowed types
        return None


def inspect_upload(upload) -> Detected:
    """Check an uploaded file through the upload gate (treem.core.uploads): size, allowed content, extension matching
    the content, ZIP limits. The messages stay the ones case workers know."""
    try:
        checked = uploads.receive(upload, allowed=ALLOWED_EXTENSIONS, max_bytes=MAX_BYTES)
    except uploads.UploadRefused as exc:
        extension = PurePath(upload.name or "").suffix.lower()
        if exc.code == "file_size":
            raise ValidationError(_("The file is too large (at most %(size)s).")
                                  % {"size": filesizeformat(MAX_BYTES)}) from exc
        if exc.code == "file_type":
            raise ValidationError(_("This kind of file is not accepted. Allowed: PDF, JPEG, PNG, DOCX, XLSX, "
                                    "ODT.")) from exc
        if exc.code == "file_content":
            raise ValidationError(_("The file's content does not match its extension (%(ext)s): it is not what "
                                    "its name says.") % {"ext": extension or "—"}) from exc
        raise
    return _BY_KIND[checked.kind]
