"""Export of the filtered list: a form (POST only), the file encrypted with the person's password (XLSX, or CSV in
an AES-256 ZIP), formulas neutralised, the export logged; large lists through a background job into a prepared file
that only its owner can download, for 24 hours."""

import io
import json
import zipfile
from datetime import timedelta

import msoffcrypto
import openpyxl
import pytest
import pyzipper
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    reference_fixture,
    worker_y_fixture,
)
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.core import files, protect
from treem.core.models import Job, JobStatus, PreparedFile
from treem.registry import export_views

PASSWORD = "Mat-khau-xuat-2026!"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def post_export(client, fmt="xlsx", password=PASSWORD, again=None, **filters):
    return client.post("/children/export/", {"format": fmt, "password": password,
                                             "password_again": password if again is None else again, **filters})


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def xlsx_rows(content: bytes, password: str = PASSWORD) -> list[tuple]:
    office = msoffcrypto.OfficeFile(io.BytesIO(content))
    office.load_key(password=password, verify_password=True)
    plain = io.BytesIO()
    office.decrypt(plain, verify_integrity=True)
    book = openpyxl.load_workbook(plain)
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # no cell is a formula
    return list(book.active.iter_rows(values_only=True))


def zip_csv(content: bytes, password: str = PASSWORD) -> str:
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        [name] = archive.namelist()
        assert name.endswith(".csv")
        archive.setpassword(password.encode())
        return archive.read(name).decode("utf-8-sig")


def test_the_list_buttons_open_the_form_with_the_filters(client, worker_x, add_child):
    add_child("Lò Thị Ơn", sex="F", village="Bản 2")
    client.force_login(worker_x)
    page = client.get("/children/", {"village": "Bản 2"}).content.decode()
    assert 'href="/children/export/?format=xlsx&amp;village=B%E1%BA%A3n+2"' in page
    assert 'href="/children/export/?format=csv&amp;village=B%E1%BA%A3n+2"' in page


def test_get_shows_the_form_with_the_count_and_never_a_file(client, worker_x, add_child):
    add_child("Lò Thị Ơn", sex="F", village="Bản 2")
    add_child("Nguyễn Văn Đức", village="Bản 3")
    client.force_login(worker_x)
    response = client.get("/children/export/", {"format": "csv", "village": "Bản 2"})
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Xuất danh sách trẻ em" in page and "Sẽ xuất 1 trẻ em." in page and "Nhập lại mật khẩu" in page
    assert '<input type="hidden" name="village" value="Bản 2">' in page
    assert 'value="csv" class="form-check-input" id="id_format_1" required checked' in page
    # The old addresses lead to the form too; no GET ever makes a file or logs an export.
    legacy = client.get("/children/export.xlsx", {"village": "Bản 2"})
    assert legacy.status_code == 302 and legacy["Location"].startswith("/children/export/?")
    assert "format=xlsx" in legacy["Location"] and "village=B%E1%BA%A3n+2" in legacy["Location"]
    assert "attachment" not in client.get(legacy["Location"]).get("Content-Disposition", "")
    assert not AuditEvent.objects.filter(action="registry.child.export").exists()


def test_small_export_is_an_encrypted_xlsx_with_formulas_neutralised_and_logged(client, worker_x, add_child):
    add_child("Nguyễn Văn Đức", village="=HYPERLINK(\"http://evil\",\"bấm\")", address="+84 cmd|calc")
    add_child("Lò Thị Ơn", sex="F", village="Bản 2")
    client.force_login(worker_x)
    response = post_export(client, village='=HYPERLINK("http://evil","bấm")')
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="danh-sach-tre-em-' in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    content = content_of(response)
    assert content[:8] == OLE_MAGIC  # an encrypted OOXML package, not a plain ZIP
    with pytest.raises(zipfile.BadZipFile):
        openpyxl.load_workbook(io.BytesIO(content))
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        xlsx_rows(content, password="sai-mat-khau-2026")
    rows = xlsx_rows(content)
    assert rows[0][0] == "Họ và tên" and len(rows) == 2
    village = rows[1][rows[0].index("Thôn/bản/ấp")]
    address = rows[1][rows[0].index("Địa chỉ")]
    assert village.startswith("'=") and address.startswith("'+")
    event = AuditEvent.objects.get(action="registry.child.export")
    assert event.actor == worker_x and event.summary == {
        "format": "xlsx", "count": 1, "filters": {"village": '=HYPERLINK("http://evil","bấm")'},
        "encrypted": True, "file": None}


def test_small_csv_export_is_inside_an_aes_256_zip(client, worker_x, add_child):
    add_child("Nguyễn Văn Đức", notes="x", village="@SUM(1+1)")
    client.force_login(worker_x)
    response = post_export(client, fmt="csv")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.zip"')
    content = content_of(response)
    plain_zip = zipfile.ZipFile(io.BytesIO(content))
    [info] = plain_zip.infolist()
    assert info.flag_bits & 1 and info.compress_type == 99  # encrypted, WinZip AES
    with pytest.raises(RuntimeError, match="password required"):
        plain_zip.read(info)
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        assert archive.infolist()[0].wz_aes_strength == 3  # 256 bits
        with pytest.raises(RuntimeError):
            archive.read(info.filename)
    with pytest.raises(RuntimeError, match="Bad password"):
        zip_csv(content, password="sai-mat-khau-2026")
    text = zip_csv(content)
    assert text.splitlines()[0].startswith("Họ và tên,Giới tính,Ngày sinh")
    assert "Nguyễn Văn Đức,Nam," in text and "'@SUM(1+1)" in text and "Đang theo dõi" in text
    event = AuditEvent.objects.get(action="registry.child.export")
    assert event.summary["format"] == "csv" and event.summary["encrypted"] is True and event.summary["count"] == 1


def test_passwords_must_match_and_be_long_enough(client, worker_x, add_child):
    add_child()
    client.force_login(worker_x)
    different = post_export(client, again=PASSWORD + "x")
    assert different.status_code == 400 and "Hai mật khẩu không giống nhau." in different.content.decode()
    short = post_export(client, password="ngan")
    assert short.status_code == 400 and "Sẽ xuất 1 trẻ em." in short.content.decode()
    assert PASSWORD not in different.content.decode()  # a refused password is not sent back into the page
    assert not AuditEvent.objects.filter(action="registry.child.export").exists()


def test_export_needs_the_view_children_capability(client, make_user, commune_x, add_child):
    add_child()
    operator = make_user("tongdai", Role.HOTLINE_OPERATOR, commune_x)
    client.force_login(operator)
    assert client.get("/children/export/").status_code == 403
    assert post_export(client).status_code == 403
    client.logout()
    assert post_export(client).status_code == 302  # to the login page
    assert not AuditEvent.objects.filter(action="registry.child.export").exists()


def test_a_commune_worker_cannot_export_another_communes_children(client, worker_x, add_child, commune_x, commune_y):
    add_child("Lò Văn Páo", commune=commune_x)
    add_child("Giàng Thị Mai", commune=commune_y, sex="F")
    client.force_login(worker_x)
    names = [row[0] for row in xlsx_rows(content_of(post_export(client, commune=commune_y.code)))[1:]]
    assert names == []
    names = [row[0] for row in xlsx_rows(content_of(post_export(client, status="all")))[1:]]
    assert names == ["Lò Văn Páo"]
    assert "Không có trẻ nào khớp" in client.get("/children/export/", {"commune": commune_y.code}).content.decode()


@pytest.fixture
def large(monkeypatch):
    """The threshold lowered so that 5 children make a "large" export, progress every 2 rows; progress messages
    collected."""
    monkeypatch.setattr(export_views, "DIRECT_LIMIT", 3)
    monkeypatch.setattr(export_views, "PROGRESS_EVERY", 2)
    seen = []
    original = export_views.job_progress

    def spy(job, done, total=None, message=""):
        seen.append(message)
        original(job, done, total, message)

    monkeypatch.setattr(export_views, "job_progress", spy)
    return seen


def start_large_export(client, capture, fmt="xlsx"):
    with capture(execute=True):
        response = post_export(client, fmt=fmt)
    assert response.status_code == 302
    job = Job.objects.get(kind="registry.export")
    assert response["Location"] == f"/children/export/{job.pk}/"
    return job


def test_a_large_export_runs_as_a_job_and_only_its_owner_downloads_it(
        client, worker_x, worker_y, add_child, commune_y, large, django_capture_on_commit_callbacks):
    for i in range(5):
        add_child(f"Lò Văn Páo {i}", address="=1+1" if i == 0 else "")
    add_child("Giàng Thị Mai", commune=commune_y, sex="F")
    client.force_login(worker_x)
    page = client.get("/children/export/").content.decode()
    assert "Sẽ xuất 5 trẻ em." in page and "chế độ nền" in page
    job = start_large_export(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.total == 5 and job.percent == 100
    assert "Đã ghi 2/5 trẻ" in large and "Đã ghi 4/5 trẻ" in large
    prepared = PreparedFile.objects.get()
    assert job.result == {"url": f"/files/{prepared.pk}/", "file": str(prepared.pk), "rows": 5}
    assert prepared.owner == worker_x and prepared.rows == 5 and prepared.filename.endswith(".xlsx")
    assert timedelta(hours=23, minutes=59) < prepared.expires_at - prepared.created_at <= timedelta(hours=24)
    page = client.get(f"/children/export/{job.pk}/").content.decode()
    assert "Tải tệp về" in page and f'href="/files/{prepared.pk}/"' in page
    event = AuditEvent.objects.get(action="registry.child.export")
    assert event.actor == worker_x and event.object_id == str(prepared.pk)
    assert event.summary == {"format": "xlsx", "count": 5, "filters": {}, "encrypted": True,
                             "file": str(prepared.pk), "job": str(job.pk)}

    response = client.get(f"/files/{prepared.pk}/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert prepared.filename in response["Content-Disposition"]
    rows = xlsx_rows(content_of(response))
    assert [row[0] for row in rows[1:]] == [f"Lò Văn Páo {i}" for i in range(5)]  # not the other commune's child
    assert rows[1][rows[0].index("Địa chỉ")] == "'=1+1"
    prepared.refresh_from_db()
    assert prepared.download_count == 1 and prepared.downloaded_at is not None
    download = AuditEvent.objects.get(action="core.file.download")
    assert download.actor == worker_x and download.object_id == str(prepared.pk)

    # The stored file itself is never served, not even to its owner: only through /files/ (checked, logged).
    assert client.get(f"/media/{prepared.file.name}").status_code == 404

    client.force_login(worker_y)
    assert client.get(f"/files/{prepared.pk}/").status_code == 404
    assert client.get(f"/children/export/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/").status_code == 404

    client.force_login(worker_x)
    PreparedFile.objects.filter(pk=prepared.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(f"/files/{prepared.pk}/")
    page = expired.content.decode()
    assert expired.status_code == 410 and "Tệp đã hết hạn" in page and "Hãy xuất lại để có tệp mới." in page
    assert AuditEvent.objects.filter(action="core.file.download").count() == 1


def test_a_large_csv_export_is_an_encrypted_zip_too(client, worker_x, add_child, large,
                                                     django_capture_on_commit_callbacks):
    for i in range(4):
        add_child(f"Lò Văn Páo {i}", village="-2+3" if i == 1 else "Bản 1")
    client.force_login(worker_x)
    job = start_large_export(client, django_capture_on_commit_callbacks, fmt="csv")
    response = client.get(Job.objects.get(pk=job.pk).result["url"])
    assert response["Content-Type"] == "application/zip"
    text = zip_csv(content_of(response))
    assert len(text.splitlines()) == 5 and "'-2+3" in text


def test_the_password_is_never_stored(client, worker_x, add_child, large, django_capture_on_commit_callbacks):
    for i in range(5):
        add_child(f"Lò Văn Páo {i}")
    client.force_login(worker_x)
    job = start_large_export(client, django_capture_on_commit_callbacks)
    client.get(Job.objects.get(pk=job.pk).result["url"])
    post_export(client, fmt="csv", status="all", village="Bản 1")  # a small one too
    job.refresh_from_db()
    assert "sealed_password" not in job.params  # not even encrypted, once the runner has read it
    stored = [json.dumps([j.params, j.result, j.message, j.error, j.kind], ensure_ascii=False)
              for j in Job.objects.all()]
    stored += [json.dumps([e.summary, e.object_repr, e.actor_label], ensure_ascii=False)
               for e in AuditEvent.objects.all()]
    stored += [json.dumps([str(value) for value in PreparedFile.objects.values().get().values()], ensure_ascii=False)]
    assert AuditEvent.objects.filter(action="registry.child.export").count() == 2
    for text in stored:
        assert PASSWORD not in text and PASSWORD.lower() not in text.lower()


def test_a_sealed_password_only_opens_with_this_servers_key(settings):
    token = protect.seal(PASSWORD)
    assert PASSWORD not in token and protect.unseal(token) == PASSWORD
    settings.SECRET_KEY = "another-server-" * 5
    with pytest.raises(protect.SealExpired):
        protect.unseal(token)


def test_a_job_whose_sealed_password_is_unusable_fails_clearly(worker_x, add_child, django_capture_on_commit_callbacks):
    from treem.core.jobs import job_start

    add_child()
    with django_capture_on_commit_callbacks(execute=True):
        job_start(actor=worker_x, kind="registry.export", runner=export_views.RUNNER, total=1,
                  params={"fmt": "xlsx", "filters": {}, "sealed_password": "gAAAAA-not-a-token"})
    job = Job.objects.get(kind="registry.export")
    assert job.status == JobStatus.FAILED and "hãy xuất lại" in job.error
    assert "sealed_password" not in job.params and not PreparedFile.objects.exists()


def test_purge_files_deletes_expired_files(worker_x):
    old = files.prepared_file_create(owner=worker_x, kind="test", filename="cu.xlsx", content=b"old", rows=1)
    new = files.prepared_file_create(owner=worker_x, kind="test", filename="moi.xlsx", content=b"new", rows=1)
    assert default_storage.exists(old.file.name) and old.file.name != "cu.xlsx"  # stored under its id, not its name
    PreparedFile.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("purge_files", stdout=out)
    assert "1 expired file(s) deleted." in out.getvalue()
    assert list(PreparedFile.objects.values_list("pk", flat=True)) == [new.pk]
    assert not default_storage.exists(old.file.name) and default_storage.exists(new.file.name)
    assert AuditEvent.objects.get(action="core.file.purge").summary == {"deleted": 1}
