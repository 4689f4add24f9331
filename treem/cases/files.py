"""Attachments: the type is decided by the content (magic bytes), never by the name; the extension must agree."""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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


def _zip_kind(head: bytes, data) -> Detected | None:
    try:
        with zipfile.ZipFile(data) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.content_type.encode():
                return ODT
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def detect(data: bytes) -> Detected | None:
    """The allowed type this content is, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data[:4], io.BytesIO(data))
    return None


def inspect_upload(upload) -> Detected:
    """Check an uploaded file: size, allowed content, extension matching the content."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is too large (at most %(size)s).") % {"size": filesizeformat(MAX_BYTES)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    detected = detect(data)
    extension = PurePath(upload.name or "").suffix.lower()
    if detected is None and extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(_("This kind of file is not accepted. Allowed: PDF, JPEG, PNG, DOCX, XLSX, ODT."))
    if detected is None or extension not in detected.extensions:
        raise ValidationError(_("The file's content does not match its extension (%(ext)s): it is not what its "
                                "name says.") % {"ext": extension or "—"})
    return detected
