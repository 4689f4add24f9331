"""The register import plugged into the import pipeline (registry.imports.pipeline.RegisterImport), with real XLSX
files: the same checks and writes as the batch flow, through the pipeline's gate, stages, jobs and report."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    csv_bytes,
    reference_fixture,
    rows_for_file,
    xlsx_bytes,
    years_ago,
)
from tests.registry.test_import import BAD, GOOD
from treem.audit.models import AuditEvent
from treem.core import pipeline
from treem.core.exceptions import NotAllowed
from treem.core.models import ImportRun, ImportStage, Job, JobStatus
from treem.core.uploads import UploadRefused
from treem.registry.imports import ACTIONS, plan_import, read_file
from treem.registry.imports.pipeline import RegisterImport, as_pipeline_plan
from treem.registry.models import Child

pytestmark = pytest.mark.django_db


def test_an_xlsx_goes_through_the_pipeline_into_the_register(worker_x, commune_x, tmp_path, reference):
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD + BAD))
    run = pipeline.upload(RegisterImport(), actor=worker_x, file=SimpleUploadedFile("ds.xlsx", content),
                          unit=commune_x)
    run.refresh_from_db()
    assert run.stage == ImportStage.PLANNED and not Child.objects.exists()
    assert {k: run.summary[k] for k in ("create", "update", "unchanged", "reject", "total")} == {
        "create": 3, "update": 0, "unchanged": 0, "reject": 3, "total": 6}
    assert [row for row, _cells, _reasons in run.rejected] == [7, 8, 9]
    assert "thiếu họ và tên" in run.rejected[0][2][0]

    pipeline.commit(RegisterImport(), actor=worker_x, run=run)
    run.refresh_from_db()
    assert run.stage == ImportStage.COMMITTED and Child.objects.filter(commune=commune_x).count() == 3
    duc = Child.objects.get(name_folded="nguyen van duc")
    assert duc.full_name == "Nguyễn Văn Đức" and duc.source == "import"
    assert AuditEvent.objects.filter(action="registry.import.commit").exists()
    assert AuditEvent.objects.filter(action="core.import.commit", object_id=str(run.pk)).exists()
    sheet = openpyxl.load_workbook(io.BytesIO(pipeline.rejected_xlsx(run, actor=worker_x))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng" and rows[0][-1] == "Lỗi" and [r[0] for r in rows[1:]] == [7, 8, 9]

    # The same file again: every row unchanged, nothing written.
    again = pipeline.upload(RegisterImport(), actor=worker_x, file=SimpleUploadedFile("lan2.xlsx", content),
                            unit=commune_x)
    again.refresh_from_db()
    assert again.summary["unchanged"] == 3 and again.summary["create"] == 0


def test_the_register_refuses_at_the_gate_and_outside_the_commune(worker_x, commune_x, commune_y, tmp_path,
                                                                  reference):
    with pytest.raises(UploadRefused):  # a text file named .xlsx
        pipeline.upload(RegisterImport(), actor=worker_x, file=SimpleUploadedFile("ds.xlsx", b"Ho ten\nA\n"),
                        unit=commune_x)
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD))
    with pytest.raises(NotAllowed):
        pipeline.upload(RegisterImport(), actor=worker_x, file=SimpleUploadedFile("ds.xlsx", content),
                        unit=commune_y)
    assert not ImportRun.objects.exists()


def test_a_large_register_file_is_checked_and_saved_by_jobs(worker_x, commune_x, tmp_path, reference, settings,
                                                            django_capture_on_commit_callbacks):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 0
    content = xlsx_bytes(tmp_path, rows_for_file(GOOD))
    with django_capture_on_commit_callbacks(execute=True):
        run = pipeline.upload(RegisterImport(), actor=worker_x, file=SimpleUploadedFile("ds.xlsx", content),
                              unit=commune_x)
    run.refresh_from_db()
    assert run.stage == ImportStage.PLANNED and Job.objects.get(pk=run.job_id).status == JobStatus.DONE
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.commit(RegisterImport(), actor=worker_x, run=run)
    run.refresh_from_db()
    assert run.stage == ImportStage.COMMITTED and Child.objects.filter(commune=commune_x).count() == 3


NAMES = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxy ÀÁẢÃẠàáảãạ", min_size=0, max_size=12)
ROW = st.tuples(NAMES, st.sampled_from([years_ago(1), years_ago(5), years_ago(17), years_ago(40)]),
                st.sampled_from(["Nam", "Nữ", "", "x"]), st.sampled_from(["Kinh", "Thái", ""]),
                st.sampled_from(["", "012345678901", "0123"]), st.just("Bản 1"), NAMES, st.just(""))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, min_size=1, max_size=8))
def test_the_planner_accounts_for_every_row_once(commune_x, reference, rows):
    """Whatever the rows, every row gets one action; the pipeline's plan counts them the same; a rejected row has a
    reason; no two rows create the same child (name and birth date) or give out one personal ID twice."""
    content = csv_bytes(rows_for_file(rows))
    table = read_file(content, "ds.csv")
    made = plan_import(table, commune_x, content=content)
    assert len(made.rows) == len(table.rows) and all(row.action in ACTIONS for row in made.rows)
    plan = as_pipeline_plan(made, table)
    summary = plan.summary()
    assert summary["total"] == len(made.rows)
    assert {k: summary[k] for k in ("create", "update", "unchanged", "reject")} == {
        k: made.summary()[k] for k in ("create", "update", "unchanged", "reject")}
    assert all(r.reasons for r in plan.rejected)
    created = [(row.folded, row.values["birth_date"]) for row in plan.create]
    assert len(created) == len(set(created))
    ids = [row.values["personal_id"] for row in plan.create if row.values.get("personal_id")]
    assert len(ids) == len(set(ids))
