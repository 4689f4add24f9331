"""A parent's or guardian's access request: recorded by a worker of the child's commune (audited), answered by a
background job with an XLSX workbook encrypted with the worker's password, holding everything on the child and every
access to it; refused for a child outside the worker's scope; strict case content only for a worker entitled to it."""

import io

import msoffcrypto
import openpyxl
import pytest

from tests.registry.registry_fixtures import years_ago
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.audit.services import record
from treem.cases.models import Confidentiality
from treem.core.actors import SYSTEM
from treem.core.models import Job, JobStatus, PreparedFile
from treem.privacy.models import AccessRequest, RequestStatus
from treem.registry import services as registry

PASSWORD = "Mat-khau-phu-huynh-2026"


def form(**overrides):
    return {"requester_name": "Lò Thị Mai", "relation": "mother", "requested_on": "01/12/2026",
            "id_document": "citizen_id", "id_checked": "on", "note": "", "password": PASSWORD,
            "password_again": PASSWORD, **overrides}


def open_workbook(content: bytes, password: str = PASSWORD):
    office = msoffcrypto.OfficeFile(io.BytesIO(content))
    office.load_key(password=password, verify_password=True)
    plain = io.BytesIO()
    office.decrypt(plain, verify_integrity=True)
    book = openpyxl.load_workbook(plain)
    return {sheet.title: [tuple(c for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def all_text(book) -> str:
    return "\n".join(" | ".join(str(c) for c in row) for rows in book.values() for row in rows)


@pytest.fixture
def child(add_child, worker_x):
    child = add_child("Lò Văn Tuấn", born=years_ago(9), village="Bản Nà Cà", personal_id="012209000123")
    registry.carer_link(actor=SYSTEM, child=child, relation="mother", full_name="Lò Thị Mai", phone="0987654321",
                        primary=True)
    registry.circumstance_add(actor=SYSTEM, child=child, group="a", started_on="01/01/2025")
    return child


def make_request(client, child, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/privacy/access/new/{child.pk}/", form(**overrides))
    return response


def download(client, access) -> bytes:
    job = Job.objects.get(pk=access.job_id)
    assert job.status == JobStatus.DONE, job.error
    response = client.get(job.result["url"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_export_holds_the_child_and_every_read_of_it_and_is_encrypted(
        client, worker_x, make_user, commune_x, child, django_capture_on_commit_callbacks):
    chair = make_user("chutich.x", Role.COMMUNE_CHAIR, commune_x)
    client.force_login(chair)
    assert client.get(f"/children/{child.pk}/").status_code == 200  # a read by the chair, logged
    reads = list(AuditEvent.objects.filter(action="registry.child.view", object_id=str(child.pk)))
    assert len(reads) == 1

    client.force_login(worker_x)
    response = make_request(client, child, django_capture_on_commit_callbacks)
    access = AccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/privacy/access/{access.pk}/"
    assert (access.requester_name, access.relation, access.id_checked) == ("Lò Thị Mai", "mother", True)
    assert access.status == RequestStatus.READY and access.handled_by == worker_x
    created = AuditEvent.objects.get(action="privacy.accessrequest.create")
    assert created.actor == worker_x and created.unit == commune_x and created.summary["child"] == str(child.pk)

    content = download(client, access)
    assert content.startswith(b"\xd0\xcf\x11\xe0")  # an encrypted OLE container, not a plain ZIP/XLSX
    with pytest.raises(Exception):  # noqa: B017 - msoffcrypto raises its own error for a wrong password
        open_workbook(content, "not-the-password")
    book = open_workbook(content)
    text = all_text(book)
    for expected in ["Lò Văn Tuấn", "012209000123", "Bản Nà Cà", "Lò Thị Mai", "0987654321", "Mẹ"]:
        assert expected in text
    assert "Hoàn cảnh, nguy cơ" in book and len(book["Hoàn cảnh, nguy cơ"]) == 2
    accesses = book["Mọi lần truy cập"]
    assert accesses[0] == ("Thời gian", "Người thực hiện", "Thao tác", "Hồ sơ")
    viewed = [row for row in accesses if row[2] == "Xem hồ sơ"]
    assert [row[1] for row in viewed] == ["chutich.x"]
    assert any(row[1] == "canbo.x" and row[2] == "Yêu cầu của chủ thể dữ liệu" for row in accesses)
    exported = AuditEvent.objects.get(action="privacy.accessrequest.export")
    assert exported.summary["encrypted"] is True and exported.unit == commune_x
    # The password is nowhere in the database.
    assert PASSWORD not in str(Job.objects.get(pk=access.job_id).params)
    assert not any(PASSWORD in str(e.summary) for e in AuditEvent.objects.all())


def test_refused_outside_the_workers_scope(client, worker_y, child, django_capture_on_commit_callbacks):
    client.force_login(worker_y)  # a worker of another commune
    assert client.get(f"/privacy/access/new/{child.pk}/").status_code == 404
    assert make_request(client, child, django_capture_on_commit_callbacks).status_code == 404
    assert client.get("/privacy/access/", {"q": "Tuấn"}).content.decode().count("Lò Văn Tuấn") == 0
    assert not AccessRequest.objects.exists() and not PreparedFile.objects.exists()


def test_refused_to_a_role_without_the_capability(client, make_user, lai_chau, child,
                                                  django_capture_on_commit_callbacks):
    leader = make_user("lanhdao", Role.LEADER, lai_chau)  # may read the register, may not hand out copies
    client.force_login(leader)
    assert client.get(f"/privacy/access/new/{child.pk}/").status_code == 403
    assert make_request(client, child, django_capture_on_commit_callbacks).status_code == 403
    assert not AccessRequest.objects.exists()


def test_a_request_of_another_worker_is_listed_but_its_file_is_not_theirs(
        client, worker_x, make_user, commune_x, child, django_capture_on_commit_callbacks):
    client.force_login(worker_x)
    make_request(client, child, django_capture_on_commit_callbacks)
    access = AccessRequest.objects.get()
    colleague = make_user("canbo.x2", Role.COMMUNE_WORKER, commune_x)
    client.force_login(colleague)
    page = client.get(f"/privacy/access/{access.pk}/").content.decode()
    assert "Chỉ cán bộ đã ghi nhận yêu cầu mới tải được bản sao." in page
    assert client.get(Job.objects.get(pk=access.job_id).result["url"]).status_code == 404


def test_strict_case_content_is_left_out_for_a_worker_not_assigned(
        client, worker_x, make_user, commune_x, child, make_case, django_capture_on_commit_callbacks):
    other = make_user("canbo.phutrach", Role.COMMUNE_WORKER, commune_x)
    strict = make_case(child, confidentiality=Confidentiality.STRICT, assigned=[other])
    client.force_login(other)
    assert client.get(f"/cases/{strict.pk}/").status_code == 200  # a case event naming the case, by its worker
    # A case event that names the child (as the quality and import events do): its object is the strict case.
    record(other, "cases.case.child_link", strict, unit=commune_x, summary={"child": str(child.pk)})

    client.force_login(worker_x)
    make_request(client, child, django_capture_on_commit_callbacks)
    book = open_workbook(download(client, AccessRequest.objects.get()))
    text = all_text(book)
    assert strict.reference not in text and "Bí mật" not in text and "Người báo Tin" not in text
    assert "hồ sơ bảo vệ trẻ em" in text.lower() and "cơ quan đang giải quyết" in text
    assert book["Hồ sơ bảo vệ trẻ em"][1] == ("Bảo mật: đề nghị cơ quan đang giải quyết vụ việc cung cấp",)


def test_case_rows_are_included_for_the_assigned_worker(
        client, worker_x, child, make_case, django_capture_on_commit_callbacks):
    strict = make_case(child, confidentiality=Confidentiality.STRICT, assigned=[worker_x])
    client.force_login(worker_x)
    make_request(client, child, django_capture_on_commit_callbacks)
    book = open_workbook(download(client, AccessRequest.objects.get()))
    rows = book["Hồ sơ bảo vệ trẻ em"]
    assert rows[1][0] == strict.reference and "Lò Văn Tuấn" in rows[1]
    assert "Bí mật" not in all_text(book)  # the narrative never leaves: third parties are in it


def test_the_form_requires_the_identity_check_and_matching_passwords(client, worker_x, child,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(worker_x)
    response = make_request(client, child, django_capture_on_commit_callbacks, id_checked="",
                            password_again="something-else")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Hai mật khẩu không giống nhau." in page and "Trường này là bắt buộc." in page
    assert not AccessRequest.objects.exists()
