"""The 12-digit personal identification number (số định danh cá nhân).

Layout (Circular 59/2021/TT-BCA): digits 1-3 the code of the province where the birth was registered
(the 63 pre-2025 province codes, which stay valid), digit 4 century and sex, digits 5-6 the last two
digits of the birth year, digits 7-12 random. There is no check digit, so a number can only be checked
against the facts it encodes: place code, sex and birth year.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from vietnam_provinces.legacy import Province

from .sex import FEMALE, LABELS, MALE
from .text import clean_text

ERROR = "error"
WARNING = "warning"

_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    # the facts the message states, so that a stored finding is rendered in the reader's language
    params: dict = field(default_factory=dict, compare=False)


@cache
def province_names() -> dict[str, str]:
    """{"001": "Thành phố Hà Nội", ..., "096": "Tỉnh Cà Mau"}: the 63 legacy province codes."""
    return {f"{int(p.code):03d}": p.name for p in Province.iter_all()}


def century_sex_digit(sex: str, birth_year: int) -> int:
    """Digit 4: 0/1 for the 1900s, 2/3 for the 2000s, 4/5 for the 2100s ... (even male, odd female)."""
    century_index = (birth_year - 1900) // 100
    if not 0 <= century_index <= 4:
        raise ValueError(f"năm sinh {birth_year} nằm ngoài khoảng 1900-2399")
    return 2 * century_index + (1 if sex == FEMALE else 0)


def decode_century_sex(digit: int) -> tuple[int, str]:
    """(first year of the century, sex) encoded by digit 4."""
    return 1900 + 100 * (digit // 2), (FEMALE if digit % 2 else MALE)


def normalize_personal_id(value: object) -> tuple[str, bool]:
    """(text without separators, whether leading zeros lost in a number cell were restored).

    A number cell of 10 or 11 digits is a 12-digit ID that lost its leading zeros (Hà Nội's 001... became 1...),
    so they are restored. Other numbers are kept as they are: 9 digits is an old identity card (CMND) number.
    """
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value >= 0:
        text = str(value)
        return (text.zfill(12), True) if len(text) in (10, 11) else (text, False)
    return _SEPARATORS.sub("", clean_text(value)), False


def _shape_findings(text: str) -> list[Finding]:
    if not text.isdigit() or not text.isascii():
        return [Finding("id_not_digits", ERROR, f"số định danh '{text}' có ký tự không phải chữ số", {"id": text})]
    if len(text) == 9:
        return [Finding("id_length", ERROR, f"'{text}' có 9 chữ số, có thể là số CMND cũ; số định danh cần 12 chữ số",
                        {"id": text, "digits": 9})]
    if len(text) != 12:
        return [Finding("id_length", ERROR, f"số định danh '{text}' có {len(text)} chữ số, cần đúng 12 chữ số",
                        {"id": text, "digits": len(text)})]
    return []


def _fact_findings(text: str, sex: str | None, birth_date: date | None) -> list[Finding]:
    findings = []
    if text[:3] not in province_names():
        findings.append(
            Finding(
                "id_unknown_province",
                ERROR,
                f"số định danh '{text}': mã tỉnh nơi đăng ký khai sinh '{text[:3]}' không tồn tại",
                {"id": text, "code": text[:3]},
            )
        )
    century, encoded_sex = decode_century_sex(int(text[3]))
    if sex in (MALE, FEMALE) and sex != encoded_sex:
        findings.append(
            Finding(
                "id_sex_mismatch",
                WARNING,
                f"số định danh '{text}' ghi giới tính {LABELS[encoded_sex]} (chữ số thứ 4 là {text[3]}) "
                f"nhưng hồ sơ ghi {LABELS[sex]}",
                {"id": text, "encoded": encoded_sex, "digit": text[3], "sex": sex},
            )
        )
    encoded_year = century + int(text[4:6])
    if birth_date is not None and birth_date.year != encoded_year:
        findings.append(
            Finding(
                "id_year_mismatch",
                WARNING,
                f"số định danh '{text}' ghi năm sinh {encoded_year} nhưng hồ sơ ghi năm sinh {birth_date.year}",
                {"id": text, "encoded": encoded_year, "year": birth_date.year},
            )
        )
    return findings


def check_personal_id(value: object, sex: str | None = None, birth_date: date | None = None) -> list[Finding]:
    """Data-quality findings on a personal ID; never raises. An empty list means no problem found."""
    text, restored = normalize_personal_id(value)
    if not text:
        return [Finding("id_missing", WARNING, "chưa có số định danh cá nhân")]
    findings = []
    if restored:
        findings.append(
            Finding(
                "id_stored_as_number",
                WARNING,
                "số định danh được lưu dạng số nên mất các số 0 ở đầu; đã thêm lại, "
                "hãy định dạng cột này là văn bản (Text)",
            )
        )
    shape = _shape_findings(text)
    if shape:
        return findings + shape
    return findings + _fact_findings(text, sex, birth_date)


def make_personal_id(province_code: int | str, sex: str, birth_year: int, rng: random.Random) -> str:
    """A well-formed synthetic ID for test and demonstration data."""
    prefix = f"{int(province_code):03d}{century_sex_digit(sex, birth_year)}{birth_year % 100:02d}"
    return prefix + f"{rng.randrange(1_000_000):06d}"
