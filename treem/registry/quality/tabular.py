"""Reading the spreadsheets communes actually have: XLSX, XLS, ODS and CSV.

The header row is found rather than assumed (communes put a title and a date above it), every row
keeps its spreadsheet row number so messages can point at it, and every failure is a TableError
with a message a commune officer can act on.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import python_calamine

from treem.core import uploads
from treem.core.formats import format_number

from .columns import MARK_FIELDS, header_key, header_strength, map_headers
from .text import clean_text

DEFAULT_MAX_ROWS = 200_000
# The header is looked for in the first rows only: titles and subtitles are short.
HEADER_SEARCH_ROWS = 30

_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # Compound File Binary (legacy Office, encrypted OOXML)
_ZIP_SIGNATURE = b"PK\x03\x04"
# An encrypted OOXML file is a CFB container whose directory names these streams (UTF-16 names).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

_CSV_DELIMITERS = (",", ";", "\t", "|")
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")


class TableError(ValueError):
    """A file that cannot be read as a table; the message is for the user, in Vietnamese."""


@dataclass
class TableRow:
    number: int  # 1-based row number as the spreadsheet program shows it
    values: list[Any]
    formula_columns: tuple[int, ...] = ()  # text cells that start with "=" (a formula pasted as text)

    def get(self, index: int) -> Any:
        return self.values[index] if index < len(self.values) else ""


@dataclass
class Table:
    headers: list[str]
    rows: list[TableRow]
    sheet_names: list[str]
    sheet_name: str | None = None
    header_row_number: int = 1
    file_format: str = ""
    details: dict[str, str] = field(default_factory=dict)  # e.g. CSV encoding and delimiter

    def records(self, mapping: dict[int, str]) -> Iterator[tuple[TableRow, dict[str, Any]]]:
        """(row, {field: raw value}) for each row, given map_headers' column mapping."""
        for row in self.rows:
            yield row, {field_name: row.get(index) for index, field_name in mapping.items()}

    def column_headers(self, mapping: dict[int, str]) -> dict[str, str]:
        """{field: header text of its column}, for messages."""
        return {field_name: self.headers[index] for index, field_name in mapping.items()}


# ---------------------------------------------------------------- reading bytes


def _read_bytes(path_or_bytes: str | os.PathLike | bytes | bytearray | Any) -> bytes:
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        return bytes(path_or_bytes)
    if hasattr(path_or_bytes, "read"):
        return path_or_bytes.read()
    try:
        with open(path_or_bytes, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise TableError(f"Không mở được tệp: {exc.strerror or exc}") from exc


def _is_encrypted_office(data: bytes) -> bool:
    return data.startswith(_OLE_SIGNATURE) and any(name in data for name in _ENCRYPTED_STREAMS)


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" not in sample or sample.startswith((b"\xff\xfe", b"\xfe\xff"))


def read_table(
    path_or_bytes: str | os.PathLike | bytes,
    filename: str,
    sheet: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    find_header: Callable[[list[list[Any]]], int] | None = None,
) -> Table:
    """Read a spreadsheet (XLSX, XLS, ODS or CSV) into a Table with its header row detected.

    find_header(grid) -> index of the header row (-1: none) replaces the detection tuned for commune registers,
    for files with other headers (e.g. a population database extract)."""
    data = _read_bytes(path_or_bytes)
    if not data.strip():
        raise TableError(f"Tệp '{filename}' trống, không có dữ liệu.")
    if _is_encrypted_office(data):
        raise TableError(
            f"Tệp '{filename}' được đặt mật khẩu (mã hoá). Hãy mở tệp bằng Excel, bỏ mật khẩu "
            "(Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hoá bằng mật khẩu, xoá mật khẩu), lưu lại rồi tải lên."
        )
    if data.startswith((_ZIP_SIGNATURE, _OLE_SIGNATURE)):
        _check_workbook(data, filename, max_rows)
        grid, sheet_names, chosen, file_format = _read_workbook(data, filename, sheet, max_rows)
        details: dict[str, str] = {}
    elif filename.lower().endswith(_CSV_SUFFIXES) or _looks_like_text(data):
        if sheet:
            raise TableError(f"Tệp CSV '{filename}' không có trang tính; không thể chọn trang '{sheet}'.")
        grid, details = _read_csv(data, filename, max_rows)
        sheet_names, chosen, file_format = [], None, "csv"
    else:
        raise _not_a_workbook(filename)
    table = _build_table(grid, filename, max_rows, find_header)
    table.sheet_names, table.sheet_name, table.file_format, table.details = sheet_names, chosen, file_format, details
    return table


# ---------------------------------------------------------------- workbooks


def _check_workbook(data: bytes, filename: str, max_rows: int) -> None:
    """The upload gate before calamine builds anything: the type agrees with the extension, the ZIP is no bomb, no
    sheet is wider than the column limit, longer than the row limit or holds an oversized cell."""
    try:
        kind = uploads.detect(data) if data.startswith(_ZIP_SIGNATURE) else uploads.OLE
        extension = os.path.splitext(filename)[1].lower()
        expected = uploads.kind_for(extension)
        if kind is None:
            raise _broken(filename)
        if kind.zipped and not kind.spreadsheet:
            raise _not_a_workbook(filename)
        if expected is not None and expected.spreadsheet and kind != expected and kind != uploads.OLE:
            raise _not_a_workbook(filename)  # an ODS named .xlsx, say: say so rather than read it by chance
        if kind.zipped:
            uploads.scan_workbook(data, kind, uploads.SheetLimits(rows=HEADER_SEARCH_ROWS + max_rows + 1))
    except uploads.SheetTooLong as exc:
        raise _too_many_rows(filename, max_rows) from exc
    except uploads.UploadRefused as exc:
        raise TableError(f"Tệp '{filename}': {exc.messages[0]}") from exc


def _not_a_workbook(filename: str) -> TableError:
    return TableError(
        f"Tệp '{filename}' không phải bảng tính đọc được. Hãy lưu lại dưới dạng Excel (.xlsx), "
        "OpenDocument (.ods) hoặc CSV."
    )


def _open_workbook(data: bytes, filename: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.load_workbook(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise TableError(f"Tệp '{filename}' được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại.") from exc
    except Exception as exc:  # calamine raises several types for broken zips and XML
        raise _broken(filename) from exc


def _broken(filename: str) -> TableError:
    return TableError(
        f"Tệp '{filename}' bị hỏng hoặc không phải bảng tính Excel/ODS hợp lệ; hãy mở bằng Excel hoặc "
        "LibreOffice, lưu lại rồi tải lên."
    )


def _choose_sheet(workbook: python_calamine.CalamineWorkbook, filename: str, sheet: str | None) -> str:
    names = list(workbook.sheet_names)
    if not names:
        raise TableError(f"Tệp '{filename}' không có trang tính nào.")
    if sheet is not None:
        if sheet in names:
            return sheet
        raise TableError(f"Tệp '{filename}' không có trang tính '{sheet}'. Các trang có trong tệp: {', '.join(names)}.")
    visible = [m.name for m in workbook.sheets_metadata if m.visible == python_calamine.SheetVisibleEnum.Visible]
    for name in visible or names:
        if workbook.get_sheet_by_name(name).height > 0:
            return name
    return (visible or names)[0]


def _read_workbook(data: bytes, filename: str, sheet: str | None, max_rows: int):
    workbook = _open_workbook(data, filename)
    try:
        chosen = _choose_sheet(workbook, filename, sheet)
        calamine_sheet = workbook.get_sheet_by_name(chosen)
        limit = HEADER_SEARCH_ROWS + max_rows + 1
        if calamine_sheet.width > uploads.SheetLimits(rows=limit).columns:  # XLS: not scanned before (no ZIP)
            raise TableError(f"Tệp '{filename}': trang tính '{chosen}' có {calamine_sheet.width} cột, vượt quá giới "
                             f"hạn {uploads.SheetLimits(rows=limit).columns} cột. Hãy xoá các cột thừa rồi lưu lại.")
        end = calamine_sheet.end
        if end is not None and end[0] + 1 > limit:
            raise _too_many_rows(filename, max_rows)
        # skip_empty_area=False keeps the grid anchored at A1 so row numbers match the sheet.
        grid = calamine_sheet.to_python(skip_empty_area=False, nrows=limit)
    except python_calamine.CalamineError as exc:
        raise TableError(f"Không đọc được trang tính trong tệp '{filename}': tệp có thể bị hỏng.") from exc
    finally:
        workbook.close()
    file_format = "xls" if data.startswith(_OLE_SIGNATURE) else ("ods" if b"opendocument" in data[:200] else "xlsx")
    return grid, list(workbook.sheet_names), chosen, file_format


def _too_many_rows(filename: str, max_rows: int) -> TableError:
    limit = format_number(max_rows, 0)
    return TableError(
        f"Tệp '{filename}' có hơn {limit} dòng dữ liệu, vượt giới hạn {limit} dòng cho một lần nhập. "
        "Hãy chia tệp thành nhiều tệp nhỏ hơn."
    )


# ---------------------------------------------------------------- CSV


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows' Vietnamese code page stores tones as combining marks, hence the NFC afterwards.
    for encoding in ("cp1258", "cp1252", "latin-1"):
        try:
            return unicodedata.normalize("NFC", data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent number (>1) of fields."""
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in _CSV_DELIMITERS:
        counts = [len(fields) for fields in csv.reader(sample, delimiter=delimiter)]
        widest = max(counts, default=0)
        if widest < 2:
            continue
        typical = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(typical) / len(counts), typical)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, filename: str, max_rows: int) -> tuple[list[list[Any]], dict[str, str]]:
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text)
    grid: list[list[Any]] = []
    columns = uploads.SheetLimits(rows=max_rows).columns
    try:
        for fields in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(fields) > columns and any(value.strip() for value in fields[columns:]):
                raise TableError(f"Tệp CSV '{filename}' có dòng {len(grid) + 1} gồm {len(fields)} cột, vượt quá giới "
                                 f"hạn {columns} cột. Hãy xoá các cột thừa rồi lưu lại.")
            grid.append(fields)
            if len(grid) > HEADER_SEARCH_ROWS + max_rows:
                raise _too_many_rows(filename, max_rows)
    except csv.Error as exc:
        raise TableError(f"Tệp CSV '{filename}' bị lỗi định dạng ở dòng {len(grid) + 1}: {exc}") from exc
    return grid, {"encoding": encoding, "delimiter": delimiter}


# ---------------------------------------------------------------- header and rows


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_score(row: list[Any]) -> int:
    return sum(header_strength(value) for value in row if isinstance(value, str))


def _find_header_row(grid: list[list[Any]]) -> int:
    """Index of the row that names the most known fields; a title line names none or one."""
    best_index, best_score = -1, 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        score = _header_score(row)
        if score > best_score:
            best_index, best_score = index, score
    if best_index >= 0:
        return best_index
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(not _is_blank(v) for v in row) >= 2:
            return index
    return -1


def _is_sub_header(top: list[str], below: list[Any]) -> bool:
    """A second header line, like "Nam | Nữ" under a merged "Ngày sinh" cell."""
    cells = [v for v in below if not _is_blank(v)]
    if not cells or not all(isinstance(v, str) for v in cells):
        return False
    mapping, _ = map_headers([str(v) for v in below])
    fields = set(mapping.values())
    # Only a sub-header if it adds something the top line lacks and looks nothing like data.
    return bool(fields) and len(fields) == len(cells) and (fields & set(MARK_FIELDS) or not any(top))


def _merge_headers(top: list[str], below: list[Any]) -> list[str]:
    width = max(len(top), len(below))
    top = top + [""] * (width - len(top))
    merged = []
    for index in range(width):
        sub = clean_text(below[index]) if index < len(below) else ""
        merged.append(sub or top[index])
    return merged


def _cell(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _build_table(grid: list[list[Any]], filename: str, max_rows: int, find_header=None) -> Table:
    header_index = (find_header or _find_header_row)(grid)
    if header_index < 0:
        raise TableError(f"Tệp '{filename}' không có dữ liệu hoặc không tìm thấy dòng tiêu đề cột.")
    headers = [clean_text(v) for v in grid[header_index]]
    first_data = header_index + 1
    if first_data < len(grid) and _is_sub_header(headers, grid[first_data]):
        headers = _merge_headers(headers, grid[first_data])
        first_data += 1
    while headers and not headers[-1]:
        headers.pop()
    if not any(header_key(h) for h in headers):
        raise TableError(f"Tệp '{filename}' không tìm thấy dòng tiêu đề cột.")
    rows = []
    for index in range(first_data, len(grid)):
        values = [_cell(v) for v in grid[index]]
        if all(_is_blank(v) for v in values):
            continue
        values = (values + [""] * len(headers))[: max(len(headers), len(values))]
        formulas = tuple(i for i, v in enumerate(values) if isinstance(v, str) and v.startswith("="))
        rows.append(TableRow(number=index + 1, values=values, formula_columns=formulas))
        if len(rows) > max_rows:
            raise _too_many_rows(filename, max_rows)
    if not rows:
        raise TableError(f"Tệp '{filename}' chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    return Table(headers=headers, rows=rows, sheet_names=[], header_row_number=header_index + 1)
