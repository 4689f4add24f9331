"""Scope attacks through the UI and the API: users outside a unit get 404 (or 403), viewers cannot write."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from treem.access import Capability, scope_for
from treem.accounts import services
from treem.accounts.models import Agency, AgencyKind, Role
from treem.accounts.selectors import agencies_visible_to, units_visible_to
from treem.geo.models import UnitLevel


def unit_url(unit):
    return f"/units/{unit.system}/{unit.level}/{unit.code}/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_commune_worker_sees_her_commune_not_the_neighbour(client, worker_x, commune_x, commune_y):
    client.force_login(worker_x)
    assert client.get(unit_url(commune_x)).status_code == 200
    assert client.get(unit_url(commune_y)).status_code == 404
    page = client.get("/units/?level=commune").content.decode()
    assert commune_x.name in page and commune_y.name not in page


def test_commune_worker_cannot_reach_the_neighbour_through_the_api(worker_x, commune_x, commune_y):
    client = api(worker_x)
    assert client.get(f"/api/v1/units/{commune_x.pk}/").status_code == 200
    assert client.get(f"/api/v1/units/{commune_y.pk}/").status_code == 404
    listed = {row["code"] for row in client.get("/api/v1/units/?level=commune&system=current").json()["results"]}
    assert listed == {commune_x.code}


def test_commune_worker_sees_her_commune_history(worker_x, commune_x):
    legacy_codes = {u.code for u in units_visible_to(worker_x).filter(system="legacy", level=UnitLevel.COMMUNE)}
    sources = {c.legacy.code for c in commune_x.conversions_from.select_related("legacy")}
    assert legacy_codes == sources and sources


def test_province_officer_sees_every_commune_of_her_province_only(client, province_officer, commune_y, an_giang):
    client.force_login(province_officer)
    assert client.get(unit_url(commune_y)).status_code == 200
    other = an_giang.children.first()
    assert client.get(unit_url(other)).status_code == 404
    visible = units_visible_to(province_officer).filter(system="current", level=UnitLevel.COMMUNE)
    assert visible.count() == 38


def test_anonymous_is_sent_to_login_and_refused_by_the_api(client, commune_x):
    response = client.get(unit_url(commune_x))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert APIClient().get("/api/v1/units/").status_code in (401, 403)


def test_user_without_assignment_sees_nothing(make_user, commune_x):
    nobody = make_user("khong.phan.cong")
    assert not units_visible_to(nobody).exists()
    assert api(nobody).get(f"/api/v1/units/{commune_x.pk}/").status_code == 404


def test_viewer_cannot_write(make_user, lai_chau):
    leader = make_user("lanhdao", Role.LEADER, lai_chau)
    agency = Agency.objects.create(name="Sở Y tế", kind=AgencyKind.DEPARTMENT, province=lai_chau)
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=leader, agency=agency, data={"name": "Đổi tên"})
    with pytest.raises(PermissionDenied):
        services.user_create(actor=leader, username="moi", full_name="Mới", password=None)
    agency.refresh_from_db()
    assert agency.name == "Sở Y tế"
    assert not scope_for(leader).has(Capability.EDIT_CHILDREN)


def test_viewer_cannot_write_through_the_api(make_user, lai_chau):
    leader = make_user("lanhdao", Role.LEADER, lai_chau)
    client = api(leader)
    agency = Agency.objects.create(name="Sở Y tế", kind=AgencyKind.DEPARTMENT, province=lai_chau)
    assert client.post("/api/v1/agencies/", {"name": "X"}).status_code == 405
    assert client.patch(f"/api/v1/agencies/{agency.pk}/", {"name": "X"}).status_code == 405
    assert client.delete(f"/api/v1/units/{lai_chau.pk}/").status_code == 405


def test_viewer_and_commune_worker_cannot_open_django_admin(client, make_user, worker_x, lai_chau):
    client.force_login(worker_x)
    assert client.get("/admin/").status_code == 302
    client.force_login(make_user("lanhdao", Role.LEADER, lai_chau))
    response = client.post("/admin/accounts/user/add/", {"username": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_agency_reporter_sees_her_agency_and_province(make_user, lai_chau, an_giang):
    own = Agency.objects.create(name="Sở Y tế", kind=AgencyKind.DEPARTMENT, province=lai_chau)
    other = Agency.objects.create(name="Sở Y tế", kind=AgencyKind.DEPARTMENT, province=an_giang)
    reporter = make_user("soyte", Role.AGENCY_REPORTER, agency=own)
    visible = set(agencies_visible_to(reporter))
    assert own in visible and other not in visible
    assert scope_for(reporter).agency_ids(Capability.REPORT_FOR_AGENCY) == {own.pk}
    ids = {row["id"] for row in api(reporter).get("/api/v1/agencies/").json()["results"]}
    assert own.pk in ids and other.pk not in ids


def test_commune_worker_cannot_manage_users_of_the_neighbour(worker_x, commune_y, make_user):
    target = make_user("moi")
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=worker_x, user=target, role=Role.COMMUNE_WORKER, unit=commune_y)


def test_province_admin_cannot_assign_in_another_province(make_user, lai_chau, an_giang):
    admin = make_user("qt.laichau", Role.ADMINISTRATOR, lai_chau)
    target = make_user("moi")
    services.assignment_create(actor=admin, user=target, role=Role.COMMUNE_WORKER, unit=lai_chau.children.first())
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=admin, user=target, role=Role.COMMUNE_WORKER, unit=an_giang.children.first())


def test_expired_assignment_gives_no_scope(make_user, commune_x):
    from datetime import date

    user = make_user("cu")
    user.assignments.create(role=Role.COMMUNE_WORKER, unit=commune_x, valid_to=date(2025, 12, 31))
    assert not scope_for(user).grants
    assert not units_visible_to(user).exists()
