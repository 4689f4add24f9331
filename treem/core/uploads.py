"""The one gate every uploaded file passes before anything parses it.

- The type is decided by the content (magic bytes, ZIP members), never by the name; the extension must agree.
- A size limit per upload (the caller's setting) on the file as received.
- ZIP-based formats (XLSX, ODS, DOCX, ODT) are inspected from their central directory before any parsing: number of
  members, total and per-member uncompressed size, compression ratio. Declared sizes are not trusted alone: a member
  is read through a bounded reader that stops at the limit.
- Spreadsheets are scanned cheaply (lxml iterparse over the bounded reader, memory bounded) before a reader builds
  rows: the width of the sheet (`<dimension ref>` and every cell's column), the number of rows and the size of a cell.
- Long parses check a `Deadline`.

Every refusal is an `UploadRefused` (a ValidationError) with a `code` and a Vietnamese message that states the limit.

Settings (bytes unless said; see README's Configuration table): UPLOAD_DOCUMENT_UNZIPPED_MAX_BYTES (50 MB),
UPLOAD_SPREADSHEET_UNZIPPED_MAX_BYTES (250 MB), UPLOAD_ZIP_MEMBER_MAX_BYTES (200 MB), UPLOAD_ZIP_MAX_RATIO (100),
UPLOAD_ZIP_MAX_MEMBERS (1000), UPLOAD_SHEET_MAX_COLUMNS (200), UPLOAD_SHEET_MAX_CELL_CHARS (32 767),
UPLOAD_PARSE_SECONDS (20).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from lxml import etree

from .formats import format_number

MB = 1024 * 1024
# A member smaller than this is never refused for its ratio alone: small XML parts compress very well.
RATIO_FLOOR_BYTES = MB
_CHUNK = 64 * 1024


# The plan parser also runs as a plain script (python -m treem.plans.parser), without Django settings: then the
# defaults apply and messages stay untranslated.
def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default)) if settings.configured else default


def _(message: str) -> str:
    return gettext(message) if settings.configured else message


def size_text(size: int) -> str:
    """20971520 -> '20 MB', 1,5 MB with the decimal comma."""
    if size >= MB:
        return f"{format_number(size / MB, 0 if size % MB == 0 else 1)} MB"
    return f"{format_number(size / 1024, 0 if size % 1024 == 0 else 1)} KB"


class UploadRefused(ValidationError):
    """A file refused by the gate; `code` says why, the message (Vietnamese) says what the limit is."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


# ---------------------------------------------------------------- kinds


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    content_type: str
    extensions: frozenset[str]
    zipped: bool = False
    spreadsheet: bool = False


PDF = Kind("pdf", "PDF", "application/pdf", frozenset({".pdf"}))
PNG = Kind("png", "PNG", "image/png", frozenset({".png"}))
JPEG = Kind("jpeg", "JPEG", "image/jpeg", frozenset({".jpg", ".jpeg"}))
DOCX = Kind("docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            frozenset({".docx"}), zipped=True)
XLSX = Kind("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            frozenset({".xlsx"}), zipped=True, spreadsheet=True)
ODT = Kind("odt", "ODT", "application/vnd.oasis.opendocument.text", frozenset({".odt"}), zipped=True)
ODS = Kind("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", frozenset({".ods"}), zipped=True,
           spreadsheet=True)
ZIP = Kind("zip", "ZIP", "application/zip", frozenset({".zip"}), zipped=True)  # a ZIP that is none of the above
# Legacy Office (XLS, DOC) and password-protected OOXML share this container.
OLE = Kind("ole", "XLS", "application/vnd.ms-excel", frozenset({".xls"}), spreadsheet=True)
TEXT = Kind("text", "TXT", "text/plain; charset=utf-8", frozenset({".txt", ".md", ".csv", ".tsv"}))
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, ZIP, OLE, TEXT)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:4096]:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def detect(data: bytes) -> Kind | None:
    """The kind of this content, or None. A ZIP's kind comes from its members, after its member count is checked."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_ZIP_MAGIC):
        return zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        return OLE
    if data and _is_text(data):
        return TEXT
    return None


def zip_kind(data: bytes) -> Kind | None:
    """DOCX, XLSX, ODT, ODS or ZIP by the members; None for a damaged archive."""
    _check_member_count(data, _setting("UPLOAD_ZIP_MAX_MEMBERS", 1000))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = read_member(archive, "mimetype", 200).strip()
                for kind in (ODT, ODS):
                    if mimetype == kind.content_type.encode():
                        return kind
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            return ZIP
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, EOFError, UploadRefused):
        return None


# ---------------------------------------------------------------- ZIP inspection


@dataclass(frozen=True)
class ZipLimits:
    unzipped: int  # total declared uncompressed size
    member: int  # one member
    ratio: int  # uncompressed / compressed, for members above RATIO_FLOOR_BYTES
    members: int
    xml_member: int | None = None  # a tighter limit on each .xml member (what a parser loads as a tree)
    ratio_floor: int = RATIO_FLOOR_BYTES


def zip_limits(kind: Kind, *, xml_member: int | None = None) -> ZipLimits:
    unzipped = (_setting("UPLOAD_SPREADSHEET_UNZIPPED_MAX_BYTES", 250 * MB) if kind.spreadsheet
                else _setting("UPLOAD_DOCUMENT_UNZIPPED_MAX_BYTES", 50 * MB))
    return ZipLimits(unzipped=unzipped, member=min(unzipped, _setting("UPLOAD_ZIP_MEMBER_MAX_BYTES", 200 * MB)),
                     ratio=_setting("UPLOAD_ZIP_MAX_RATIO", 100), members=_setting("UPLOAD_ZIP_MAX_MEMBERS", 1000),
                     xml_member=xml_member)


@dataclass(frozen=True)
class ZipSummary:
    members: int
    compressed: int
    unzipped: int  # declared total


def _refuse_unzipped(limit: int, size: int | None = None) -> UploadRefused:
    if size is None:
        return UploadRefused(_("The unzipped file is larger than %(limit)s.") % {"limit": size_text(limit)},
                             code="unzipped_size")
    return UploadRefused(_("The unzipped file is larger than %(limit)s (%(size)s once unzipped).")
                         % {"limit": size_text(limit), "size": size_text(size)}, code="unzipped_size")


def _refuse_member(limit: int) -> UploadRefused:
    return UploadRefused(_("A part of the file is larger than %(limit)s once unzipped.") % {"limit": size_text(limit)},
                         code="zip_member")


def _damaged() -> UploadRefused:
    return UploadRefused(_("The compressed file is damaged; open it and save it again."), code="zip_damaged")


def _entry_count(data: bytes) -> int | None:
    """The member count from the end-of-central-directory record (ZIP64 too), read before zipfile builds one object
    per member; None when there is no such record."""
    tail_start = max(0, len(data) - 22 - 65535)
    position = data.rfind(b"PK\x05\x06", tail_start)
    if position < 0 or position + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, position + 10)[0]
    if count == 0xFFFF and position >= 20 and data[position - 20:position - 16] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", data, position - 12)[0]
        if offset + 40 <= len(data) and data[offset:offset + 4] == b"PK\x06\x06":
            count = struct.unpack_from("<Q", data, offset + 32)[0]
    return count


def _check_member_count(data: bytes, limit: int) -> None:
    count = _entry_count(data)
    if count is not None and count > limit:
        raise UploadRefused(_("The file holds %(count)s parts; at most %(limit)s are accepted.")
                            % {"count": format_number(count, 0), "limit": format_number(limit, 0)}, code="zip_members")


def inspect_zip(data: bytes, limits: ZipLimits, *, verify: bool = False) -> ZipSummary:
    """Check a ZIP's central directory against the limits, before anything is decompressed.

    verify=True then reads every member through the bounded reader (sizes and checksums are what they claim),
    which costs the decompression of at most `limits.unzipped` bytes, in chunks."""
    _check_member_count(data, limits.members)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged() from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise UploadRefused(_("The file holds %(count)s parts; at most %(limit)s are accepted.")
                                % {"count": format_number(len(infos), 0),
                                   "limit": format_number(limits.members, 0)}, code="zip_members")
        total = sum(info.file_size for info in infos)
        if total > limits.unzipped:
            raise _refuse_unzipped(limits.unzipped, total)
        for info in infos:
            if info.file_size > member_limit(info.filename, limits):
                raise _refuse_member(member_limit(info.filename, limits))
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.ratio:
                raise UploadRefused(
                    _("A part of the file is compressed %(ratio)s times, more than the %(limit)s times accepted: "
                      "the file looks like a zip bomb.")
                    % {"ratio": format_number(ratio, 0), "limit": format_number(limits.ratio, 0)}, code="zip_ratio")
        if verify:
            for info in infos:
                if not info.is_dir():
                    with open_member(archive, info.filename, member_limit(info.filename, limits)) as reader:
                        while reader.read(_CHUNK):
                            pass
        return ZipSummary(members=len(infos), compressed=len(data), unzipped=total)


def member_limit(name: str, limits: ZipLimits) -> int:
    if limits.xml_member is not None and name.lower().endswith((".xml", ".rels")):
        return min(limits.member, limits.xml_member)
    return limits.member


class BoundedReader(io.RawIOBase):
    """A member's bytes, refused as soon as more than `limit` come out (whatever the central directory says)."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit, self.count = stream, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            chunk = self.stream.read(min(len(buffer), self.limit - self.count + 1))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:  # bad CRC, truncated data
            raise _damaged() from exc
        self.count += len(chunk)
        if self.count > self.limit:
            raise _refuse_member(self.limit)
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.stream.close()
        super().close()


def open_member(archive: zipfile.ZipFile, name: str, limit: int) -> BoundedReader:
    try:
        return BoundedReader(archive.open(name), limit)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise _damaged() from exc


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with open_member(archive, name, limit) as reader:
        return reader.read()


# ---------------------------------------------------------------- the gate for an uploaded file


@dataclass(frozen=True)
class Upload:
    name: str
    extension: str
    kind: Kind | None  # None only when the caller asked not to decide the type (sniff=False)
    content: bytes
    sha256: str
    unzipped: int | None = None
    members: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    def report(self) -> dict:
        """The kind and sizes, for the audit summary."""
        out = {"kind": self.kind.name if self.kind else self.extension.lstrip("."), "size": self.size}
        if self.unzipped is not None:
            out.update(unzipped=self.unzipped, members=self.members)
        return out


def file_name(upload) -> str:
    return PurePath(getattr(upload, "name", "") or "file").name[-120:]


def too_large(limit: int) -> UploadRefused:
    return UploadRefused(_("The file is larger than %(limit)s.") % {"limit": size_text(limit)}, code="file_size")


def _not_what_it_says(extension: str) -> UploadRefused:
    if extension == ".docx":
        message = _("The DOCX file is damaged or is not a Word document; open it in Word and save it again.")
    elif extension in TEXT.extensions:
        message = _("The text file is not UTF-8 text; save it again as UTF-8.")
    else:
        message = _("The content of the file is not a %(ext)s file.") % {"ext": extension.upper().lstrip(".")}
    return UploadRefused(message, code="file_content")


def kind_for(extension: str, allowed_kinds: Iterable[Kind] = KINDS) -> Kind | None:
    return next((kind for kind in allowed_kinds if extension in kind.extensions), None)


def receive(upload, *, allowed: Iterable[str], max_bytes: int, sniff: bool = True, verify: bool = True,
            also: dict[str, Iterable[Kind]] | None = None) -> Upload:
    """Read and check an uploaded file (a Django UploadedFile or anything with .name and .read()).

    allowed: the extensions accepted. sniff=False leaves the extension/content agreement to the caller's parser
    (the ZIP limits are checked all the same). also: extra kinds an extension may carry ({".xlsx": [OLE]}: a
    password-protected workbook is an OLE container)."""
    allowed = set(allowed)
    name = file_name(upload)
    extension = PurePath(name).suffix.lower()
    if extension not in allowed:
        raise UploadRefused(
            _("Files of type %(ext)s are not accepted. Accepted: %(allowed)s.")
            % {"ext": extension or _("(none)"), "allowed": ", ".join(sorted(e.upper().lstrip(".") for e in allowed))},
            code="file_type")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large(max_bytes)
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(max_bytes + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(content) > max_bytes:
        raise too_large(max_bytes)
    if not content:
        raise UploadRefused(_("The file is empty."), code="file_empty")
    kind = detect(content)
    accepted = {k for k in KINDS if extension in k.extensions} | set((also or {}).get(extension, ()))
    if sniff and kind not in accepted:
        raise _not_what_it_says(extension)
    summary = None
    if kind is not None and kind.zipped:
        summary = inspect_zip(content, zip_limits(kind), verify=verify)
    return Upload(name=name, extension=extension, kind=kind, content=content,
                  sha256=hashlib.sha256(content).hexdigest(),
                  unzipped=summary.unzipped if summary else None, members=summary.members if summary else None)


# ---------------------------------------------------------------- spreadsheets

SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xls", ".ods", ".csv", ".tsv", ".txt"})
# A password-protected workbook is an OLE container whatever its extension says.
_SPREADSHEET_KINDS = {".xlsx": {XLSX, OLE}, ".xls": {OLE}, ".ods": {ODS}}


def receive_spreadsheet(upload, *, max_bytes: int, allowed: Iterable[str] = SPREADSHEET_EXTENSIONS) -> Upload:
    """The gate for a spreadsheet upload, cheap enough for the web request: extension, size, content agreeing with
    the extension (CSV: text in any encoding), ZIP central directory. The sheets themselves are scanned
    (scan_workbook) where the file is read, by the background job for a large file."""
    checked = receive(upload, allowed=allowed, max_bytes=max_bytes, sniff=False, verify=False)
    expected = _SPREADSHEET_KINDS.get(checked.extension)
    if expected is not None:
        agrees = checked.kind in expected
    else:  # CSV and text: any encoding (the reader decodes legacy Vietnamese code pages), but no binary file
        sample = checked.content[:4096]
        utf16 = sample.startswith((b"\xff\xfe", b"\xfe\xff"))
        agrees = checked.kind in (TEXT, None) and (b"\x00" not in sample or utf16)
    if not agrees:
        raise UploadRefused(_("The content of the file is not a %(ext)s file.")
                            % {"ext": checked.extension.upper().lstrip(".")}, code="file_content")
    return checked



@dataclass(frozen=True)
class SheetLimits:
    rows: int
    columns: int = field(default_factory=lambda: _setting("UPLOAD_SHEET_MAX_COLUMNS", 200))
    cell_chars: int = field(default_factory=lambda: _setting("UPLOAD_SHEET_MAX_CELL_CHARS", 32767))


class SheetTooLong(UploadRefused):
    """More rows than the limit: the caller says it its own way (how to split the file)."""

    def __init__(self, sheet: str, limit: int):
        self.sheet, self.limit = sheet, limit
        super().__init__(_("The sheet “%(sheet)s” has more than %(limit)s rows.")
                         % {"sheet": sheet, "limit": format_number(limit, 0)}, code="sheet_rows")


_CELL_REF = re.compile(r"([A-Z]{1,4})(\d*)$")
_PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _too_wide(sheet: str, cell: str, column: int, limit: int) -> UploadRefused:
    return UploadRefused(
        _("Sheet “%(sheet)s”: cell %(cell)s is in column %(column)s; a sheet may have at most %(limit)s columns. "
          "Delete the extra columns and save the file again.")
        % {"sheet": sheet, "cell": cell, "column": format_number(column, 0), "limit": format_number(limit, 0)},
        code="sheet_columns")


def _cell_too_big(sheet: str, cell: str, length: int, limit: int) -> UploadRefused:
    if not cell:
        return UploadRefused(_("A cell of the file holds more than %(limit)s characters, more than a cell may hold.")
                             % {"limit": format_number(limit, 0)}, code="sheet_cell")
    return UploadRefused(
        _("Sheet “%(sheet)s”: cell %(cell)s holds %(length)s characters; a cell may hold at most %(limit)s.")
        % {"sheet": sheet, "cell": cell, "length": format_number(length, 0), "limit": format_number(limit, 0)},
        code="sheet_cell")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _iterparse(reader, events=("end",)):
    # No huge_tree: libxml2 then refuses a text node over 10 MB by itself; no entities, no network.
    return etree.iterparse(reader, events=events, resolve_entities=False, no_network=True, huge_tree=False,
                           remove_comments=True)


def _release(element) -> None:
    """Keep memory flat while streaming: drop the element and the siblings already seen."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _xml_failed(exc: Exception, limits: SheetLimits) -> UploadRefused:
    if "huge" in str(exc).lower():
        return _cell_too_big("", "", 0, limits.cell_chars)
    return _damaged()


def _xlsx_sheets(archive: zipfile.ZipFile, limit: int) -> list[tuple[str, str]]:
    """(sheet name, member path) of every worksheet, in the workbook's order."""
    targets = {}
    try:
        rels = etree.fromstring(read_member(archive, "xl/_rels/workbook.xml.rels", limit))
        for rel in rels:
            target = (rel.get("Target") or "").lstrip("/")
            targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
        workbook = etree.fromstring(read_member(archive, "xl/workbook.xml", limit))
    except (KeyError, etree.XMLSyntaxError) as exc:
        raise _damaged() from exc
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                sheets.append((element.get("name") or "", targets[rid]))
    return sheets


def _scan_xlsx_sheet(reader, sheet: str, limits: SheetLimits) -> None:
    row_number, column = 0, 0
    for _event, element in _iterparse(reader):
        tag = _local(element.tag)
        if tag == "dimension":
            _check_dimension(element.get("ref") or "", sheet, limits)
        elif tag == "c":
            ref = element.get("r") or ""
            match = _CELL_REF.match(ref)
            column = column_number(match.group(1)) if match else column + 1  # no reference: the next column
            has_value = any(_local(child.tag) in ("v", "is") for child in element)
            if has_value and column > limits.columns:
                raise _too_wide(sheet, ref or f"{_column_letters(column)}{row_number + 1}", column, limits.columns)
            length = sum(len(text) for text in element.itertext())
            if length > limits.cell_chars:
                raise _cell_too_big(sheet, ref or f"{_column_letters(column)}{row_number + 1}", length,
                                    limits.cell_chars)
            _release(element)
        elif tag == "row":
            row_number, column = int(element.get("r") or row_number + 1), 0
            if row_number > limits.rows and len(element):  # an empty, formatted row holds no data
                raise SheetTooLong(sheet, limits.rows)
            _release(element)


def _check_dimension(ref: str, sheet: str, limits: SheetLimits) -> None:
    last = ref.split(":")[-1].replace("$", "")
    match = _CELL_REF.match(last)
    if not match:
        return
    if column_number(match.group(1)) > limits.columns:
        raise _too_wide(sheet, last, column_number(match.group(1)), limits.columns)
    if match.group(2) and int(match.group(2)) > limits.rows:
        raise SheetTooLong(sheet, limits.rows)


def _scan_shared_strings(reader, limits: SheetLimits) -> None:
    for _event, element in _iterparse(reader):
        if _local(element.tag) == "si":
            if sum(len(text) for text in element.itertext()) > limits.cell_chars:
                raise _cell_too_big("", "", 0, limits.cell_chars)
            _release(element)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _scan_ods(reader, limits: SheetLimits) -> None:
    sheet, rows = "", 0
    for event, element in _iterparse(reader, events=("start", "end")):
        if element.tag == f"{_ODS_TABLE}table":
            if event == "start":
                sheet, rows = element.get(f"{_ODS_TABLE}name") or "", 0
            continue
        if event != "end" or element.tag != f"{_ODS_TABLE}table-row":
            continue
        repeat_rows = int(element.get(f"{_ODS_TABLE}number-rows-repeated") or 1)
        column, filled = 0, False
        for cell in element:
            if _local(cell.tag) not in ("table-cell", "covered-table-cell"):
                continue
            repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated") or 1)
            length = sum(len(text) for text in cell.itertext())
            if cell.get(f"{_ODS_OFFICE}value-type") or length:
                filled = True
                last = column + repeat
                if last > limits.columns:
                    ref = f"{_column_letters(last)}{rows + 1}"
                    raise _too_wide(sheet, ref, last, limits.columns)
                if length > limits.cell_chars:
                    raise _cell_too_big(sheet, f"{_column_letters(column + 1)}{rows + 1}", length,
                                        limits.cell_chars)
            column += repeat
        rows += repeat_rows
        if filled and rows > limits.rows:
            raise SheetTooLong(sheet, limits.rows)
        _release(element)


def scan_workbook(data: bytes, kind: Kind, limits: SheetLimits) -> ZipSummary:
    """Check an XLSX or ODS before a reader materialises it: ZIP limits, then every sheet streamed through the bounded
    reader (width, rows, cell size), then the other members drained through it (their true sizes)."""
    zip_limit = zip_limits(kind)
    summary = inspect_zip(data, zip_limit)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        scanned = set()
        try:
            if kind == XLSX:
                if "xl/sharedStrings.xml" in archive.namelist():
                    with open_member(archive, "xl/sharedStrings.xml", zip_limit.member) as reader:
                        _scan_shared_strings(reader, limits)
                    scanned.add("xl/sharedStrings.xml")
                for sheet, path in _xlsx_sheets(archive, zip_limit.member):
                    if path in archive.namelist():
                        with open_member(archive, path, zip_limit.member) as reader:
                            _scan_xlsx_sheet(reader, sheet, limits)
                        scanned.add(path)
            elif kind == ODS and "content.xml" in archive.namelist():
                with open_member(archive, "content.xml", zip_limit.member) as reader:
                    _scan_ods(reader, limits)
                scanned.add("content.xml")
        except (etree.XMLSyntaxError, ValueError) as exc:  # ValueError: a row or repeat count that is no number
            raise _xml_failed(exc, limits) from exc
        for info in archive.infolist():
            if info.filename not in scanned and not info.is_dir():
                with open_member(archive, info.filename, zip_limit.member) as reader:
                    while reader.read(_CHUNK):
                        pass
    return summary


# ---------------------------------------------------------------- time


class Deadline:
    """A parse that checks `check()` in its loops stops after `seconds` (a file made to be slow to read)."""

    def __init__(self, seconds: float | None = None):
        self.seconds = seconds if seconds is not None else _setting("UPLOAD_PARSE_SECONDS", 20)
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() >= self.ends:
            raise UploadRefused(_("Reading the file took more than %(seconds)s seconds and was stopped; split it into "
                                  "smaller files.") % {"seconds": format_number(self.seconds, 0)}, code="too_slow")
