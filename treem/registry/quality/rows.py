"""Checking one imported row of the child register.

validate_row never raises: whatever a cell holds, the result is normalised data plus errors (the row
cannot be imported as it is) and warnings (it can, but someone should look: step 1 of the cleaning
cycle lists exactly these).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from treem.core.ages import CHILD_AGE_LIMIT

from . import columns as c
from .dates import age_on, bare_year, excel_serial_text, format_date, parse_date, year_only_message
from .ethnicity import find_ethnic_group
from .personal_id import check_personal_id, normalize_personal_id
from .sex import FEMALE, MALE, parse_sex
from .text import clean_text, fold, normalize_name, normalize_phone, split_name

_YES = {"co", "x", "1", "1.0", "roi", "da", "da dang ky", "da dk", "yes", "y", "true"}
_NO = {"khong", "chua", "0", "0.0", "chua dang ky", "chua dk", "no", "n", "false"}


@dataclass(frozen=True)
class Issue:
    field: str
    column: str
    message: str  # full sentence, with row and column when known
    code: str = ""


@dataclass
class RowResult:
    data: dict[str, Any]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Row:
    """Collects issues for one row and phrases them with the row number and column header."""

    def __init__(self, raw: dict[str, Any], row_number: int | None, column_headers: dict[str, str] | None):
        self.raw = raw
        self.row_number = row_number
        self.headers = column_headers or {}
        self.result = RowResult(data={})
        self.formula_fields: set[str] = set()

    def column(self, field_name: str) -> str:
        return self.headers.get(field_name) or c.FIELD_LABELS.get(field_name, field_name)

    def _issue(self, field_name: str, detail: str, code: str) -> Issue:
        where = f"Cột '{self.column(field_name)}'"
        if self.row_number is not None:
            where = f"Dòng {self.row_number}, cột '{self.column(field_name)}'"
        return Issue(field=field_name, column=self.column(field_name), message=f"{where}: {detail}", code=code)

    def error(self, field_name: str, detail: str, code: str) -> None:
        # A cell already reported as a formula gets no second message ("missing name").
        if field_name not in self.formula_fields:
            self.result.errors.append(self._issue(field_name, detail, code))

    def warn(self, field_name: str, detail: str, code: str) -> None:
        if field_name not in self.formula_fields:
            self.result.warnings.append(self._issue(field_name, detail, code))

    def text(self, field_name: str) -> str:
        return cell_text(self.raw.get(field_name))


def cell_text(value: Any) -> str:
    """A cell as text; whole numbers from a spreadsheet lose their ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return format_date(value)
    return clean_text(value)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_formulas(row: _Row) -> None:
    """Text starting with "=" is a formula pasted as text, not a value: the cell is an error and is
    treated as empty afterwards."""
    for field_name, value in row.raw.items():
        if isinstance(value, str) and value.strip().startswith("="):
            row.error(
                field_name, f"ô chứa '{value.strip()[:40]}' giống công thức; hãy dán giá trị (Paste Values)", "formula"
            )
            row.formula_fields.add(field_name)
    row.raw = {k: ("" if k in row.formula_fields else v) for k, v in row.raw.items()}


def _check_name(row: _Row) -> None:
    name = normalize_name(row.raw.get(c.FULL_NAME))
    if not name:
        row.error(c.FULL_NAME, "thiếu họ và tên", "name_missing")
        return
    surname, middle, given = split_name(name)
    row.result.data.update(full_name=name, surname=surname, middle_name=middle, given_name=given)


def _sex_from_marks(raw: dict[str, Any]) -> tuple[str | None, Any]:
    """Sex (and the mark cell's content) from "Nam | Nữ" columns: exactly one must be filled."""
    male, female = raw.get(c.MALE_MARK), raw.get(c.FEMALE_MARK)
    if _is_blank(male) == _is_blank(female):
        return None, None
    return (MALE, male) if not _is_blank(male) else (FEMALE, female)


def _check_sex(row: _Row) -> Any:
    """Sets data["sex"]; returns the content of a Nam/Nữ mark cell, which may be the birth date."""
    raw = row.raw.get(c.SEX)
    mark_content = None
    sex = parse_sex(raw)
    if sex is None and _is_blank(raw):
        sex, mark_content = _sex_from_marks(row.raw)
    if sex is None:
        if _is_blank(raw):
            row.error(c.SEX, "thiếu giới tính (ghi Nam hoặc Nữ)", "sex_missing")
        else:
            row.error(c.SEX, f"giới tính '{cell_text(raw)}' không rõ (ghi Nam hoặc Nữ)", "sex_unknown")
    row.result.data["sex"] = sex
    return mark_content


def _mark_date(mark_content: Any) -> Any:
    """The content of the Nam/Nữ mark cell when it is a birth date (or a bare year), None for a plain mark ("x")."""
    if _is_blank(mark_content):
        return None
    if bare_year(mark_content) is not None:
        return mark_content
    if isinstance(mark_content, int | float) and not isinstance(mark_content, bool) and mark_content < 10000:
        return None  # a mark written as 1, not a date in 1900-1927
    try:
        parse_date(mark_content)
    except ValueError:
        return None
    return mark_content


def _check_birth_date(row: _Row, today: date, mark_content: Any) -> None:
    raw = row.raw.get(c.BIRTH_DATE)
    if _is_blank(raw) and mark_content is not None:
        raw = _mark_date(mark_content)
    row.result.data["birth_date"] = None
    if _is_blank(raw):
        row.error(c.BIRTH_DATE, "thiếu ngày sinh", "birth_date_missing")
        return
    year = bare_year(raw)
    if year is not None:
        row.error(c.BIRTH_DATE, year_only_message(year), "birth_date_year_only")
        return
    try:
        born = parse_date(raw)
    except ValueError as exc:
        row.error(c.BIRTH_DATE, str(exc), "birth_date_unreadable")
        return
    if born > today:
        row.error(c.BIRTH_DATE, f"ngày sinh {format_date(born)} ở tương lai", "birth_date_future")
        return
    age = age_on(born, today)
    if age >= CHILD_AGE_LIMIT:
        row.error(
            c.BIRTH_DATE,
            f"sinh ngày {format_date(born)}, đã {age} tuổi: từ đủ {CHILD_AGE_LIMIT} tuổi không còn là trẻ em",
            "over_age",
        )
        return
    if excel_serial_text(raw) is not None:
        row.warn(
            c.BIRTH_DATE,
            f"ô ghi '{cell_text(raw)}' được đọc là số ngày kiểu Excel, tức ngày {format_date(born)}; hãy kiểm tra "
            "và định dạng cột này là ngày (Date)",
            "birth_date_serial",
        )
    row.result.data["birth_date"] = born


def written_birth_date(raw: dict[str, Any]) -> date | None:
    """The birth date a row writes (its column, else the Nam/Nữ cell), without validate_row's checks of age and
    future dates: finding duplicates compares what is written. None when there is none or it cannot be read."""
    value = raw.get(c.BIRTH_DATE)
    if _is_blank(value):
        value = _mark_date(_sex_from_marks(raw)[1])
    if _is_blank(value) or bare_year(value) is not None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _check_personal_id(row: _Row) -> None:
    if c.PERSONAL_ID not in row.raw:  # the file has no such column: said once for the file, not on every row
        row.result.data["personal_id"] = None
        return
    raw = row.raw.get(c.PERSONAL_ID)
    text, _ = normalize_personal_id(raw)
    row.result.data["personal_id"] = text or None
    for finding in check_personal_id(raw, row.result.data.get("sex"), row.result.data.get("birth_date")):
        row.warn(c.PERSONAL_ID, finding.message, finding.code)


def _check_ethnicity(row: _Row) -> None:
    text = row.text(c.ETHNICITY)
    group = find_ethnic_group(text)
    row.result.data["ethnicity"] = group.name if group else (text or None)
    if not text:
        if c.ETHNICITY in row.raw:  # else the file has no such column: said once for the file
            row.warn(c.ETHNICITY, "thiếu dân tộc", "ethnicity_missing")
    elif group is None:
        row.warn(c.ETHNICITY, f"dân tộc '{text}' không có trong danh mục 54 dân tộc", "ethnicity_unknown")


def _check_carer(row: _Row) -> None:
    carer = normalize_name(row.raw.get(c.CARER_NAME))
    row.result.data["carer_name"] = carer or None
    if not carer and c.CARER_NAME in row.raw:  # else the file has no such column: said once for the file
        row.warn(c.CARER_NAME, "thiếu họ tên cha, mẹ hoặc người chăm sóc", "carer_missing")
    phone, problem = normalize_phone(row.raw.get(c.CARER_PHONE))
    row.result.data["carer_phone"] = phone
    if problem:
        row.warn(c.CARER_PHONE, problem, "phone_invalid")


def _check_birth_registered(row: _Row) -> None:
    raw = row.raw.get(c.BIRTH_REGISTERED)
    if isinstance(raw, bool):
        row.result.data["birth_registered"] = raw
        return
    key = fold(cell_text(raw))
    value = True if key in _YES else False if key in _NO else None
    row.result.data["birth_registered"] = value
    if value is None and key:
        row.warn(c.BIRTH_REGISTERED, f"không hiểu '{cell_text(raw)}' (ghi Có hoặc Chưa)", "birth_registered_unknown")


def _copy_plain_text(row: _Row) -> None:
    for field_name in (c.VILLAGE, c.ADDRESS, c.SCHOOL, c.GRADE, c.DISABILITY, c.NOTES):
        row.result.data[field_name] = row.text(field_name) or None


_CHECKS = (
    _check_name,
    _check_personal_id,
    _check_ethnicity,
    _check_carer,
    _check_birth_registered,
    _copy_plain_text,
)


def validate_row(
    raw: dict[str, Any],
    today: date,
    row_number: int | None = None,
    column_headers: dict[str, str] | None = None,
) -> RowResult:
    """Normalise and check one row given as {canonical field: raw cell value}.

    row_number and column_headers ({field: header text}) only make the messages point at the cell. A field absent
    from raw is a column the file does not have: an empty personal ID, ethnic group or carer is then not warned
    about on the row (columns.absent_checked_fields says it once for the file).
    """
    row = _Row(raw if isinstance(raw, dict) else {}, row_number, column_headers)
    try:
        _check_formulas(row)
        mark_content = _check_sex(row)
        _check_birth_date(row, today, mark_content)
        for check in _CHECKS:
            check(row)
    except Exception as exc:
        row.error("", f"không xử lý được dòng này ({type(exc).__name__})", "internal")
    return row.result
