"""`treem parse-plan FILE --json` prints exactly the parser's JSON; a file it cannot read exits non-zero with a
Vietnamese message."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from treem.plans.parser import parse_plan_file

from .conftest import SEED_001, SEED_002

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("seed", [SEED_001, SEED_002])
def test_parse_plan_json_is_the_parsers_contract(seed):
    out = StringIO()
    call_command("parse_plan", str(seed), "--json", stdout=out)
    printed = out.getvalue()
    data = json.loads(printed)
    assert data == parse_plan_file(seed).to_json()
    assert list(data) == ["document", "implements", "targets", "tasks", "deadlines", "warnings"]
    assert "Sở Lao động - Thương binh và Xã hội" in printed  # ensure_ascii=False: Vietnamese as written


def test_parse_plan_summary_without_json():
    out = StringIO()
    call_command("parse_plan", str(SEED_001), stdout=out)
    assert "3452/UBND-VX" in out.getvalue() and "Chỉ tiêu: 10" in out.getvalue()


def test_an_unreadable_file_is_an_error_in_vietnamese(tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a word file")
    with pytest.raises(CommandError) as error:
        call_command("parse_plan", str(broken), "--json", stdout=StringIO())
    assert "DOCX" in str(error.value) or "Word" in str(error.value)
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("parse_plan", str(tmp_path / "khong-co.pdf"), stdout=StringIO())


def test_the_treem_script_exits_non_zero(tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a word file")
    run = subprocess.run([sys.executable, "-m", "treem.cli", "parse-plan", str(broken), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin",
                              "TREEM_VAR_DIR": str(tmp_path)})
    assert run.returncode != 0 and run.stdout == ""
    assert "CommandError" in run.stderr or "DOCX" in run.stderr
