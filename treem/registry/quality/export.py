"""Writing spreadsheets that cannot run code when opened.

A text cell that starts with = + - @ (or a tab or carriage return, which some programs skip before
looking) is run as a formula by Excel and LibreOffice when the file is opened: "CSV injection".
Every such text cell is written with a leading single quote, which both programs show as text.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import xlsxwriter

from .columns import CANONICAL_FIELDS, FIELD_LABELS, REQUIRED_FIELDS
from .dates import format_date

_DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
ERROR_COLUMN = "Lỗi"


def neutralise(value: Any) -> Any:
    """The value itself, or for dangerous text the text prefixed with a single quote."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_FIRST):
        return "'" + value
    return value


def _as_list(row: Sequence[Any] | Mapping[str, Any], headers: Sequence[str]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(h) for h in headers]
    return list(row)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # In CSV every cell is text to the program that opens it, numbers included ("-1+2" would run).
    return neutralise(str(value))


def write_csv(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    headers: Sequence[str],
    path_or_stream: str | os.PathLike | BinaryIO,
    delimiter: str = ",",
) -> None:
    """UTF-8 with BOM, so Excel shows Vietnamese correctly when the file is double-clicked."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v) for v in _as_list(row, headers)])
    payload = text.getvalue().encode("utf-8-sig")
    if hasattr(path_or_stream, "write"):
        path_or_stream.write(payload)
    else:
        with open(path_or_stream, "wb") as handle:
            handle.write(payload)


def _write_cell(sheet, row: int, col: int, value: Any, date_format) -> None:
    # Explicit write_* calls: the generic write() would turn "=..." text into a formula.
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, datetime | date):
        day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)  # noqa: DTZ001
        sheet.write_datetime(row, col, day, date_format)
    elif isinstance(value, int | float) and value == value and abs(value) != float("inf"):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, neutralise(str(value)))


def write_xlsx(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    headers: Sequence[str],
    path_or_stream: str | os.PathLike | BinaryIO,
    sheet_name: str = "Danh sách",
) -> None:
    """One sheet, bold header row, dates as real dates shown dd/mm/yyyy, text never run as formulas."""
    target = os.fspath(path_or_stream) if isinstance(path_or_stream, str | os.PathLike) else path_or_stream
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        for col, header in enumerate(headers):
            sheet.write_string(0, col, neutralise(str(header)), bold)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(_as_list(row, headers)):
                _write_cell(sheet, row_index, col, value, date_format)
        sheet.freeze_panes(1, 0)
    finally:
        workbook.close()


def _messages(errors: Iterable[Any]) -> str:
    return "; ".join(getattr(e, "message", None) or str(e) for e in errors)


def write_rejected_rows(
    original_headers: Sequence[str],
    rejected_rows_with_errors: Iterable[tuple[Sequence[Any], Iterable[Any]]],
) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) for a file of rejected rows: each original row as it was, plus a column "Lỗi"
    with its errors, so the commune can correct the file and import it again; nothing is lost.

    rejected_rows_with_errors: (original cell values, errors) pairs; an error is an Issue or text.
    Pass the result to write_xlsx or write_csv.
    """
    pairs = [(list(values), errors) for values, errors in rejected_rows_with_errors]
    # Rows wider than the header (cells in unnamed columns) keep those cells; the error goes last.
    width = max([len(original_headers), *(len(values) for values, _ in pairs)])
    headers = [*original_headers, *[""] * (width - len(original_headers)), ERROR_COLUMN]
    rows = [[*values, *[""] * (width - len(values)), _messages(errors)] for values, errors in pairs]
    return headers, rows


@dataclass(frozen=True)
class Column:
    """One column of a form to print and fill in by hand (write_form)."""

    header: str
    width: float = 14
    text: bool = False  # cells formatted as Text, so a typed "012215000123" keeps its leading zero
    hidden: bool = False
    fill_in: bool = False  # an empty column the verifier writes in: shaded
    wrap: bool = False


def write_form(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[Column],
    path_or_stream: str | os.PathLike | BinaryIO,
    sheet_name: str = "Danh sách",
    title_rows: Sequence[str] = (),
    footer_rows: Sequence[str] = (),
) -> int:
    """A sheet laid out for printing (A4 landscape, one page wide, header repeated on every page) and filling in:
    title lines, a bold bordered header row, shaded fill-in columns, hidden key columns. Text is never run as a
    formula (see neutralise). Returns the spreadsheet row number of the header."""
    target = os.fspath(path_or_stream) if isinstance(path_or_stream, str | os.PathLike) else path_or_stream
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        title = workbook.add_format({"bold": True, "font_size": 13})
        header = workbook.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter",
                                      "align": "center", "bg_color": "#E8F1EC"})
        formats: dict[tuple, Any] = {}

        def cell_format(column: Column, is_date: bool):
            key = (column.text, column.fill_in, column.wrap, is_date)
            if key not in formats:
                spec: dict[str, Any] = {"border": 1, "valign": "top"}
                if column.text:
                    spec["num_format"] = "@"
                if is_date:
                    spec["num_format"] = "dd/mm/yyyy"
                if column.fill_in:
                    spec["bg_color"] = "#FFF8DC"
                if column.wrap:
                    spec["text_wrap"] = True
                formats[key] = workbook.add_format(spec)
            return formats[key]

        for index, column in enumerate(columns):
            options = {"hidden": True} if column.hidden else {}
            sheet.set_column(index, index, column.width, cell_format(column, False), options)
        row_index = 0
        for line in title_rows:
            sheet.write_string(row_index, 0, neutralise(line), title)
            row_index += 1
        if title_rows:
            row_index += 1
        header_index = row_index
        for index, column in enumerate(columns):
            sheet.write_string(header_index, index, neutralise(column.header), header)
        sheet.set_row(header_index, 45)
        for values in rows:
            row_index += 1
            values = list(values) + [None] * (len(columns) - len(values))
            for index, (column, value) in enumerate(zip(columns, values, strict=False)):
                is_date = isinstance(value, date)
                fmt = cell_format(column, is_date)
                if value is None or value == "":
                    sheet.write_blank(row_index, index, None, fmt)
                elif is_date:
                    day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)  # noqa: DTZ001
                    sheet.write_datetime(row_index, index, day, fmt)
                elif isinstance(value, int | float) and not isinstance(value, bool) and not column.text:
                    sheet.write_number(row_index, index, value, fmt)
                else:
                    sheet.write_string(row_index, index, neutralise(str(value)), fmt)
        row_index += 1
        for line in footer_rows:
            row_index += 1
            sheet.write_string(row_index, 0, neutralise(line))
        sheet.freeze_panes(header_index + 1, 0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_index)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    finally:
        workbook.close()
    return header_index + 1


# What the blank import template says about each column (a note on its header), in the order of the sheet.
_TEMPLATE_NOTES = {
    "full_name": "Bắt buộc. Họ, chữ đệm và tên của trẻ, có dấu.",
    "sex": "Bắt buộc. Nam hoặc Nữ.",
    "birth_date": "Bắt buộc. Ngày/tháng/năm, ví dụ 05/09/2019.",
    "ethnicity": "Ví dụ: Kinh, Thái, Mông, Dao, Khmer.",
    "personal_id": "12 chữ số, ghi đủ số 0 ở đầu (cột đã để dạng chữ). Để trống nếu trẻ chưa có.",
    "carer_name": "Anh chị em có cùng người chăm sóc (cùng họ tên và số điện thoại) được ghi vào một hộ.",
    "birth_registered": "Có hoặc Không.",
    "disability": "Có hoặc Không.",
}


def write_import_template(stream: BinaryIO) -> None:
    """A blank spreadsheet in the import format: the usual headers (required ones in bold red), a note on each
    header saying how to fill it, drop-down lists for sex and yes/no columns, and every column kept as text: Excel
    would drop a personal ID's leading 0, and would read 05/09/2019 as 9 May on a computer set to English; typed as
    text, the importer reads it day first. One sheet, so the importer can only pick that one."""
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8F0EC"})
    required = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8F0EC",
                                    "font_color": "#B02A37"})
    text = workbook.add_format({"num_format": "@"})
    last_row = 5000
    sheet.write_string(0, 0, "STT", bold)
    sheet.set_column(0, 0, 5)
    for col, field in enumerate(CANONICAL_FIELDS, start=1):
        sheet.write_string(0, col, FIELD_LABELS[field], required if field in REQUIRED_FIELDS else bold)
        if note := _TEMPLATE_NOTES.get(field):
            sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
        width = 28 if field in ("full_name", "carer_name", "address") else 16
        sheet.set_column(col, col, width, text)
        choices = {"sex": ["Nam", "Nữ"], "birth_registered": ["Có", "Không"], "disability": ["Có", "Không"]}
        if field in choices:
            sheet.data_validation(1, col, last_row, col, {"validate": "list", "source": choices[field],
                                                          "error_type": "warning"})
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 0)
    workbook.close()
