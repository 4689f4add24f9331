"""Which spreadsheet column holds which field of the child register.

Communes label columns in many ways ("Họ và tên", "Họ, tên", "HỌ TÊN TRẺ"); headers are matched on
a folded key, first against known spellings, then against keyword rules. Columns that match nothing
are returned so the user can map them by hand.
"""

from __future__ import annotations

import re

from .text import fold

FULL_NAME = "full_name"
SEX = "sex"
BIRTH_DATE = "birth_date"
ETHNICITY = "ethnicity"
PERSONAL_ID = "personal_id"
VILLAGE = "village"
ADDRESS = "address"
CARER_NAME = "carer_name"
CARER_PHONE = "carer_phone"
SCHOOL = "school"
GRADE = "grade"
BIRTH_REGISTERED = "birth_registered"
DISABILITY = "disability"
NOTES = "notes"
# Forms with two columns "Nam" and "Nữ" under one header: the child's row has a mark (or the birth
# date) in one of them.
MALE_MARK = "male_mark"
FEMALE_MARK = "female_mark"

CANONICAL_FIELDS = (
    FULL_NAME,
    SEX,
    BIRTH_DATE,
    ETHNICITY,
    PERSONAL_ID,
    VILLAGE,
    ADDRESS,
    CARER_NAME,
    CARER_PHONE,
    SCHOOL,
    GRADE,
    BIRTH_REGISTERED,
    DISABILITY,
    NOTES,
)
MARK_FIELDS = (MALE_MARK, FEMALE_MARK)
REQUIRED_FIELDS = (FULL_NAME, SEX, BIRTH_DATE)
# Optional columns whose empty cell is a warning on the row; a file without the column gets one warning.
CHECKED_OPTIONAL_FIELDS = (PERSONAL_ID, ETHNICITY, CARER_NAME)

FIELD_LABELS = {
    FULL_NAME: "Họ và tên",
    SEX: "Giới tính",
    BIRTH_DATE: "Ngày sinh",
    ETHNICITY: "Dân tộc",
    PERSONAL_ID: "Số định danh cá nhân",
    VILLAGE: "Thôn/bản/ấp",
    ADDRESS: "Địa chỉ",
    CARER_NAME: "Họ tên cha/mẹ/người chăm sóc",
    CARER_PHONE: "Số điện thoại người chăm sóc",
    SCHOOL: "Trường",
    GRADE: "Lớp",
    BIRTH_REGISTERED: "Đã đăng ký khai sinh",
    DISABILITY: "Khuyết tật",
    NOTES: "Ghi chú",
    MALE_MARK: "Nam",
    FEMALE_MARK: "Nữ",
}

# Known spellings, written as people write them; compared after header_key().
_SPELLINGS = {
    FULL_NAME: [
        "Họ và tên",
        "Họ tên",
        "Họ, tên",
        "Họ và tên trẻ",
        "Họ và tên trẻ em",
        "Họ tên trẻ",
        "Họ tên trẻ em",
        "Tên trẻ",
        "Tên trẻ em",
        "Họ và tên của trẻ",
        "Tên",
    ],
    SEX: ["Giới tính", "Nam/Nữ", "Nam, nữ", "Giới", "Phái", "GT"],
    BIRTH_DATE: [
        "Ngày sinh",
        "Ngày, tháng, năm sinh",
        "Ngày tháng năm sinh",
        "Ngày/tháng/năm sinh",
        "Sinh ngày",
        "NTNS",
        "Ngày sinh của trẻ",
    ],
    ETHNICITY: ["Dân tộc", "DT", "Thành phần dân tộc"],
    PERSONAL_ID: [
        "Số định danh cá nhân",
        "Số định danh",
        "Mã định danh",
        "Mã định danh cá nhân",
        "Số ĐDCN",
        "ĐDCN",
        "Số CCCD",
        "CCCD",
        "Căn cước công dân",
        "Số căn cước",
        "Mã số định danh",
        "Số ĐD",
    ],
    VILLAGE: [
        "Thôn",
        "Ấp",
        "Bản",
        "Thôn/bản/ấp",
        "Thôn/bản",
        "Thôn, bản",
        "Thôn/ấp",
        "Tổ dân phố",
        "Khu phố",
        "Tổ",
        "Thôn, xóm",
        "Xóm",
    ],
    ADDRESS: ["Địa chỉ", "Nơi ở", "Nơi ở hiện nay", "Chỗ ở hiện nay", "Nơi cư trú", "Địa chỉ thường trú", "Thường trú"],
    CARER_NAME: [
        "Họ tên cha/mẹ/người chăm sóc",
        "Họ tên cha, mẹ hoặc người chăm sóc",
        "Họ tên cha mẹ",
        "Cha mẹ",
        "Họ tên cha/mẹ",
        "Người chăm sóc",
        "Họ tên người chăm sóc",
        "Người giám hộ",
        "Họ tên người giám hộ",
        "Phụ huynh",
        "Họ tên phụ huynh",
        "Chủ hộ",
        "Họ tên chủ hộ",
        "Tên bố mẹ",
        "Bố/mẹ",
    ],
    CARER_PHONE: ["Số điện thoại", "Điện thoại", "SĐT", "ĐT", "Số ĐT", "Điện thoại liên hệ", "SĐT liên hệ"],
    SCHOOL: ["Trường", "Trường học", "Tên trường", "Học trường", "Nơi học"],
    GRADE: ["Lớp", "Học lớp", "Khối"],
    BIRTH_REGISTERED: [
        "Đăng ký khai sinh",
        "Đã đăng ký khai sinh",
        "Khai sinh",
        "Đã ĐKKS",
        "ĐKKS",
        "Có giấy khai sinh",
    ],
    DISABILITY: ["Khuyết tật", "Dạng khuyết tật", "Loại khuyết tật", "Tình trạng khuyết tật", "Trẻ khuyết tật"],
    NOTES: ["Ghi chú", "Ghi chu", "Ghi chú khác", "Chú thích"],
    MALE_MARK: ["Nam", "Trai"],
    FEMALE_MARK: ["Nữ", "Gái"],
}

# Row numbers, not data.
_IGNORED = {"stt", "tt", "so tt", "so thu tu", "thu tu", "no", "#"}

_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(header: object) -> str:
    """Folded header without explanations in brackets or punctuation: "Ngày sinh (dd/mm/yyyy)" -> "ngay sinh"."""
    text = _PARENTHESES.sub(" ", fold(header))
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


_KNOWN = {header_key(spelling): field for field, spellings in _SPELLINGS.items() for spelling in spellings}

_CARER_WORDS = ("cha", "me", "bo", "nguoi cham soc", "nguoi giam ho", "phu huynh", "chu ho", "nguoi nuoi duong")


def _has_word(key: str, words: tuple[str, ...]) -> bool:
    padded = f" {key} "
    return any(f" {w} " in padded for w in words)


def _guess(key: str) -> str | None:
    """Keyword rules for headers with extra words ("Họ và tên trẻ em (viết hoa)"). Order matters:
    a carer's phone or name mentions "họ tên" or "điện thoại" too."""
    mentions_carer = _has_word(key, _CARER_WORDS)
    if _has_word(key, ("dien thoai", "sdt", "so dt")):
        return CARER_PHONE
    if mentions_carer:
        return CARER_NAME if _has_word(key, ("ho ten", "ho va ten", "ten")) or key.startswith("cha") else None
    if _has_word(key, ("dinh danh", "cccd", "ddcn", "can cuoc")):
        return PERSONAL_ID
    if "sinh" in key and _has_word(key, ("ngay", "nam sinh")) and "khai sinh" not in key:
        return BIRTH_DATE
    if "khai sinh" in key:
        return BIRTH_REGISTERED
    if _has_word(key, ("ho ten", "ho va ten")):
        return FULL_NAME
    if _has_word(key, ("gioi tinh",)):
        return SEX
    if _has_word(key, ("dan toc",)):
        return ETHNICITY
    if _has_word(key, ("khuyet tat",)):
        return DISABILITY
    if _has_word(key, ("thon", "ban", "ap", "xom", "to dan pho")):
        return VILLAGE
    if _has_word(key, ("dia chi", "noi o", "cu tru", "thuong tru")):
        return ADDRESS
    if _has_word(key, ("truong",)):
        return SCHOOL
    if _has_word(key, ("lop",)):
        return GRADE
    if _has_word(key, ("ghi chu",)):
        return NOTES
    return None


def match_header(header: object) -> str | None:
    """The field a header names, or None."""
    key = header_key(header)
    if not key or key in _IGNORED:
        return None
    return _KNOWN.get(key) or _guess(key)


def header_strength(header: object) -> int:
    """How surely a cell is a column header: 2 a known spelling, 1 a keyword guess, 0 none.

    Nam/Nữ mark columns score 0: "Nam" is also what the sex column of every data row says.
    """
    key = header_key(header)
    if not key or key in _IGNORED:
        return 0
    if key in _KNOWN:
        return 0 if _KNOWN[key] in MARK_FIELDS else 2
    return 1 if _guess(key) else 0


def is_ignored_header(header: object) -> bool:
    """Empty headers and row-number columns ("STT") need no mapping."""
    key = header_key(header)
    return not key or key in _IGNORED


def map_headers(
    headers: list[object], overrides: dict[str, str | None] | None = None
) -> tuple[dict[int, str], list[str]]:
    """({column index: field}, [headers nobody could map]).

    overrides maps a header text (compared folded) to a field, or to None to ignore the column;
    they come from the user's answers to the unknown headers. A field claimed by an earlier column
    leaves later columns unknown, so the user decides which one counts.
    """
    override_by_key = {header_key(h): f for h, f in (overrides or {}).items()}
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        key = header_key(header)
        if key in override_by_key:
            field = override_by_key[key]
            if field is None:
                continue
        elif is_ignored_header(header):
            continue
        else:
            field = match_header(header)
        if field is None or field in mapping.values():
            unknown.append(str(header))
            continue
        mapping[index] = field
    return mapping, unknown


def missing_required(mapping: dict[int, str]) -> list[str]:
    """Required fields no column provides.

    Nam/Nữ mark columns stand in for sex, and for the birth date too: a common form has "Ngày sinh" over two
    columns "Nam" | "Nữ" and writes the date under the child's sex (a row with only a mark then lacks its date)."""
    present = set(mapping.values())
    missing = [f for f in REQUIRED_FIELDS if f not in present]
    if present & set(MARK_FIELDS):
        missing = [f for f in missing if f not in (SEX, BIRTH_DATE)]
    return missing


def absent_checked_fields(mapping: dict[int, str]) -> list[str]:
    """The optional checked fields (personal ID, ethnic group, carer) the file has no column for."""
    present = set(mapping.values())
    return [f for f in CHECKED_OPTIONAL_FIELDS if f not in present]
