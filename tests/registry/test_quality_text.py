import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treem.core.text import _fold_text
from treem.registry.quality.text import fold, normalize_name, normalize_phone, split_name

_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = "aăâeêioôơuưy"
VIETNAMESE_LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES}
    | set("bcdđghklmnpqrstvx")
    | {c.upper() for c in (unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES)}
    | set("BCDĐGHKLMNPQRSTVX")
)
vietnamese_text = st.text(alphabet=st.sampled_from([*VIETNAMESE_LETTERS, " ", "\t"]), max_size=40)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("  NGUYỄN   thị  HỒNG ", "nguyen thi hong"),
        ("Hoà / Hòa", "hoa / hoa"),
        ("Nguye\u0302\u0303n", "nguyen"),  # decomposed input, as cp1258 files give it
        ("Ðặng", "dang"),  # eth typed for Đ
        (None, ""),
        (2015, "2015"),
    ],
)
def test_fold_examples(raw, folded):
    assert fold(raw) == folded


@given(vietnamese_text)
def test_fold_of_vietnamese_is_ascii_and_idempotent(text):
    folded = fold(text)
    assert folded.isascii()
    assert fold(folded) == folded


@given(st.text(max_size=40))
def test_fold_is_idempotent_on_any_text(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=40) | st.lists(st.sampled_from([*VIETNAMESE_LETTERS, " ", "\u00a0", "\u0301", "´", "İ", "Σ",
                                                         "ﬁ", "¼"]), max_size=30).map("".join))
def test_folding_word_by_word_is_folding_the_whole_text(text):
    # fold() folds each word once and caches it; the result must be that of folding the text in one go.
    assert fold(text) == _fold_text(text)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("nguyễn  văn ĐỨC", "Nguyễn Văn Đức"),
        ("  giàng a páo ", "Giàng A Páo"),
        ("LÝ THỊ MẨY", "Lý Thị Mẩy"),
        ("h'hen niê", "H'Hen Niê"),
        ("Nguye\u0302\u0303n Van", "Nguyễn Van"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_name_examples(raw, name):
    assert normalize_name(raw) == name


@given(vietnamese_text)
def test_normalize_name_is_idempotent_on_vietnamese(text):
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert fold(once) == fold(text)  # only case and spacing change


@given(st.text(max_size=40))
def test_normalize_name_is_idempotent_on_any_text(text):
    once = normalize_name(text)
    assert normalize_name(once) == once


def test_split_name():
    assert split_name("Nguyễn Văn Đức") == ("Nguyễn", "Văn", "Đức")
    assert split_name("Nguyễn Hoàng Gia Bảo") == ("Nguyễn", "Hoàng Gia", "Bảo")
    assert split_name("Lê Lâm") == ("Lê", "", "Lâm")
    assert split_name("Bin") == ("", "", "Bin")
    assert split_name("") == ("", "", "")


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084-912-345-678", "0912345678"),
        ("091.234.5678", "0912345678"),
        (912345678, "0912345678"),  # number cell: leading zero lost
        (912345678.0, "0912345678"),
        ("(024) 3825 1234", "02438251234"),  # fixed line
    ],
)
def test_normalize_phone_valid(raw, phone):
    assert normalize_phone(raw) == (phone, None)


@pytest.mark.parametrize("raw", ["12345", "0112345678", "091234567", "abc", "+1 202 555 0100"])
def test_normalize_phone_invalid_gives_vietnamese_error(raw):
    value, error = normalize_phone(raw)
    assert value == raw
    assert "số điện thoại" in error


def test_normalize_phone_empty():
    assert normalize_phone("") == (None, None)
    assert normalize_phone(None) == (None, None)
