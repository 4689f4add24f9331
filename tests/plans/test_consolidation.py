"""The focal officer consolidates a round into a Decree 30 report (DOCX and PDF) in a background job."""

import io

from django.urls import reverse
from docx import Document as Word
from pypdf import PdfReader

from treem.core.models import Job, JobStatus
from treem.plans.consolidation import build_document
from treem.plans.models import ConsolidatedReport


def test_the_document_lists_every_agency_and_the_figures(world):
    document = build_document(world.round("91"))
    text = " ".join(str(vars(block)) for block in document.body)
    assert document.doc_type == "BÁO CÁO" and document.issuing_body == "SỞ Y TẾ"
    assert "đã báo cáo: 8" in text and "trễ hạn: 3" in text and "Sở Tư pháp" in text  # a missing agency
    assert "CƠ QUAN, ĐƠN VỊ CHƯA BÁO CÁO" in text


def test_consolidation_runs_as_a_job_with_progress_and_produces_docx_and_pdf(
    world, client, django_capture_on_commit_callbacks
):
    round_ = world.round("92")
    client.force_login(world.user("tinh.cantho"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:round_consolidate", args=[round_.pk]))
    job = Job.objects.get(kind="plans.consolidate")
    assert response.status_code == 302 and f"job={job.pk}" in response["Location"]
    assert job.status == JobStatus.DONE and job.done == job.total and job.result["url"]
    assert job.message == "Đã tạo xong báo cáo"
    page = client.get(response["Location"]).content.decode()
    assert "progress" in page and "DOCX" in page
    report = ConsolidatedReport.objects.get(round=round_)
    docx = client.get(reverse("plans:report_file", args=[report.pk, "docx"]))
    word = Word(io.BytesIO(b"".join(docx.streaming_content)))
    body = "\n".join(p.text for p in word.paragraphs)
    assert "BÁO CÁO" in body and "Sở Nội vụ" in body
    pdf = client.get(reverse("plans:report_file", args=[report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0].extract_text()
    assert "BÁO CÁO" in text


def test_an_agency_reporter_cannot_consolidate_or_download_the_report(world, client):
    round_ = world.round("92")
    client.force_login(world.user("soyte.cantho"))
    assert client.post(reverse("plans:round_consolidate", args=[round_.pk])).status_code == 403
