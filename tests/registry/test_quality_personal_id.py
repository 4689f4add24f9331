import random
from datetime import date

import pytest

from treem.registry.quality.personal_id import (
    century_sex_digit,
    check_personal_id,
    decode_century_sex,
    make_personal_id,
    province_names,
)
from treem.registry.quality.sex import FEMALE, MALE


def codes(findings):
    return [f.code for f in findings]


def test_the_63_legacy_province_codes():
    names = province_names()
    assert len(names) == 63
    assert names["001"] == "Thành phố Hà Nội"
    assert names["012"] == "Tỉnh Lai Châu"
    assert names["089"] == "Tỉnh An Giang"
    assert names["091"] == "Tỉnh Kiên Giang"
    assert names["092"] == "Thành phố Cần Thơ"
    assert names["093"] == "Tỉnh Hậu Giang"
    assert names["094"] == "Tỉnh Sóc Trăng"
    assert "003" not in names and "099" not in names


@pytest.mark.parametrize(
    ("value", "sex", "born"),
    [
        ("001215012345", MALE, date(2015, 3, 1)),  # Hà Nội, 2000s male
        ("094316000123", FEMALE, date(2016, 7, 9)),  # Sóc Trăng, 2000s female
        ("012099123456", MALE, date(1999, 1, 1)),  # Lai Châu, 1900s male
        ("089110654321", FEMALE, date(1910, 1, 1)),  # An Giang, 1900s female
        ("092400000001", MALE, date(2100, 1, 1)),  # Cần Thơ, 2100s male
        (" 094 316 000123 ", FEMALE, date(2016, 7, 9)),  # spaces typed between groups
    ],
)
def test_known_good_ids(value, sex, born):
    assert check_personal_id(value, sex, born) == []


def test_good_id_without_facts_to_compare():
    assert check_personal_id("091318555555") == []


def test_sex_mismatch():
    findings = check_personal_id("094316000123", MALE, date(2016, 7, 9))
    assert codes(findings) == ["id_sex_mismatch"]
    assert "Nữ" in findings[0].message and "Nam" in findings[0].message


def test_year_mismatch_including_century():
    assert codes(check_personal_id("094316000123", FEMALE, date(2017, 7, 9))) == ["id_year_mismatch"]
    # 1 in digit 4 means the 1900s: 1916, not 2016
    findings = check_personal_id("094116000123", FEMALE, date(2016, 7, 9))
    assert codes(findings) == ["id_year_mismatch"]
    assert "1916" in findings[0].message


def test_sex_and_year_mismatch_together():
    assert codes(check_personal_id("094316000123", MALE, date(2010, 1, 1))) == ["id_sex_mismatch", "id_year_mismatch"]


@pytest.mark.parametrize("code", ["000", "003", "099", "100", "999"])
def test_unknown_province(code):
    findings = check_personal_id(code + "215012345", MALE, date(2015, 1, 1))
    assert codes(findings) == ["id_unknown_province"]
    assert code in findings[0].message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("09431600012", "id_length"),
        ("0943160001234", "id_length"),
        ("094O16000123", "id_not_digits"),
        ("094-316-000-12x", "id_not_digits"),
        ("٠٩٤٣١٦٠٠٠١٢٣", "id_not_digits"),  # Arabic-Indic digits are not accepted
    ],
)
def test_malformed(value, code):
    assert codes(check_personal_id(value, MALE, date(2016, 1, 1))) == [code]


def test_nine_digit_old_identity_card():
    findings = check_personal_id("316000123")
    assert codes(findings) == ["id_length"]
    assert "CMND" in findings[0].message


def test_missing():
    assert codes(check_personal_id("")) == ["id_missing"]
    assert codes(check_personal_id(None)) == ["id_missing"]


def test_number_cell_gets_its_leading_zeros_back():
    # Excel turned 001215012345 into the number 1215012345.
    findings = check_personal_id(1215012345.0, MALE, date(2015, 3, 1))
    assert codes(findings) == ["id_stored_as_number"]


@pytest.mark.parametrize("value", [object(), 3.7, -5, True, ["x"], b"\xff"])
def test_never_raises(value):
    assert isinstance(check_personal_id(value, "?", None), list)


def test_century_sex_digit_round_trip():
    for year in (1900, 1999, 2000, 2025, 2199):
        for sex in (MALE, FEMALE):
            digit = century_sex_digit(sex, year)
            assert decode_century_sex(digit) == (year // 100 * 100, sex)


def test_make_personal_id_is_consistent():
    rng = random.Random(1)
    for _ in range(200):
        sex = rng.choice((MALE, FEMALE))
        year = rng.randint(2009, 2025)
        province = rng.choice(list(province_names()))
        pid = make_personal_id(province, sex, year, rng)
        assert pid[:3] == province
        assert check_personal_id(pid, sex, date(year, 6, 1)) == []


def test_make_personal_id_is_deterministic():
    assert make_personal_id(12, MALE, 2015, random.Random(5)) == make_personal_id("012", MALE, 2015, random.Random(5))
