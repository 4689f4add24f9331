from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.registry.quality import columns as c
from treem.registry.quality.ethnicity import ethnic_groups, find_ethnic_group
from treem.registry.quality.rows import validate_row
from treem.registry.quality.sex import FEMALE, MALE, parse_sex

TODAY = date(2025, 6, 1)
HEADERS = {
    c.FULL_NAME: "Họ, tên",
    c.BIRTH_DATE: "Ngày sinh",
    c.SEX: "Nam/Nữ",
    c.PERSONAL_ID: "Mã định danh",
    c.ETHNICITY: "Dân tộc",
}


def good_row(**changes):
    row = {
        c.FULL_NAME: "  lò  văn PÁO ",
        c.SEX: "Nam",
        c.BIRTH_DATE: "04/03/2015",
        c.ETHNICITY: "Thái",
        c.PERSONAL_ID: "012215000123",
        c.VILLAGE: " Bản  Nà Khuồng ",
        c.CARER_NAME: "lò thị ơn",
        c.CARER_PHONE: "+84 912 345 678",
        c.BIRTH_REGISTERED: "Có",
    }
    row.update(changes)
    return row


def codes(issues):
    return [i.code for i in issues]


def test_clean_row():
    result = validate_row(good_row(), TODAY, 7, HEADERS)
    assert result.ok and result.errors == [] and result.warnings == []
    assert result.data == {
        "full_name": "Lò Văn Páo",
        "surname": "Lò",
        "middle_name": "Văn",
        "given_name": "Páo",
        "sex": MALE,
        "birth_date": date(2015, 3, 4),
        "ethnicity": "Thái",
        "personal_id": "012215000123",
        "village": "Bản Nà Khuồng",
        "address": None,
        "carer_name": "Lò Thị Ơn",
        "carer_phone": "0912345678",
        "school": None,
        "grade": None,
        "birth_registered": True,
        "disability": None,
        "notes": None,
    }


def test_future_birth_date_message_points_at_row_and_column():
    result = validate_row(good_row(birth_date="12/05/2031"), TODAY, 7, HEADERS)
    assert [i.message for i in result.errors] == ["Dòng 7, cột 'Ngày sinh': ngày sinh 12/05/2031 ở tương lai"]
    assert result.errors[0].field == c.BIRTH_DATE and result.errors[0].column == "Ngày sinh"


def test_message_without_row_number_uses_field_label():
    result = validate_row(good_row(full_name=""), TODAY)
    assert result.errors[0].message == "Cột 'Họ và tên': thiếu họ và tên"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({c.FULL_NAME: "   "}, "name_missing"),
        ({c.SEX: ""}, "sex_missing"),
        ({c.SEX: "khác"}, "sex_unknown"),
        ({c.BIRTH_DATE: None}, "birth_date_missing"),
        ({c.BIRTH_DATE: "13/13/2015"}, "birth_date_unreadable"),
        ({c.BIRTH_DATE: "2015"}, "birth_date_year_only"),
        ({c.BIRTH_DATE: "hôm qua"}, "birth_date_unreadable"),
        ({c.BIRTH_DATE: 2015}, "birth_date_year_only"),
        ({c.BIRTH_DATE: "01/01/2030"}, "birth_date_future"),
        ({c.BIRTH_DATE: "01/06/2009"}, "over_age"),  # 16th birthday today
        ({c.BIRTH_DATE: date(2000, 1, 1)}, "over_age"),
        ({c.FULL_NAME: '=HYPERLINK("http://x","bấm")'}, "formula"),
    ],
)
def test_errors(changes, code):
    result = validate_row(good_row(**changes), TODAY, 3, HEADERS)
    assert codes(result.errors) == [code]
    assert not result.ok


def test_fifteen_year_old_is_still_a_child():
    assert validate_row(good_row(birth_date="02/06/2009"), TODAY).ok


def test_formula_cell_gets_one_message_only():
    result = validate_row(good_row(sex="=A1"), TODAY, 3, HEADERS)
    assert codes(result.errors) == ["formula"]
    assert "Dòng 3, cột 'Nam/Nữ'" in result.errors[0].message


@pytest.mark.parametrize(
    ("value", "sex"),
    [
        ("Nam", MALE),
        ("nam", MALE),
        ("NAM", MALE),
        ("M", MALE),
        ("trai", MALE),
        (1, MALE),
        (1.0, MALE),
        ("1", MALE),
        ("Nữ", FEMALE),
        ("nu", FEMALE),
        ("NỮ", FEMALE),
        ("F", FEMALE),
        ("gái", FEMALE),
        (0, FEMALE),
        ("0", FEMALE),
        (2, FEMALE),
        ("", None),
        (None, None),
        ("x", None),
        (True, None),
    ],
)
def test_sex_spellings(value, sex):
    assert parse_sex(value) == sex


@pytest.mark.parametrize(
    ("cell", "born"),
    [
        (date(2015, 3, 4), date(2015, 3, 4)),
        (datetime(2015, 3, 4, 0, 0), date(2015, 3, 4)),
        (42067, date(2015, 3, 4)),
        (42067.0, date(2015, 3, 4)),
        ("2015-03-04", date(2015, 3, 4)),
        (" 4/3/2015 ", date(2015, 3, 4)),
    ],
)
def test_birth_date_cells(cell, born):
    assert validate_row(good_row(birth_date=cell), TODAY).data["birth_date"] == born


def test_personal_id_findings_are_warnings():
    result = validate_row(good_row(personal_id="012315000123"), TODAY, 4, HEADERS)  # says female
    assert result.ok
    assert codes(result.warnings) == ["id_sex_mismatch"]
    assert result.warnings[0].message.startswith("Dòng 4, cột 'Mã định danh': ")


def test_missing_and_malformed_id_are_warnings():
    assert codes(validate_row(good_row(personal_id=""), TODAY).warnings) == ["id_missing"]
    assert codes(validate_row(good_row(personal_id="12345"), TODAY).warnings) == ["id_length"]
    assert codes(validate_row(good_row(personal_id="099215000123"), TODAY).warnings) == ["id_unknown_province"]


def test_id_typed_as_number_keeps_leading_zeros():
    result = validate_row(good_row(personal_id=12215000123.0), TODAY)
    assert result.data["personal_id"] == "012215000123"
    assert codes(result.warnings) == ["id_stored_as_number"]


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Kinh", "Kinh"),
        ("việt", "Kinh"),
        ("Khmer", "Khơ-me"),
        ("Khơ me", "Khơ-me"),
        ("H'Mông", "Mông"),
        ("Hmông", "Mông"),
        ("Mèo", "Mông"),
        ("dân tộc Mông", "Mông"),
        ("TÀY", "Tày"),
        ("Hà Nhì", "Hà Nhì"),
        ("Lự", "Lự"),
        ("Ê Đê", "Ê-đê"),
        ("Chăm", "Chăm"),
        ("Hoa", "Hoa"),
        ("Mường", "Mường"),
        ("Nùng", "Nùng"),
        ("Dao đỏ", "Dao"),
    ],
)
def test_ethnicity_spellings(spelling, name):
    result = validate_row(good_row(ethnicity=spelling), TODAY)
    assert result.data["ethnicity"] == name
    assert result.warnings == []


def test_ethnic_group_list():
    groups = ethnic_groups()
    assert len(groups) == 54
    assert len({g.name for g in groups}) == 54
    assert find_ethnic_group("Rơ Măm").code == "54"


def test_unknown_and_missing_ethnicity_warn():
    result = validate_row(good_row(ethnicity="Sao Hỏa"), TODAY)
    assert codes(result.warnings) == ["ethnicity_unknown"]
    assert result.data["ethnicity"] == "Sao Hỏa"
    assert codes(validate_row(good_row(ethnicity=""), TODAY).warnings) == ["ethnicity_missing"]


def test_carer_checks_warn():
    result = validate_row(good_row(carer_name="", carer_phone="123"), TODAY)
    assert codes(result.warnings) == ["carer_missing", "phone_invalid"]
    assert result.ok


def test_sex_from_nam_nu_mark_columns():
    row = good_row(sex=None, birth_date=None)
    row.update({c.MALE_MARK: "", c.FEMALE_MARK: "05/06/2016"})
    result = validate_row(row, TODAY)
    assert result.data["sex"] == FEMALE and result.data["birth_date"] == date(2016, 6, 5)
    row.update({c.MALE_MARK: "x", c.FEMALE_MARK: "", c.BIRTH_DATE: "05/06/2016"})
    result = validate_row(row, TODAY)
    assert result.data["sex"] == MALE and result.ok


@pytest.mark.parametrize(
    ("value", "registered"),
    [("Có", True), ("x", True), ("Đã đăng ký", True), ("Chưa", False), ("", None), (True, True)],
)
def test_birth_registered(value, registered):
    assert validate_row(good_row(birth_registered=value), TODAY).data["birth_registered"] == registered


cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=2),
    st.binary(max_size=5),
)
fields = st.sampled_from([*c.CANONICAL_FIELDS, *c.MARK_FIELDS, "unexpected"])


@settings(max_examples=300)
@given(st.dictionaries(fields, cell_values), st.dates(), st.one_of(st.none(), st.integers(-5, 10**6)))
def test_validate_row_never_raises(raw, today, row_number):
    result = validate_row(raw, today, row_number)
    assert all(i.message for i in result.errors + result.warnings)
    assert {"full_name", "sex", "birth_date"} <= set(result.data) or not result.ok
    assert not any(i.code == "internal" for i in result.errors), result.errors
