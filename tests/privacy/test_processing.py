"""The record of processing: reference data loaded by bootstrap (versioned), a page for administrators and
auditors in Vietnamese, an XLSX export (logged); nobody else sees it."""

import io
import json

import openpyxl

from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.privacy import reference
from treem.privacy.models import ProcessingActivity


def test_the_record_is_loaded_once_per_version(db):
    data = json.loads(reference.PROCESSING_FILE.read_text(encoding="utf-8"))
    assert list(ProcessingActivity.objects.values_list("code", flat=True)) == [a["code"] for a in data["activities"]]
    assert reference.load_processing_record() == "ready"  # the autouse fixture loaded this version already
    ProcessingActivity.objects.filter(code="child_register").update(version="2025.0", purpose="cũ")
    assert reference.load_processing_record() == f"version {data['version']} loaded"
    assert ProcessingActivity.objects.get(code="child_register").purpose.startswith("Lập, cập nhật")
    purposes = " ".join(ProcessingActivity.objects.values_list("purpose", flat=True))
    for word in ["sổ theo dõi trẻ em", "can thiệp", "báo cáo", "Cơ sở dữ liệu quốc gia về dân cư"]:
        assert word in purposes


def test_the_page_for_administrators_and_auditors(client, national_admin, make_user, worker_x):
    client.force_login(national_admin)
    page = client.get("/privacy/processing/").content.decode()
    assert "Hồ sơ hoạt động xử lý dữ liệu cá nhân" in page and "Căn cứ pháp lý" in page
    assert "Luật Trẻ em 2016, điều 47 đến 53" in page and "Biện pháp bảo vệ" in page
    auditor = make_user("thanhtra", Role.AUDITOR, None)
    client.force_login(auditor)
    assert client.get("/privacy/processing/").status_code == 200
    assert 'href="/privacy/processing/"' in client.get("/").content.decode()
    client.force_login(worker_x)
    assert client.get("/privacy/processing/").status_code == 403
    assert client.get("/privacy/processing/export/").status_code == 403
    assert 'href="/privacy/processing/"' not in client.get("/").content.decode()


def test_the_export_is_a_spreadsheet_of_every_purpose_and_is_logged(client, national_admin):
    client.force_login(national_admin)
    response = client.get("/privacy/processing/export/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mục đích", "Căn cứ pháp lý", "Loại chủ thể dữ liệu")
    assert len(rows) == 1 + ProcessingActivity.objects.count()
    assert AuditEvent.objects.filter(action="privacy.processingactivity.export", actor=national_admin).exists()
