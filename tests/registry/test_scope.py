"""Scope attacks on the register through the UI and the API: another commune's child is a 404, a viewer's write a 403,
a province officer sees her province and nothing else."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    an_giang_commune_fixture,
    api,
    chair_x_fixture,
    leader_fixture,
    reference_fixture,
    worker_y_fixture,
    years_ago,
)
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.registry.models import Child

CHILD_PAGES = ["", "edit/", "print/", "move/"]
NEW_CHILD = {"full_name": "Thào Mỷ Dợ", "sex": "F", "birth_date": "01/06/2019"}


@pytest.fixture
def child_y(add_child, commune_y):
    return add_child("Sùng A Chứ", commune=commune_y)


def test_worker_cannot_open_another_communes_child(client, worker_x, child_y):
    client.force_login(worker_x)
    for page in CHILD_PAGES:
        assert client.get(f"/children/{child_y.pk}/{page}").status_code == 404, page
    for action in ["circumstances/", "carers/", "measurements/", "status/", "accept/", "move/cancel/"]:
        assert client.post(f"/children/{child_y.pk}/{action}", {"group": "a"}).status_code == 404, action
    listed = client.get("/children/?q=sung").content.decode()
    assert "Sùng A Chứ" not in listed
    assert not AuditEvent.objects.filter(action="registry.child.view", object_id=str(child_y.pk)).exists()


def test_worker_cannot_reach_another_communes_child_through_the_api(worker_x, child_y, add_child):
    client = api(worker_x)
    assert client.get(f"/api/v1/children/{child_y.pk}/").status_code == 404
    assert client.patch(f"/api/v1/children/{child_y.pk}/", {"village": "X", "version": 1},
                        format="json").status_code == 404
    assert client.post(f"/api/v1/children/{child_y.pk}/move/", {"to_commune": "03390"}).status_code == 404
    assert client.post("/api/v1/circumstances/", {"child": str(child_y.pk), "group": "a"}).status_code == 404
    own = add_child("Nguyễn Văn Đức")
    ids = {row["id"] for row in client.get("/api/v1/children/").json()["results"]}
    assert ids == {str(own.pk)}
    assert client.get(f"/api/v1/carers/?child={child_y.pk}").json()["results"] == []
    assert client.get(f"/api/v1/circumstances/?child={child_y.pk}").json()["results"] == []


def test_worker_cannot_create_in_another_commune(client, worker_x, commune_y, reference):
    assert api(worker_x).post("/api/v1/children/", {**NEW_CHILD, "commune": commune_y.code}).status_code == 403
    client.force_login(worker_x)
    response = client.post("/children/new/", {**NEW_CHILD, "commune": commune_y.code})
    assert response.status_code == 200 and not Child.objects.exists()  # the form offers only her commune


@pytest.mark.parametrize("viewer", ["chair_x", "leader"])
def test_viewers_cannot_create_or_edit(request, client, viewer, add_child, commune_x):
    user = request.getfixturevalue(viewer)
    child = add_child()
    client.force_login(user)
    assert client.get(f"/children/{child.pk}/").status_code == 200  # they may read
    assert client.get("/children/new/").status_code == 403
    assert client.post("/children/new/", {**NEW_CHILD, "commune": commune_x.code}).status_code == 403
    assert client.get(f"/children/{child.pk}/edit/").status_code == 403
    assert client.post(f"/children/{child.pk}/edit/", {**NEW_CHILD, "version": 1}).status_code == 403
    assert client.post(f"/children/{child.pk}/circumstances/", {"group": "a"}).status_code == 403
    assert client.get("/children/import/").status_code == 403
    rest = api(user)
    assert rest.get(f"/api/v1/children/{child.pk}/").status_code == 200
    assert rest.post("/api/v1/children/", {**NEW_CHILD, "commune": commune_x.code}).status_code == 403
    assert rest.patch(f"/api/v1/children/{child.pk}/", {"village": "X", "version": 1},
                      format="json").status_code == 403
    child.refresh_from_db()
    assert child.village == "" and Child.objects.count() == 1


def test_no_capability_is_a_403_not_an_empty_list(client, make_user, commune_x, add_child):
    hotline = make_user("tongdai", Role.HOTLINE_OPERATOR, commune_x.province)
    child = add_child()
    assert api(hotline).get("/api/v1/children/").status_code == 403
    assert api(hotline).get(f"/api/v1/children/{child.pk}/").status_code == 403
    client.force_login(hotline)
    assert client.get("/children/").status_code == 403
    assert client.get("/children/households/").status_code == 403


def test_province_officer_sees_every_commune_of_her_province_and_none_of_another(
        client, province_officer, add_child, commune_y, an_giang_commune):
    x = add_child("Lò Văn Sơn")
    y = add_child("Lò Thị Ơn", commune=commune_y)
    other = add_child("Thạch Sô Phol", commune=an_giang_commune)
    client.force_login(province_officer)
    page = client.get("/children/?status=all").content.decode()
    assert "Lò Văn Sơn" in page and "Lò Thị Ơn" in page and "Thạch Sô Phol" not in page
    assert client.get(f"/children/{y.pk}/").status_code == 200
    assert client.get(f"/children/{other.pk}/").status_code == 404
    rest = api(province_officer)
    ids = {row["id"] for row in rest.get("/api/v1/children/").json()["results"]}
    assert ids == {str(x.pk), str(y.pk)}
    assert rest.get(f"/api/v1/children/{other.pk}/").status_code == 404
    # and she may edit in her province (the focal officer's role edits children)
    assert rest.patch(f"/api/v1/children/{y.pk}/", {"village": "Bản Mới", "version": y.version},
                      format="json").status_code == 200


def test_reading_a_child_is_logged(client, worker_x, add_child):
    child = add_child()
    client.force_login(worker_x)
    client.get(f"/children/{child.pk}/")
    api(worker_x).get(f"/api/v1/children/{child.pk}/")
    views = AuditEvent.objects.filter(action="registry.child.view", object_id=str(child.pk))
    assert views.count() == 2 and {v.actor for v in views} == {worker_x}


def test_import_batches_and_exports_are_scoped(client, worker_x, worker_y, commune_y, tmp_path):
    from tests.registry.registry_fixtures import csv_bytes
    from treem.registry import importing

    content = csv_bytes([[1, "Sùng A Chứ", "01/01/2018", "Nam", "Mông", "", "Bản 1", "Sùng Thị Mỷ", ""]])
    batch = importing.batch_create(actor=worker_y, commune=commune_y, filename="y.csv", content=content)
    client.force_login(worker_x)
    assert client.get(f"/children/import/{batch.pk}/").status_code == 404
    assert client.post(f"/children/import/{batch.pk}/commit/").status_code == 404
    with pytest.raises(PermissionDenied):
        importing.batch_create(actor=worker_x, commune=commune_y, filename="y.csv", content=content)
