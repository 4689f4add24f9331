"""A plan document, a task or a round never takes its reports with it: deleting a document whose tasks have progress
reports, or a submission that was accepted, is refused by the database layer (ProtectedError), not only by the
screens. What may be withdrawn is withdrawn by a status through a service."""

from datetime import date

import pytest
from django.db.models import ProtectedError

from treem.plans import services
from treem.plans.models import Document, DocumentType, SubmissionEvent, TaskRole, TaskUpdate
from treem.plans.rounds import round_create, submission_accept, submission_save, submission_start, submission_submit

from .conftest import agency


def test_a_document_whose_tasks_have_reports_cannot_be_deleted(world, an_giang):
    officer, reporter, health = world.user("tinh.angiang"), world.user("soyte.angiang"), agency("91", "Sở Y tế")
    document = services.document_create(actor=officer, data={
        "doc_type": DocumentType.PLAN, "number": "77/KH-UBND", "issued_on": date(2026, 3, 2), "province": an_giang,
        "title": "Kế hoạch phòng, chống đuối nước trẻ em năm 2026"})
    task = services.task_create(actor=officer, document=document, text="Dạy bơi an toàn cho trẻ em",
                                agencies=[(health, TaskRole.LEAD, "Sở Y tế")])
    report = services.task_update_create(actor=reporter, task=task, text="Đã tổ chức 12 lớp dạy bơi.",
                                         status="in_progress")
    with pytest.raises(ProtectedError):
        Document.objects.filter(pk=document.pk).delete()
    with pytest.raises(ProtectedError):
        task.delete()
    assert TaskUpdate.objects.filter(pk=report.pk).exists()


def test_an_accepted_submission_and_its_history_cannot_be_deleted(world, an_giang):
    officer, reporter, health = world.user("tinh.angiang"), world.user("soyte.angiang"), agency("91", "Sở Y tế")
    document = world.document("234/KH-UBND")
    round_ = round_create(actor=officer, document=document, province=an_giang, title="Báo cáo năm 2026",
                          period_year=2026, deadline=date(2026, 11, 30), agencies=[health], focal_agency=health)
    submission = submission_start(actor=reporter, round_=round_, agency=health)
    submission_save(actor=reporter, submission=submission, text="Kết quả năm 2026")
    submission = submission_submit(actor=reporter, submission=submission)
    submission = submission_accept(actor=officer, submission=submission)
    for delete in (document.delete, round_.delete, submission.delete):
        with pytest.raises(ProtectedError):
            delete()
    assert SubmissionEvent.objects.filter(submission=submission).count() >= 2
