from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


# `db`: the API's throttles count in the shared cache, a database table unless REDIS_URL is set.
def test_openapi_schema_lists_the_endpoints(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].endswith("json") else None
    text = response.content.decode()
    assert "openapi" in text and "/api/v1/units/" in text and "/api/v1/agencies/" in text
    if schema:
        assert schema["openapi"].startswith("3.")


def test_docs_page_loads_without_a_cdn(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert "cdn.jsdelivr" not in response.content.decode()


def test_token_authentication(worker_x, commune_x):
    token = APIClient().post("/api/v1/auth/token/", {"username": "canbo.x", "password": "Mat-khau-2026!"})
    assert token.status_code == 200
    key = token.json()["token"]
    assert Token.objects.get(key=key).user == worker_x
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "canbo.x" and me["grants"][0]["commune_id"] == commune_x.pk
    assert "children.edit" in me["capabilities"]


def test_wrong_password_gets_no_token(worker_x):
    response = APIClient().post("/api/v1/auth/token/", {"username": "canbo.x", "password": "sai"})
    assert response.status_code == 400 and "token" not in response.json()


def test_units_filter_by_level_and_search(province_officer):
    client = APIClient()
    client.force_authenticate(province_officer)
    rows = client.get("/api/v1/units/?level=commune&system=current&q=sin suoi").json()["results"]
    assert [r["name"] for r in rows] == ["Xã Sin Suối Hồ"]


def test_legacy_unit_detail_says_what_it_became(national_admin):
    from treem.geo.models import Unit

    client = APIClient()
    client.force_authenticate(national_admin)
    kien_giang = Unit.objects.legacy().get(level="province", code="91")
    body = client.get(f"/api/v1/units/{kien_giang.pk}/").json()
    assert body["became"] == [{"code": "91", "name": "Tỉnh An Giang", "level": "province"}]
    assert body["needs_decision"] is False
