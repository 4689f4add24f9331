"""The layering contracts of pyproject.toml's [tool.importlinter] hold (issue 11): the foundation (core, geo, accounts,
audit) imports no domain app, plans stands apart from the register and cases, nothing but privacy imports privacy.
The audit log's bulk writer once imported the register's COPY helper; this test is what caught it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), "make setup installs import-linter (requirements.lock)"
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
