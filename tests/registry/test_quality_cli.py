"""python -m treem.registry.quality find-duplicates FILE --json, on real files."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.registry.quality_files import write_ods, write_xlsx
from treem.registry.quality.__main__ import main
from treem.registry.quality.synthetic import generate_children

ROOT = Path(__file__).resolve().parents[2]
HEADER = [
    "STT",
    "Họ và tên",
    "Ngày, tháng, năm sinh",
    "Giới tính",
    "Dân tộc",
    "Số ĐDCN",
    "Thôn/bản",
    "Họ tên cha/mẹ/người chăm sóc",
]


def commune_file(tmp_path, writer=write_xlsx, suffix="xlsx"):
    records, truth = generate_children(80, ["03592"], 12, seed=21, planted_duplicates=5)
    rows = [["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI"], [], HEADER]
    row_of = {}
    for number, r in enumerate(records, start=1):
        row_of[r["id"]] = len(rows) + 1  # spreadsheet row number of this record
        rows.append(
            [
                number,
                r["full_name"],
                r["birth_date"],
                "Nam" if r["sex"] == "M" else "Nữ",
                r["ethnicity"],
                r["personal_id"] or "",
                r["village"],
                r["carer_name"],
            ]
        )
    rows.append([99, "", "01/01/2015", "Nam"])  # a row without a name is skipped
    path = writer(tmp_path / f"ds.{suffix}", {"Danh sách": rows})
    expected = {frozenset((row_of[a], row_of[b])) for a, b in truth}
    return path, expected


def test_json_output_lists_planted_pairs_by_row_number(tmp_path, capsys):
    path, expected = commune_file(tmp_path)
    assert main(["find-duplicates", str(path), "--json", "--today", "2025-06-01"]) == 0
    result = json.loads(capsys.readouterr().out)
    found = {frozenset((p["row_a"], p["row_b"])) for p in result["pairs"]}
    assert found == expected
    for pair in result["pairs"]:
        assert pair["row_a"] < pair["row_b"]
        assert 0.9 <= pair["probability"] <= 1
        assert "mức nền" in pair["explanation"]
    summary = result["summary"]
    assert summary["rows_read"] == 86 and summary["rows_compared"] == 85 and summary["rows_without_name"] == 1
    assert summary["pairs_found"] == len(expected)
    assert summary["header_row"] == 3 and summary["sheet"] == "Danh sách"
    assert summary["unknown_headers"] == []


def test_ods_and_text_output(tmp_path, capsys):
    path, expected = commune_file(tmp_path, write_ods, "ods")
    assert main(["find-duplicates", str(path), "--today", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert f"tìm thấy {len(expected)} cặp" in out
    assert out.count("- Dòng ") == len(expected)


def test_errors_are_reported_in_vietnamese(tmp_path, capsys):
    path, _ = commune_file(tmp_path)
    assert main(["find-duplicates", str(path), "--sheet", "Không có", "--json"]) == 2
    assert "không có trang tính 'Không có'" in json.loads(capsys.readouterr().out)["error"]
    empty = tmp_path / "trong.csv"
    empty.write_bytes(b"")
    assert main(["find-duplicates", str(empty)]) == 2
    assert "trống" in capsys.readouterr().err
    no_names = write_xlsx(tmp_path / "x.xlsx", {"DS": [["Ngày sinh", "Giới tính"], ["01/01/2015", "Nam"]]})
    assert main(["find-duplicates", str(no_names)]) == 2
    assert "Họ và tên" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path):
    path = write_xlsx(
        tmp_path / "ds.xlsx",
        {
            "DS": [
                ["Họ và tên", "Ngày sinh", "Giới tính", "Họ tên mẹ"],
                ["Nguyễn Văn An", date(2015, 3, 4), "Nam", "Trần Thị Hoa"],
                ["Nguyen Van An", "04/03/2015", "nam", "Tran Thi Hoa"],
                ["Lê Thị Bình", date(2016, 5, 6), "Nữ", "Phạm Thị Cúc"],
            ]
        },
    )
    completed = subprocess.run(
        [sys.executable, "-m", "treem.registry.quality", "find-duplicates", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(completed.stdout)
    assert [(p["row_a"], p["row_b"]) for p in result["pairs"]] == [(2, 3)]
