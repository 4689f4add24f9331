"""The five kinds of bad input an attack found answering 500: each is now a 400 or 404 with a Vietnamese message.

Run on SQLite and PostgreSQL: a NUL character only breaks PostgreSQL (it refuses NUL in text).
"""

import pytest
from rest_framework.test import APIClient

from treem.accounts.models import Role
from treem.registry import services as registry_services
from treem.registry.models import Child


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def child(worker_x, commune_x):
    from treem.registry.reference import load_reference

    load_reference()
    return registry_services.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Thị Mai", "sex": "F", "birth_date": "12/03/2018"})


@pytest.mark.parametrize("path", [
    "/api/v1/cases/null/", "/api/v1/cases/null/events/", "/api/v1/children/null/", "/api/v1/children/1/carers/",
    "/api/v1/households/abc/", "/api/v1/plans/documents/null/", "/api/v1/plans/tasks/x/updates/",
    "/api/v1/quality/duplicates/x/", "/api/v1/case-intakes/null/", "/api/v1/units/x/",
])
def test_an_id_in_the_path_that_cannot_be_one_is_a_404(worker_x, path):
    response = api(worker_x).get(path)
    assert response.status_code == 404, response.content
    assert response.json()["detail"] == "Không tìm thấy."


@pytest.mark.parametrize("path", ["/api/v1/case-referrals/x/", "/api/v1/case-referrals/1e3/",
                                  "/api/v1/case-referrals/99999999999999999999/"])
def test_a_referral_id_that_is_not_a_number_is_a_404(worker_x, path):
    client = api(worker_x)
    assert client.get(path).status_code == 404
    response = client.post(f"{path}respond/", {"status": "accepted"}, format="json")
    assert response.status_code == 404, response.content
    assert response.json()["detail"] == "Không tìm thấy."


@pytest.mark.parametrize(("path", "name"), [
    ("/api/v1/plans/targets/?document=D", "document"), ("/api/v1/plans/tasks/?document=null", "document"),
    ("/api/v1/plans/submissions/?round=1", "round"), ("/api/v1/quality/corrections/?run=x", "run"),
    ("/api/v1/circumstances/?child=x", "child"), ("/api/v1/carers/?child=x", "child"),
])
def test_a_filter_value_that_cannot_be_an_id_is_a_400_naming_the_parameter(province_officer, path, name):
    response = api(province_officer).get(path)
    assert response.status_code == 400, response.content
    assert response.json() == {name: ["Mã không hợp lệ."]}


@pytest.mark.parametrize("body", ["[]", '"x"', "3", "null", '[{"child": "x"}]'])
@pytest.mark.parametrize("path", ["/api/v1/circumstances/", "/api/v1/children/", "/api/v1/households/",
                                  "/api/v1/case-intakes/", "/api/v1/auth/token/"])
def test_a_json_body_that_is_not_an_object_is_a_400(worker_x, path, body):
    response = api(worker_x).post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "Nội dung JSON của yêu cầu phải là một đối tượng ({...})."


def test_a_json_list_posted_to_a_childs_action_is_a_400(worker_x, child):
    response = api(worker_x).post(f"/api/v1/children/{child.pk}/circumstances/", "[]", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


NUL_MESSAGE = "Yêu cầu chứa một ký tự không được phép (NUL)."


@pytest.mark.parametrize("path", [
    "/api/v1/children/?q=%00", "/api/v1/children/?village=a%00b", "/api/v1/carers/?q=%00",
    "/api/v1/households/?q=%00", "/api/v1/units/?q=%00", "/api/v1/cases/?stage=%00", "/api/v1/agencies/?kind=%00",
    "/api/v1/plans/documents/?province=%00", "/api/v1/quality/findings/?code=%00", "/api/v1/children/?%00=1",
    "/api/v1/circumstance-groups/%00/",
])
def test_a_nul_in_a_query_is_a_400_on_every_list(province_officer, path):
    response = api(province_officer).get(path)
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": NUL_MESSAGE}


@pytest.mark.parametrize("path", ["/children/?q=%00", "/children/households/?q=%00", "/?q=%00"])
def test_a_nul_in_a_web_page_query_is_a_400(client, worker_x, path):
    client.force_login(worker_x)
    response = client.get(path)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_nul_in_a_json_body_is_a_400_and_nothing_is_saved(worker_x, commune_x, child):
    client = api(worker_x)
    response = client.post("/api/v1/children/", {"commune": commune_x.code, "full_name": "Lò Văn\u0000 A", "sex": "M",
                                                 "birth_date": "01/02/2019"}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": NUL_MESSAGE}
    response = client.patch(f"/api/v1/children/{child.pk}/", {"notes": {"x": ["\u0000"]}, "version": child.version},
                            format="json")
    assert response.status_code == 400 and response.json() == {"detail": NUL_MESSAGE}
    assert not Child.objects.filter(full_name__startswith="Lò Văn").exists()


def test_a_nul_in_a_form_post_is_a_400(client, worker_x):
    client.force_login(worker_x)
    response = client.post("/children/new/", {"full_name": "Lò\x00", "sex": "M"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_file_upload_may_carry_nul_bytes(client, worker_x, commune_x):
    """A spreadsheet is binary: the guard looks at the form's fields, never at an uploaded file."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Họ và tên", "Ngày sinh", "Giới tính"])
    book.active.append(["Lò Văn Páo", "01/02/2019", "Nam"])
    content = BytesIO()
    book.save(content)
    assert b"\x00" in content.getvalue()
    client.force_login(worker_x)
    response = client.post("/children/import/", {"commune": commune_x.code, "file": SimpleUploadedFile(
        "danh-sach.xlsx", content.getvalue())})
    assert response.status_code == 302 and response["Location"].startswith("/children/import/")


def test_a_valid_request_still_passes(make_user, commune_x, child):
    reader = make_user("doc.x", Role.COMMUNE_WORKER, commune_x)
    rows = api(reader).get("/api/v1/children/?q=mai").json()["results"]
    assert [r["id"] for r in rows] == [str(child.pk)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_api_path_the_router_refuses_is_a_json_404(worker_x, method):
    """"0.5" is no id the router accepts: the answer is the API's JSON 404, even for a POST with a session cookie."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(worker_x)
    response = getattr(client, method)("/api/v1/children/0.5/accept/")
    assert response.status_code == 404 and response.json() == {"detail": "Không tìm thấy."}


def test_a_multipart_body_without_a_boundary_is_a_400(worker_x):
    response = api(worker_x).generic("POST", "/api/v1/children/", b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()


def test_every_api_viewset_checks_the_id_in_its_path():
    """A new viewset registered without the guard would answer 500 again for /its-prefix/null/ on PostgreSQL."""
    from treem.api.urls import router
    from treem.core.guards import CheckedLookupMixin

    assert router.registry
    assert [viewset.__name__ for _prefix, viewset, _name in router.registry
            if not issubclass(viewset, CheckedLookupMixin)] == []
