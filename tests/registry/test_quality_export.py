import csv
import io
from datetime import date

import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from treem.registry.quality.export import ERROR_COLUMN, neutralise, write_csv, write_rejected_rows, write_xlsx
from treem.registry.quality.rows import validate_row

DANGEROUS = ("=", "+", "-", "@")


def xlsx_cells(data: bytes) -> list[list[object]]:
    workbook = python_calamine.load_workbook(io.BytesIO(data))
    return workbook.get_sheet_by_index(0).to_python()


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_neutralise():
    assert neutralise("=1+2") == "'=1+2"
    assert neutralise("+84912345678") == "'+84912345678"
    assert neutralise("-5") == "'-5"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("\r=1") == "'\r=1"
    assert neutralise("Nguyễn Văn A") == "Nguyễn Văn A"
    assert neutralise(5) == 5


def test_xlsx_keeps_types_and_neutralises_text():
    stream = io.BytesIO()
    write_xlsx([['=HYPERLINK("http://x")', date(2015, 3, 4), 7, "Lò Văn Páo"]], ["A", "B", "C", "=D"], stream)
    rows = xlsx_cells(stream.getvalue())
    assert rows[0] == ["A", "B", "C", "'=D"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', date(2015, 3, 4), 7.0, "Lò Văn Páo"]
    # no formula at all in the file
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_has_bom_and_day_first_dates(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(
        [{"Họ và tên": "Nguyễn Văn A", "Ngày sinh": date(2015, 3, 4), "Ghi chú": "-hết-"}],
        ["Họ và tên", "Ngày sinh", "Ghi chú"],
        path,
    )
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert csv_cells(data) == [["Họ và tên", "Ngày sinh", "Ghi chú"], ["Nguyễn Văn A", "04/03/2015", "'-hết-"]]


def test_xlsx_to_path(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx([{"Tên": "A"}], ["Tên"], path)
    assert xlsx_cells(path.read_bytes()) == [["Tên"], ["A"]]


def test_rejected_rows_keep_everything_and_add_the_errors(tmp_path):
    headers = ["STT", "Họ và tên", "Ngày sinh"]
    original = [[1, "", "01/01/2015"], [2, "Trần Thị B", "12/05/2031", "ô thừa"]]
    issues = [
        validate_row({"full_name": r[1], "birth_date": r[2], "sex": "Nữ"}, date(2025, 6, 1), 5 + i).errors
        for i, r in enumerate(original)
    ]
    out_headers, out_rows = write_rejected_rows(headers, zip(original, issues, strict=True))
    assert out_headers == ["STT", "Họ và tên", "Ngày sinh", "", ERROR_COLUMN]
    assert out_rows[0][:4] == [1, "", "01/01/2015", ""]
    assert out_rows[0][4] == "Dòng 5, cột 'Họ và tên': thiếu họ và tên"
    assert out_rows[1][:4] == [2, "Trần Thị B", "12/05/2031", "ô thừa"]
    assert "ở tương lai" in out_rows[1][4]
    stream = io.BytesIO()
    write_xlsx(out_rows, out_headers, stream)
    assert xlsx_cells(stream.getvalue())[0][-1] == "Lỗi"


def test_rejected_rows_accept_plain_text_errors():
    headers, rows = write_rejected_rows(["A"], [(["x"], ["lỗi 1", "lỗi 2"])])
    assert headers == ["A", "Lỗi"]
    assert rows == [["x", "lỗi 1; lỗi 2"]]


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]).map(lambda s: s + "x"),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=5),
    st.lists(st.text(max_size=6), min_size=1, max_size=4),
)
def test_no_written_text_starts_with_a_formula_character(rows, headers):
    stream = io.BytesIO()
    write_csv(rows, headers, stream)
    for row in csv_cells(stream.getvalue()):
        for cell in row:
            assert not cell.startswith(DANGEROUS), cell

    stream = io.BytesIO()
    write_xlsx(rows, headers, stream)
    for row in xlsx_cells(stream.getvalue()):
        for cell in row:
            if isinstance(cell, str):
                assert not cell.startswith(DANGEROUS), cell
