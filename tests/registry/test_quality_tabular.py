import io
from datetime import date

import pytest

from tests.registry.quality_files import HEADER, TITLE_ROWS, encode_cp1258, write_ods, write_xlsx
from treem.registry.quality import columns as c
from treem.registry.quality.columns import map_headers, match_header, missing_required
from treem.registry.quality.tabular import TableError, read_table

DATA_ROWS = [
    [1, "Lò Văn Páo", date(2015, 3, 4), "Nam", "Thái", "012215000123", "Bản Nà Khuồng", "Lò Thị Ơn", ""],
    [2, "Giàng Thị Mỷ", 42370, "Nữ", "H'Mông", "012316000456", "Bản Hô Ta", "Giàng A Sính", "mồ côi"],
    [3, "Lý Thị Mẩy", "05/06/2017", "nữ", "Dao", "", "Bản Hô Ta", "Lý Văn Chài", ""],
]


def workbook_rows():
    return [*TITLE_ROWS, HEADER, *DATA_ROWS]


def assert_commune_table(table):
    assert table.header_row_number == 4  # two title lines and a blank line above
    assert table.headers == HEADER
    assert [r.number for r in table.rows] == [5, 6, 7]
    mapping, unknown = map_headers(table.headers)
    assert unknown == []
    fields = {field: index for index, field in mapping.items()}
    assert set(fields) == {
        c.FULL_NAME,
        c.BIRTH_DATE,
        c.SEX,
        c.ETHNICITY,
        c.PERSONAL_ID,
        c.VILLAGE,
        c.CARER_NAME,
        c.NOTES,
    }
    first, second, third = table.rows
    assert first.get(fields[c.FULL_NAME]) == "Lò Văn Páo"
    assert first.get(fields[c.BIRTH_DATE]) == date(2015, 3, 4)  # a real date cell
    assert second.get(fields[c.BIRTH_DATE]) == 42370  # a serial number stays a number; rows.py reads it
    assert third.get(fields[c.BIRTH_DATE]) == "05/06/2017"
    assert first.get(fields[c.PERSONAL_ID]) == "012215000123"


def test_xlsx_with_title_above_header(tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", {"Danh sách": workbook_rows()})
    table = read_table(path, "ds.xlsx")
    assert_commune_table(table)
    assert table.sheet_names == ["Danh sách"]
    assert table.sheet_name == "Danh sách"
    assert table.file_format == "xlsx"


def test_xlsx_from_bytes_and_from_stream(tmp_path):
    data = write_xlsx(tmp_path / "ds.xlsx", {"DS": workbook_rows()}).read_bytes()
    assert_commune_table(read_table(data, "ds.xlsx"))
    assert_commune_table(read_table(io.BytesIO(data), "ds.xlsx"))


def test_ods_with_title_above_header(tmp_path):
    path = write_ods(tmp_path / "ds.ods", {"Trang tính 1": workbook_rows()})
    table = read_table(path, "ds.ods")
    assert_commune_table(table)
    assert table.file_format == "ods"


def test_sheet_choice(tmp_path):
    path = write_xlsx(
        tmp_path / "ds.xlsx", {"Trống": [], "Năm 2024": workbook_rows(), "Năm 2025": [HEADER, DATA_ROWS[0]]}
    )
    assert read_table(path, "ds.xlsx").sheet_name == "Năm 2024"  # first sheet with data
    table = read_table(path, "ds.xlsx", sheet="Năm 2025")
    assert table.sheet_name == "Năm 2025"
    assert [r.number for r in table.rows] == [2]
    assert table.sheet_names == ["Trống", "Năm 2024", "Năm 2025"]


def test_wrong_sheet_name_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", {"Năm 2024": workbook_rows(), "Tổng hợp": [["x"]]})
    with pytest.raises(TableError, match=r"không có trang tính 'Năm 2025'.*Năm 2024, Tổng hợp"):
        read_table(path, "ds.xlsx", sheet="Năm 2025")


def test_csv_utf8_bom_semicolon():
    text = "\n".join(";".join(str(v) for v in row) for row in [HEADER, *DATA_ROWS])
    table = read_table(("\ufeff" + text).encode("utf-8"), "ds.csv")
    assert table.headers == HEADER
    assert [r.number for r in table.rows] == [2, 3, 4]
    assert table.details == {"encoding": "utf-8", "delimiter": ";"}
    assert table.rows[1].values[1] == "Giàng Thị Mỷ"


def test_csv_windows_vietnamese_code_page_with_tabs_and_a_title():
    rows = [["DANH SÁCH TRẺ EM"], HEADER, *DATA_ROWS]
    text = "\r\n".join("\t".join(str(v) for v in row) for row in rows)
    data = encode_cp1258(text)
    assert data.decode("cp1258") != text  # tones really are separate characters in the file
    table = read_table(data, "ds.csv")
    assert table.details["encoding"] == "cp1258"
    assert table.details["delimiter"] == "\t"
    assert table.header_row_number == 2
    assert table.headers == HEADER
    assert table.rows[0].values[1] == "Lò Văn Páo"  # recomposed to NFC


def test_csv_quoted_commas_and_newlines():
    data = (
        "Họ và tên,Ngày sinh,Ghi chú\n"
        '"Nguyễn Văn A",01/02/2015,"hộ nghèo, mồ côi cha\nở với bà"\n'
        "Trần Thị B,03/04/2016,\n"
    )
    table = read_table(data.encode(), "ds.csv")
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[0].values[2] == "hộ nghèo, mồ côi cha\nở với bà"


def test_formula_looking_values_are_flagged(tmp_path):
    rows = [HEADER, [1, '=HYPERLINK("http://x")', "01/02/2015", "Nam"]]
    for table in (
        read_table(write_xlsx(tmp_path / "f.xlsx", {"DS": rows}), "f.xlsx"),
        read_table("\n".join(",".join(str(v) for v in r) for r in rows).encode(), "f.csv"),
    ):
        assert table.rows[0].formula_columns == (1,)


def test_nam_nu_sub_header_under_a_merged_birth_date_cell(tmp_path):
    rows = [
        ["DANH SÁCH"],
        ["STT", "Họ và tên", "Ngày sinh", "", "Dân tộc"],
        ["", "", "Nam", "Nữ", ""],
        [1, "Lò Văn Páo", "04/03/2015", "", "Thái"],
        [2, "Lò Thị Ơn", "", "05/06/2016", "Thái"],
    ]
    table = read_table(write_xlsx(tmp_path / "m.xlsx", {"DS": rows}), "m.xlsx")
    assert table.headers == ["STT", "Họ và tên", "Nam", "Nữ", "Dân tộc"]
    assert [r.number for r in table.rows] == [4, 5]
    mapping, _ = map_headers(table.headers)
    assert set(mapping.values()) == {c.FULL_NAME, c.MALE_MARK, c.FEMALE_MARK, c.ETHNICITY}
    # The dates are written under the child's sex: the Nam/Nữ columns stand in for sex and birth date.
    assert missing_required(mapping) == []


def test_too_many_rows_names_the_limit(tmp_path):
    rows = [HEADER] + [[i, f"Trẻ {i}", "01/01/2015", "Nam"] for i in range(12)]
    with pytest.raises(TableError, match=r"hơn 10 dòng.*giới hạn 10 dòng"):
        read_table(write_xlsx(tmp_path / "big.xlsx", {"DS": rows}), "big.xlsx", max_rows=10)
    csv_bytes = "\n".join(",".join(str(v) for v in r) for r in rows).encode()
    with pytest.raises(TableError, match="hơn 10 dòng"):
        read_table(csv_bytes, "big.csv", max_rows=10)
    assert len(read_table(csv_bytes, "big.csv", max_rows=12).rows) == 12


def test_default_limit_is_two_hundred_thousand(tmp_path):
    from treem.registry.quality.tabular import DEFAULT_MAX_ROWS

    assert DEFAULT_MAX_ROWS == 200_000


@pytest.mark.parametrize("data", [b"", b"   \n\r\n  "])
def test_empty_file(data):
    with pytest.raises(TableError, match="trống"):
        read_table(data, "trong.xlsx")


def test_header_only(tmp_path):
    with pytest.raises(TableError, match="không có dòng dữ liệu"):
        read_table(write_xlsx(tmp_path / "h.xlsx", {"DS": [HEADER]}), "h.xlsx")


def test_workbook_with_only_empty_sheets(tmp_path):
    with pytest.raises(TableError, match="không có dữ liệu"):
        read_table(write_xlsx(tmp_path / "e.xlsx", {"Sheet1": []}), "e.xlsx")


def test_corrupt_files(tmp_path):
    good = write_xlsx(tmp_path / "ds.xlsx", {"DS": workbook_rows()}).read_bytes()
    with pytest.raises(TableError, match="bị hỏng"):
        read_table(good[: len(good) // 2], "cut.xlsx")  # truncated download
    with pytest.raises(TableError, match="bị hỏng"):
        read_table(b"PK\x03\x04" + b"\x00garbage" * 100, "bad.xlsx")
    with pytest.raises(TableError, match="không phải bảng tính"):
        read_table(bytes(range(256)) * 4, "image.png")


def _fake_encrypted_ooxml() -> bytes:
    """What Excel writes for a password-protected .xlsx: a Compound File Binary container (signature
    D0 CF 11 E0 A1 B1 1A E1) whose directory holds the streams "EncryptionInfo" and
    "EncryptedPackage" (names in UTF-16LE). Only those features are reproduced here; the test
    below with msoffcrypto-tool uses a genuinely encrypted file."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00") + "EncryptedPackage".encode("utf-16-le").ljust(
        128, b"\x00"
    )
    return header + directory + b"\x00" * 1024


def test_password_protected_xlsx_constructed():
    with pytest.raises(TableError, match="mật khẩu"):
        read_table(_fake_encrypted_ooxml(), "ds.xlsx")


def test_password_protected_xlsx_real(tmp_path):
    from msoffcrypto.format import ooxml  # a hard dependency (encrypted exports): never skipped
    plain = write_xlsx(tmp_path / "ds.xlsx", {"DS": workbook_rows()})
    encrypted = io.BytesIO()
    with open(plain, "rb") as handle:
        ooxml.OOXMLFile(handle).encrypt("matkhau", encrypted)
    with pytest.raises(TableError, match="mật khẩu"):
        read_table(encrypted.getvalue(), "ds.xlsx")


def test_missing_file(tmp_path):
    with pytest.raises(TableError, match="Không mở được"):
        read_table(tmp_path / "khong-co.xlsx", "khong-co.xlsx")


def test_csv_cannot_have_a_sheet():
    with pytest.raises(TableError, match="không có trang tính"):
        read_table("Họ và tên,Ngày sinh\nA,01/01/2015\n".encode(), "ds.csv", sheet="DS")


# ---------------------------------------------------------------- header mapping


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Họ và tên", c.FULL_NAME),
        ("Họ tên", c.FULL_NAME),
        ("Họ, tên", c.FULL_NAME),
        ("HỌ VÀ TÊN TRẺ", c.FULL_NAME),
        ("Họ và tên trẻ em (viết hoa)", c.FULL_NAME),
        ("Ngày sinh", c.BIRTH_DATE),
        ("Ngày, tháng, năm sinh", c.BIRTH_DATE),
        ("Ngày tháng năm sinh", c.BIRTH_DATE),
        ("Ngày sinh (dd/mm/yyyy)", c.BIRTH_DATE),
        ("Số định danh cá nhân", c.PERSONAL_ID),
        ("Mã định danh", c.PERSONAL_ID),
        ("Số CCCD", c.PERSONAL_ID),
        ("Số ĐDCN", c.PERSONAL_ID),
        ("so dinh danh", c.PERSONAL_ID),
        ("Giới tính", c.SEX),
        ("Nam/Nữ", c.SEX),
        ("Dân tộc", c.ETHNICITY),
        ("Thôn", c.VILLAGE),
        ("Ấp", c.VILLAGE),
        ("Bản", c.VILLAGE),
        ("Thôn/bản/ấp", c.VILLAGE),
        ("Tổ dân phố", c.VILLAGE),
        ("Địa chỉ", c.ADDRESS),
        ("Họ tên cha/mẹ/người chăm sóc", c.CARER_NAME),
        ("Họ tên mẹ", c.CARER_NAME),
        ("Người giám hộ", c.CARER_NAME),
        ("Số điện thoại", c.CARER_PHONE),
        ("SĐT cha mẹ", c.CARER_PHONE),
        ("Số điện thoại của người chăm sóc", c.CARER_PHONE),
        ("Trường", c.SCHOOL),
        ("Lớp", c.GRADE),
        ("Đã đăng ký khai sinh", c.BIRTH_REGISTERED),
        ("Khuyết tật", c.DISABILITY),
        ("Ghi chú", c.NOTES),
    ],
)
def test_match_header_variants(header, field):
    assert match_header(header) == field


def test_map_headers_unknown_ignored_and_duplicates():
    headers = ["STT", "Họ và tên", "Ngày sinh", "Lý do", "", "Họ tên cha", "Họ tên mẹ"]
    mapping, unknown = map_headers(headers)
    assert mapping == {1: c.FULL_NAME, 2: c.BIRTH_DATE, 5: c.CARER_NAME}
    assert unknown == ["Lý do", "Họ tên mẹ"]  # the second carer column: the user decides


def test_map_headers_overrides_from_the_user():
    headers = ["Họ và tên", "Ngày sinh", "Lý do", "Họ tên cha", "Họ tên mẹ"]
    overrides = {"lý do": c.NOTES, "Họ tên cha": None, "HỌ TÊN MẸ": c.CARER_NAME}
    mapping, unknown = map_headers(headers, overrides)
    assert mapping == {0: c.FULL_NAME, 1: c.BIRTH_DATE, 2: c.NOTES, 4: c.CARER_NAME}
    assert unknown == []


def test_missing_required():
    assert missing_required({0: c.FULL_NAME}) == [c.SEX, c.BIRTH_DATE]
    assert missing_required({0: c.FULL_NAME, 1: c.BIRTH_DATE, 2: c.MALE_MARK, 3: c.FEMALE_MARK}) == []


def test_excel_unicode_text_export_utf16_tabs():
    # Excel's "Unicode Text (*.txt)": UTF-16 with a byte-order mark, tab separated.
    text = "\r\n".join("\t".join(str(v) for v in row) for row in [HEADER, *DATA_ROWS])
    table = read_table(text.encode("utf-16"), "ds.txt")
    assert table.details == {"encoding": "utf-16", "delimiter": "\t"}
    assert table.rows[2].values[1] == "Lý Thị Mẩy"
