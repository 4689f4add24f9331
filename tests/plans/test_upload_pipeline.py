"""The plan upload on the import pipeline: a large file is read by a background job with progress, then the review
page; a file that cannot be imported says why on the upload's page. (Small files: test_views, read at once.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from treem.audit.models import AuditEvent
from treem.core.models import ImportRun, ImportStage, Job, JobStatus
from treem.plans.models import PlanDraft

from .conftest import SEED_001, SEED_002

pytestmark = pytest.mark.django_db


def _lai_chau_text() -> bytes:
    return SEED_002.read_text().replace("Kiên Giang", "Lai Châu").replace("Kiên Gang", "Lai Châu").encode()


def test_a_large_plan_is_read_by_a_job_then_reviewed(world, client, lai_chau, settings,
                                                     django_capture_on_commit_callbacks):
    settings.PLANS_UPLOAD_SYNC_BYTES = 0  # every file in the background
    officer = world.user("tinh.laichau")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:upload"), {
            "file": SimpleUploadedFile("ke-hoach.txt", _lai_chau_text()), "province": lai_chau.pk})
    assert response.status_code == 302
    run = ImportRun.objects.get(kind="plans.upload")
    assert response["Location"] == reverse("plans:upload_run", args=[run.pk])
    job = Job.objects.get(pk=run.job_id)
    assert job.status == JobStatus.DONE and job.done == job.total == 2
    assert run.stage == ImportStage.COMMITTED
    draft = PlanDraft.objects.get(pk=run.result["draft"])
    assert draft.province == lai_chau and draft.created_by == officer
    # The upload's page sends the officer on to the review page.
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"] == reverse("plans:draft", args=[draft.pk])
    assert "Kiểm tra, sửa trước khi lưu" in client.get(follow["Location"]).content.decode()
    actions = set(AuditEvent.objects.filter(object_id__in=[str(run.pk), str(draft.pk)])
                  .values_list("action", flat=True))
    assert {"core.import.upload", "core.import.plan", "core.import.commit", "plans.draft.create"} <= actions
    # Nobody else sees the upload.
    other = world.user("tinh.cantho")
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404


def test_a_plan_already_registered_fails_with_its_reason_on_the_uploads_page(world, client, settings,
                                                                             django_capture_on_commit_callbacks):
    settings.PLANS_UPLOAD_SYNC_BYTES = 0
    officer = world.user("tinh.cantho")
    client.force_login(officer)
    province = world.document("61-CTr/TU").province
    drafts = PlanDraft.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:upload"), {
            "file": SimpleUploadedFile(SEED_001.name, SEED_001.read_bytes()), "province": province.pk})
    run = ImportRun.objects.get(kind="plans.upload")
    assert run.stage == ImportStage.FAILED and PlanDraft.objects.count() == drafts
    html = client.get(response["Location"]).content.decode()
    assert "đã có trong hệ thống" in html and "Tải tệp khác lên" in html
