"""Attachments checked by content, statutory forms as real DOCX and PDF files, the encrypted export."""

import io
import zipfile

import msoffcrypto
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from treem.audit.models import AuditEvent
from treem.cases import files, services
from treem.cases.models import Stage

from .conftest import version, walk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def docx_bytes() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Biên bản")
    document.save(out)
    return out.getvalue()


def test_detect_by_content():
    assert files.detect(PNG) == files.PNG
    assert files.detect(PDF) == files.PDF
    assert files.detect(b"\xff\xd8\xff\xe0" + b"\x00" * 20) == files.JPEG
    assert files.detect(docx_bytes()) == files.DOCX
    assert files.detect(EXE) is None
    assert files.detect(b"PK\x03\x04not really a zip") is None


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_detection_never_crashes_on_arbitrary_bytes(data):
    result = files.detect(data)
    assert result is None or result in files.ALLOWED


def test_an_attachment_that_is_not_what_its_extension_says_is_refused(new_case, worker_x):
    case = new_case()
    for name, content in [("bien-ban.pdf", EXE), ("anh.jpg", PNG), ("bien-ban.pdf", docx_bytes()),
                          ("ghi-chu.txt", b"hello")]:
        with pytest.raises(ValidationError):
            services.document_attach(actor=worker_x, case=case, expected_version=version(case), kind="other",
                                     title="x", upload=SimpleUploadedFile(name, content))
    assert not case.documents.exists()


def test_size_limit(new_case, worker_x, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 100)
    case = new_case()
    with pytest.raises(ValidationError, match="quá lớn"):
        services.document_attach(actor=worker_x, case=case, expected_version=version(case), kind="other", title="x",
                                 upload=SimpleUploadedFile("a.pdf", PDF + b" " * 200))


def test_upload_through_the_page_and_download_is_logged(client, new_case, worker_x, worker_y):
    case = new_case()
    client.force_login(worker_x)
    refused = client.post(f"/cases/{case.pk}/documents/", {
        "version": version(case), "kind": "medical", "title": "Giấy khám",
        "file": SimpleUploadedFile("giay-kham.pdf", EXE, content_type="application/pdf")})
    assert refused.status_code == 400 and "không đúng như tên gọi" in refused.content.decode()
    response = client.post(f"/cases/{case.pk}/documents/", {
        "version": version(case), "kind": "medical", "title": "Giấy khám",
        "file": SimpleUploadedFile("giay-kham.PDF", PDF, content_type="application/octet-stream")})
    assert response.status_code == 302
    document = case.documents.get()
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    download = client.get(f"/cases/{case.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="cases.document.download", actor=worker_x).exists()
    client.force_login(worker_y)
    assert client.get(f"/cases/{case.pk}/documents/{document.pk}/").status_code == 404


def test_statutory_forms_are_real_docx_filled_from_the_record(client, new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    client.force_login(worker_x)
    texts = {}
    for number in (1, 2, 3, 4, 5):
        response = client.get(f"/cases/{case.pk}/forms/{number}.docx")
        assert response.status_code == 200, number
        document = Document(io.BytesIO(response.content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        texts[number] = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "PHIẾU GHI CHÉP" in texts[1] and "Lò Văn Páo" in texts[1] and case.reference in texts[1]
    assert "Tổng đài 111" in texts[1] and "MẬT" in texts[1]
    assert "ỦY BAN NHÂN DÂN" in texts[1] and "XÃ BÌNH LƯ" in texts[1]
    assert "Đánh giá nguy cơ ban đầu" in texts[2]
    assert "KẾ HOẠCH" in texts[4] and "Tư vấn tâm lý" in texts[4] and "1.000.000 đồng" in texts[4]
    assert "QUYẾT ĐỊNH" in texts[5] and "Phê duyệt" in texts[5] and "CHỦ TỊCH" in texts[5]
    assert client.get(f"/cases/{case.pk}/forms/6.docx").status_code == 404  # no review yet
    assert client.get(f"/cases/{case.pk}/forms/7.docx").status_code == 404  # no separation
    assert client.get(f"/cases/{case.pk}/forms/1.exe").status_code == 404
    assert AuditEvent.objects.filter(action="cases.form.print", object_id=str(case.pk)).count() == 5


def test_a_statutory_form_as_pdf(client, new_case, worker_x):
    from pypdf import PdfReader

    case = new_case()
    client.force_login(worker_x)
    response = client.get(f"/cases/{case.pk}/forms/1.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "PHIẾU GHI CHÉP" in text and case.reference in text


def test_the_export_is_an_encrypted_xlsx_and_is_logged(client, new_case, worker_x):
    case = new_case()
    client.force_login(worker_x)
    short = client.post("/cases/export/", {"password": "ngan", "stage": "open"})
    assert short.status_code == 302 and short["Location"] == "/cases/list/"
    response = client.post("/cases/export/", {"password": "Mat-khau-xuat-2026", "stage": "open"})
    assert response.status_code == 200 and response.content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    with pytest.raises(zipfile.BadZipFile):  # an encrypted package: openpyxl cannot read it without the password
        load_workbook(io.BytesIO(response.content))
    office = msoffcrypto.OfficeFile(io.BytesIO(response.content))
    assert office.is_encrypted()
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        office.load_key(password="sai-mat-khau", verify_password=True)
    office = msoffcrypto.OfficeFile(io.BytesIO(response.content))
    office.load_key(password="Mat-khau-xuat-2026")
    plain = io.BytesIO()
    office.decrypt(plain)
    rows = list(load_workbook(plain).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã hồ sơ" and rows[1][0] == case.reference and rows[1][7] == "Lò Văn Páo"
    event = AuditEvent.objects.get(action="cases.case.export")
    assert event.actor == worker_x and event.summary["rows"] == 1 and event.summary["encrypted"] is True


def test_a_zip_bomb_attachment_is_refused_through_the_page(client, new_case, worker_x):
    """A DOCX carrying 20 MB of zeros compressed a thousand times: the upload gate refuses it from its central
    directory, before it is stored or opened."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            bomb.writestr(info.filename, source.read(info.filename))
        bomb.writestr("word/media/image1.bin", b"\x00" * (20 * 1024 * 1024))
    assert len(out.getvalue()) < 100 * 1024
    case = new_case()
    client.force_login(worker_x)
    response = client.post(f"/cases/{case.pk}/documents/", {
        "version": version(case), "kind": "medical", "title": "Giấy khám",
        "file": SimpleUploadedFile("giay-kham.docx", out.getvalue())})
    assert response.status_code == 400
    assert "bom nén" in response.content.decode() and "vượt quá giới hạn 100 lần" in response.content.decode()
    assert not case.documents.exists()
