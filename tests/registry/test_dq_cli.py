"""`treem find-duplicates FILE --json`: the matcher on a spreadsheet in the import format, outside the database."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.registry.quality_files import write_xlsx

ROOT = Path(__file__).resolve().parents[2]
TREEM = Path(sys.executable).with_name("treem")


def register_file(tmp_path) -> Path:
    return write_xlsx(tmp_path / "danh-sach.xlsx", {"Danh sách": [
        ["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI - XÃ BÌNH LƯ"],
        [],
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Họ tên cha/mẹ/người chăm sóc"],
        [1, "Nguyễn Văn Đức", date(2017, 3, 4), "Nam", "012217000011", "Trần Thị Hoa"],
        [2, "Lò Thị Ơn", date(2016, 5, 6), "Nữ", "", "Lò Thị Xoan"],
        [3, "Nguyen Van Duc", "04/03/2017", "nam", "", "Tran Thi Hoa"],
        [4, "Lò Văn Minh", date(2018, 5, 6), "Nam", "", "Lò Thị Ơn"],
        [5, "Lò Văn Long", date(2018, 5, 6), "Nam", "", "Lò Thị Ơn"],
    ]})


def test_the_treem_command_prints_pairs_as_json_with_row_numbers(tmp_path):
    assert TREEM.exists(), "make setup installs the treem console script into .venv/bin"
    completed = subprocess.run([str(TREEM), "find-duplicates", str(register_file(tmp_path)), "--json"],
                               cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
                               env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert [(p["row_a"], p["row_b"]) for p in result["pairs"]] == [(4, 6)]  # spreadsheet rows; twins left apart
    assert 0.9 <= result["pairs"][0]["probability"] <= 1 and "mức nền" in result["pairs"][0]["explanation"]
    assert result["summary"]["rows_compared"] == 5 and result["summary"]["header_row"] == 3


def test_the_command_reports_errors_in_vietnamese(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("find_duplicates", str(tmp_path / "khong-co.xlsx"), "--json")
    assert "Không mở được tệp" in json.loads(capsys.readouterr().out)["error"]
    call_command("find_duplicates", str(register_file(tmp_path)))
    assert "Dòng 4 và dòng 6" in capsys.readouterr().out
