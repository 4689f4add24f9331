"""The registry commands: import-children (--json, with and without --commit), generate-children,
check-children-age, load-registry-reference."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    csv_bytes,
    pid,
    reference_fixture,
    rows_for_file,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.registry.models import Child, CircumstanceGroup

B = years_ago(6)
ROWS = rows_for_file([
    ("Nguyễn Văn Đức", B, "Nam", "Kinh", pid("M", B, 1), "Bản 1", "Nguyễn Thị Hoa", "0912345678"),
    ("Lò Thị Ơn", B, "Nữ", "Thái", "12345", "Bản 2", "", ""),
    ("", B, "Nam", "Thái", "", "Bản 2", "", ""),
])


def run_json(*args) -> dict:
    out = StringIO()
    call_command("import_children", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_import_children_json_without_and_with_commit(tmp_path, commune_x, reference):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes(ROWS))
    result = run_json(str(path), "--commune", commune_x.code)
    assert result["committed"] is False and not Child.objects.exists()
    assert [(r["row"], r["action"]) for r in result["rows"]] == [(2, "create"), (3, "create"), (4, "reject")]
    assert any("12 chữ số" in w for w in result["rows"][1]["warnings"])
    assert result["rows"][2]["errors"] == ["Dòng 4, cột 'Họ và tên': thiếu họ và tên"]
    assert result["summary"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 1, "total": 3, "warnings": 2}

    result = run_json(str(path), "--commune", commune_x.code, "--commit")
    assert result["committed"] is True and Child.objects.count() == 2
    assert Child.objects.get(name_folded="lo thi on").quality_flags == ["id_length"]
    event = AuditEvent.objects.get(action="registry.import.commit")
    assert event.actor_label == "system" and event.summary["create"] == 2 and event.summary["file"] == "ds.csv"
    assert Child.objects.filter(import_batch_id=event.object_id).count() == 2

    again = run_json(str(path), "--commune", commune_x.code, "--commit")
    assert again["summary"]["unchanged"] == 2 and Child.objects.count() == 2


def test_import_children_reports_bad_input_as_json(tmp_path, commune_x, reference):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"PK\x03\x04broken")
    out = StringIO()
    with pytest.raises(SystemExit) as stop:
        call_command("import_children", str(path), "--commune", commune_x.code, "--json", stdout=out)
    assert stop.value.code == 2 and "bị hỏng" in json.loads(out.getvalue())["error"]
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_children", str(path), "--commune", "99999", "--json", stdout=out)
    assert "99999" in json.loads(out.getvalue())["error"]


def test_import_children_maps_unknown_headers(tmp_path, commune_x, reference):
    path = tmp_path / "la.csv"
    path.write_text("Tên khai sinh;Sinh nhật;Phái\nLò Văn Sơn;01/02/2018;Nam\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_children", str(path), "--commune", commune_x.code, "--json", stdout=out)
    assert json.loads(out.getvalue())["missing_fields"] == ["full_name", "birth_date"]
    result = run_json(str(path), "--commune", commune_x.code, "--map", "Tên khai sinh=full_name",
                      "--map", "Sinh nhật=birth_date", "--map", "Phái=sex")
    assert result["summary"]["create"] == 1


def test_treem_script_runs_import_children(tmp_path, commune_x, reference, capsys):
    from treem.cli import main

    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes(ROWS))
    main(["treem", "import-children", str(path), "--commune", commune_x.code])
    assert "3 dòng: 2 thêm mới" in capsys.readouterr().out


def test_generate_children_to_a_file_and_into_the_database(tmp_path, reference, commune_x):
    out_file = tmp_path / "lai-chau.csv"
    call_command("generate_children", "--province", "12", "--count", "200", "--seed", "3", "--out", str(out_file),
                 stdout=StringIO())
    with out_file.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][1] == "Họ và tên" and len(rows) == 201 and not Child.objects.exists()
    result = run_json(str(out_file), "--commune", commune_x.code)
    assert result["summary"]["total"] == 200 and result["summary"]["create"] >= 190
    call_command("generate_children", "--province", "12", "--count", "300", "--commune", commune_x.code,
                 stdout=StringIO())
    assert Child.objects.filter(commune=commune_x, source="synthetic").count() == 300


def test_check_children_age_and_reference_commands(reference):
    out = StringIO()
    call_command("check_children_age", stdout=out)
    assert "0 children turned 16" in out.getvalue()
    out = StringIO()
    call_command("load_registry_reference", stdout=out)
    assert "up to date" in out.getvalue() and CircumstanceGroup.objects.count() == 14
