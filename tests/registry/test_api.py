"""The registry API: filters and pagination, writes through the services, optimistic locking, moves, circumstances,
carers, and the OpenAPI schema."""

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    api,
    pid,
    reference_fixture,
    worker_y_fixture,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.registry.models import Child


def test_list_filters_and_paginates(worker_x, add_child):
    for i in range(55):
        add_child(f"Lò Văn Số{i:02d}", village="Bản 1" if i % 2 else "Bản 2")
    add_child("Nguyễn Văn Đức", sex="M")
    client = api(worker_x)
    page = client.get("/api/v1/children/").json()
    assert page["count"] == 56 and len(page["results"]) == 50 and page["next"]
    assert client.get(page["next"]).json()["results"][-1]["full_name"] == "Nguyễn Văn Đức"
    found = client.get("/api/v1/children/", {"q": "nguyen van duc"}).json()
    assert [r["full_name"] for r in found["results"]] == ["Nguyễn Văn Đức"]
    assert client.get("/api/v1/children/", {"village": "Bản 1"}).json()["count"] == 27


def test_cursor_paging_walks_the_whole_scope_once(worker_x, add_child, commune_y):
    mine = {str(add_child(f"Lò Thị Số{i}", village="Bản 1" if i % 2 else "Bản 2").pk) for i in range(7)}
    add_child("Sùng A Khác", commune=commune_y)  # another commune: never in the walk
    client = api(worker_x)
    first = client.get("/api/v1/children/", {"paging": "cursor", "page_size": 3}).json()
    assert "count" not in first and len(first["results"]) == 3 and first["previous"] is None
    seen, url = [r["id"] for r in first["results"]], first["next"]
    # A child not yet read is renamed so that she sorts first by name: she is still read, once.
    later = min(mine - set(seen))
    assert client.patch(f"/api/v1/children/{later}/", {"full_name": "Ả Thị Đầu Tiên", "version": 1}).status_code == 200
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(mine) and len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen)  # record order: the ids
    # Filters apply as on numbered pages; a page is at most 500; a name search has no cursor walk.
    bản_1 = client.get("/api/v1/children/", {"paging": "cursor", "village": "Bản 1"}).json()
    assert len(bản_1["results"]) == 3 and bản_1["next"] is None
    assert len(client.get("/api/v1/children/", {"paging": "cursor", "page_size": 10_000}).json()["results"]) == 7
    refused = client.get("/api/v1/children/", {"paging": "cursor", "q": "lo thi"})
    assert refused.status_code == 400 and "q" in refused.json()["paging"][0]
    assert client.get("/api/v1/children/", {"paging": "cursor", "cursor": "bz14"}).status_code == 404  # o=x


def test_create_and_update_through_the_services(worker_x, commune_x, reference):
    client = api(worker_x)
    born = years_ago(4)
    response = client.post("/api/v1/children/", {
        "commune": commune_x.code, "full_name": "hà   thị  LAN", "sex": "F", "birth_date": born.strftime("%d/%m/%Y"),
        "personal_id": pid("M", born, 1)}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Hà Thị Lan" and body["commune"] == commune_x.code
    assert body["quality_flags"] == ["id_sex_mismatch"] and body["version"] == 1
    bad = client.post("/api/v1/children/", {"commune": commune_x.code, "full_name": "A", "sex": "F",
                                            "birth_date": "2099-01-01"}, format="json")
    assert bad.status_code == 400 and "birth_date" in bad.json()
    url = f"/api/v1/children/{body['id']}/"
    assert client.patch(url, {"village": "Bản Hô Ta"}, format="json").status_code == 400  # no version
    ok = client.patch(url, {"village": "Bản Hô Ta", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["village"] == "Bản Hô Ta"
    stale = client.patch(url, {"village": "Bản Khác", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Child.objects.get(pk=body["id"]).village == "Bản Hô Ta"
    assert AuditEvent.objects.filter(object_id=body["id"], action="registry.child.update").count() == 1


def test_move_accept_and_incoming_through_the_api(worker_x, worker_y, commune_y, add_child):
    child = add_child()
    moved = api(worker_x).post(f"/api/v1/children/{child.pk}/move/", {"to_commune": commune_y.code, "version": 1},
                               format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "moved"
    incoming = api(worker_y).get("/api/v1/children/incoming/").json()
    assert [r["id"] for r in incoming["results"]] == [str(child.pk)]
    accepted = api(worker_y).post(f"/api/v1/children/{child.pk}/accept/", {"village": "Bản 3"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["commune"] == commune_y.code
    assert api(worker_x).get(f"/api/v1/children/{child.pk}/").status_code == 404


def test_circumstances_and_carers(worker_x, add_child):
    child = add_child()
    client = api(worker_x)
    created = client.post("/api/v1/circumstances/", {"child": str(child.pk), "group": "đ", "started_on": "2024-01-01",
                                                     "supported": True}, format="json")
    assert created.status_code == 201 and created.json()["group"] == "đ"
    assert client.post(f"/api/v1/children/{child.pk}/circumstances/", {"group": "zz"},
                       format="json").status_code == 400
    ended = client.post(f"/api/v1/circumstances/{created.json()['id']}/end/", {"ended_on": "2025-01-01"},
                        format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2025-01-01"
    carer = client.post(f"/api/v1/children/{child.pk}/carers/", {"full_name": "lò thị xoa", "relation": "mother",
                                                                 "phone": "0912345678"}, format="json")
    assert carer.status_code == 201 and carer.json()["full_name"] == "Lò Thị Xoa"
    listed = client.get("/api/v1/carers/", {"child": str(child.pk)}).json()["results"]
    assert [c["full_name"] for c in listed] == ["Lò Thị Xoa"]
    groups = client.get("/api/v1/circumstance-groups/").json()["results"]
    assert [g["code"] for g in groups] == ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o"]


def test_openapi_schema_documents_the_registry(client, db):  # db: throttles count in the shared cache
    text = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in ("/api/v1/children/", "/api/v1/children/{id}/move/", "/api/v1/carers/", "/api/v1/circumstances/",
                 "/api/v1/circumstance-groups/"):
        assert path in text
    assert "age_band" in text and "409" in text and "paging" in text and "page_size" in text
