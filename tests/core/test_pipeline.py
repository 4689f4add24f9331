"""The import pipeline (treem.core.pipeline) with a toy module: a CSV of holidays (date, name) into CalendarDay.

The toy's parts are real code running on the real database: the gate, the stored run, the jobs (immediate backend),
the transaction and the audit log are the pipeline's own."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.access import Capability, require
from treem.audit.models import AuditEvent
from treem.core import pipeline
from treem.core.exceptions import NotAllowed
from treem.core.models import CalendarDay, ImportRun, ImportStage, Job, JobStatus
from treem.core.uploads import UploadRefused

pytestmark = pytest.mark.django_db


class Holidays(pipeline.Importer):
    kind = "test.holidays"
    extensions = frozenset({".csv"})
    max_bytes = 2000
    background_above = 10_000_000  # at once

    def require(self, actor, unit):
        require(actor, Capability.EDIT_CHILDREN, unit)

    def read(self, step):
        rows = list(csv.reader(io.StringIO(step.content.decode())))
        if not rows or rows[0] != ["Ngày", "Tên"]:
            raise pipeline.ImportProblem("Tệp không có cột Ngày, Tên.")
        step.progress(len(rows) - 1, len(rows) - 1, "read")
        return rows[0], [(number, row) for number, row in enumerate(rows[1:], start=2)]

    def plan(self, records, step):
        headers, rows = records
        existing = dict(CalendarDay.objects.values_list("day", "name"))
        plan = pipeline.Plan(headers=headers)
        seen = set()
        for number, cells in rows:
            reasons = []
            try:
                day = date(*reversed([int(part) for part in cells[0].split("/")]))
            except (ValueError, TypeError, IndexError):
                day, reasons = None, [f"Dòng {number}: ngày không hợp lệ."]
            if day in seen:
                reasons.append(f"Dòng {number}: ngày lặp lại.")
            if len(cells) < 2 or not cells[1].strip():
                reasons.append(f"Dòng {number}: thiếu tên.")
            if reasons:
                plan.rejected.append(pipeline.Rejected(number, cells, reasons))
                continue
            seen.add(day)
            if day not in existing:
                plan.create.append((day, cells[1]))
            elif existing[day] != cells[1]:
                plan.update.append((day, cells[1]))
            else:
                plan.unchanged += 1
        return plan

    def write(self, plan, step):
        for day, name in plan.create + plan.update:
            CalendarDay.objects.update_or_create(day=day, defaults={"name": name})
            if name == "NỔ":  # a writer that fails halfway
                raise RuntimeError("boom")
        return {"written": len(plan.create) + len(plan.update)}


class HolidaysInBackground(Holidays):
    background_above = 0


def _file(text: str, name: str = "ngay-nghi.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


GOOD = "Ngày,Tên\n01/01/2031,Tết Dương lịch\n30/04/2031,Giải phóng\n99/99/2031,Sai\n01/05/2031,\n"


def test_a_file_goes_through_every_stage_and_the_rejected_rows_come_back(worker_x, commune_x):
    CalendarDay.objects.create(day=date(2031, 4, 30), name="Cũ")
    run = pipeline.upload(Holidays(), actor=worker_x, file=_file(GOOD), unit=commune_x)
    run.refresh_from_db()
    assert run.stage == ImportStage.PLANNED
    assert run.summary == {"create": 1, "update": 1, "unchanged": 0, "reject": 2, "total": 4}
    assert run.rejected == [[4, ["99/99/2031", "Sai"], ["Dòng 4: ngày không hợp lệ."]],
                            [5, ["01/05/2031", ""], ["Dòng 5: thiếu tên."]]]
    assert not CalendarDay.objects.filter(day=date(2031, 1, 1)).exists()  # planning writes nothing

    pipeline.commit(Holidays(), actor=worker_x, run=run)
    run.refresh_from_db()
    assert run.stage == ImportStage.COMMITTED and run.result == {"written": 2}
    assert CalendarDay.objects.get(day=date(2031, 4, 30)).name == "Giải phóng"
    actions = list(AuditEvent.objects.filter(object_id=str(run.pk)).order_by("at", "id")
                   .values_list("action", flat=True))
    assert actions == ["core.import.upload", "core.import.plan", "core.import.commit"]

    with pytest.raises(pipeline.WrongStage):  # committed is final
        pipeline.commit(Holidays(), actor=worker_x, run=run)
    with pytest.raises(pipeline.WrongStage):
        pipeline.replan(Holidays(), actor=worker_x, run=run)


def test_refusals_at_the_gate_keep_nothing(worker_x, commune_x, make_user, commune_y):
    cases = [(_file("MZ\x00\x01binary", "virus.exe"), "file_type"),
             (_file("", "rong.csv"), "file_empty"),
             (_file(GOOD * 100), "file_size"),
             (SimpleUploadedFile("ngay.csv", b"\x00\x01\x02\x03" * 10), "file_content")]
    for upload, code in cases:
        with pytest.raises(UploadRefused) as refused:
            pipeline.upload(Holidays(), actor=worker_x, file=upload, unit=commune_x)
        assert refused.value.code == code
    with pytest.raises(NotAllowed):  # another commune's worker
        pipeline.upload(Holidays(), actor=worker_x, file=_file(GOOD), unit=commune_y)
    assert not ImportRun.objects.exists() and not AuditEvent.objects.filter(action__startswith="core.import").exists()


def test_a_file_that_cannot_be_read_fails_with_its_reason(worker_x, commune_x):
    run = pipeline.upload(Holidays(), actor=worker_x, file=_file("a,b\n1,2\n"), unit=commune_x)
    run.refresh_from_db()
    assert run.stage == ImportStage.FAILED and run.error == "Tệp không có cột Ngày, Tên."
    assert AuditEvent.objects.filter(action="core.import.fail", object_id=str(run.pk)).exists()
    with pytest.raises(pipeline.WrongStage):
        pipeline.commit(Holidays(), actor=worker_x, run=run)
    with pytest.raises(pipeline.WrongStage):  # nor by a job asked to save it: it stays failed
        pipeline.commit_run(run, actor=worker_x)
    run.refresh_from_db()
    assert run.stage == ImportStage.FAILED


def test_a_writer_failure_leaves_nothing_half_written(worker_x, commune_x):
    text = "Ngày,Tên\n01/01/2031,Tết\n02/01/2031,Nghỉ bù\n03/01/2031,NỔ\n04/01/2031,Sau\n"
    run = pipeline.upload(Holidays(), actor=worker_x, file=_file(text), unit=commune_x)
    with pytest.raises(RuntimeError):
        pipeline.commit(Holidays(), actor=worker_x, run=run)
    assert not CalendarDay.objects.filter(day__year=2031).exists()  # the first two rows were rolled back
    run.refresh_from_db()
    assert run.stage == ImportStage.PLANNED and run.error  # ready to be tried again, with what went wrong
    assert not AuditEvent.objects.filter(action="core.import.commit").exists()
    assert AuditEvent.objects.filter(action="core.import.fail", object_id=str(run.pk)).exists()


def test_read_plan_and_commit_run_as_jobs_with_progress(worker_x, commune_x, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = pipeline.upload(HolidaysInBackground(), actor=worker_x, file=_file(GOOD), unit=commune_x)
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    assert job.kind == "test.holidays.plan" and job.status == JobStatus.DONE and job.done == 4
    assert run.stage == ImportStage.PLANNED and run.summary["create"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        queued = pipeline.commit(HolidaysInBackground(), actor=worker_x, run=run)
    assert queued.stage == ImportStage.COMMITTING
    run.refresh_from_db()
    assert run.stage == ImportStage.COMMITTED and CalendarDay.objects.filter(day__year=2031).count() == 2
    assert Job.objects.get(pk=run.job_id).status == JobStatus.DONE
    # The commit job run again (a retry after the worker stopped) writes nothing twice.
    pipeline.run_commit(Job.objects.get(pk=run.job_id), str(run.pk))
    assert AuditEvent.objects.filter(action="core.import.commit", object_id=str(run.pk)).count() == 1


def test_rejected_rows_download_neutralises_formulas(worker_x, commune_x):
    text = 'Ngày,Tên\n=1+1,"=HYPERLINK(""http://x"",""bấm"")"\n01/02/2031,@SUM(A1)\n02/02/2031,\n'
    run = pipeline.upload(Holidays(), actor=worker_x, file=_file(text), unit=commune_x)
    run.refresh_from_db()
    content = pipeline.rejected_xlsx(run, actor=worker_x)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Dòng", "Ngày", "Tên", "Lỗi"]
    assert rows[1] == [2, "'=1+1", "'=HYPERLINK(\"http://x\",\"bấm\")", "Dòng 2: ngày không hợp lệ."]
    assert rows[2][0] == 4 and rows[2][3] == "Dòng 4: thiếu tên."
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEvent.objects.filter(action="core.import.rejected_download", object_id=str(run.pk)).exists()


STAGES = list(ImportStage.values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(STAGES), max_size=12))
def test_the_state_machine_only_takes_its_transitions(steps):
    run = ImportRun(stage=ImportStage.UPLOADED)
    for to in steps:
        before = run.stage
        if to in pipeline.TRANSITIONS[before]:
            pipeline.move(run, to)
            assert run.stage == to
        else:
            with pytest.raises(pipeline.WrongStage):
                pipeline.move(run, to)
            assert run.stage == before
    assert run.stage != ImportStage.COMMITTED or not pipeline.TRANSITIONS[run.stage]
