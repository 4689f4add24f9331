import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from treem.accounts import services
from treem.accounts.models import Agency, AgencyKind, Role
from treem.audit.models import AuditEvent


def test_service_writes_an_audit_event_with_the_change(national_admin, lai_chau):
    agency = services.agency_create(actor=national_admin, name="Sở Y tế", kind=AgencyKind.DEPARTMENT,
                                    province=lai_chau)
    services.agency_update(actor=national_admin, agency=agency, data={"short_name": "SYT"})
    events = AuditEvent.objects.filter(object_id=str(agency.pk)).order_by("id")
    assert [e.action for e in events] == ["accounts.agency.create", "accounts.agency.update"]
    update = events.last()
    assert update.actor == national_admin and update.unit == lai_chau
    assert update.summary == {"short_name": ["", "SYT"]}


def test_audit_event_rolls_back_with_the_service(national_admin, lai_chau):
    class Boom(Exception):
        pass

    before = AuditEvent.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        services.agency_create(actor=national_admin, name="Sở Tạm", kind=AgencyKind.DEPARTMENT, province=lai_chau)
        raise Boom
    assert AuditEvent.objects.count() == before
    assert not Agency.objects.filter(name="Sở Tạm").exists()


def test_invalid_write_leaves_no_audit_event(national_admin, lai_chau):
    from django.core.exceptions import ValidationError

    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.assignment_create(actor=national_admin, user=national_admin, role=Role.COMMUNE_WORKER, unit=lai_chau)
    assert AuditEvent.objects.count() == before


def test_password_never_appears_in_the_log(client, worker_x):
    client.force_login(worker_x)
    response = client.post("/accounts/password/", {
        "old_password": "Mat-khau-2026!", "new_password1": "Moi-mat-khau-9!", "new_password2": "Moi-mat-khau-9!"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="accounts.user.password_change")
    assert "Moi-mat-khau" not in str(event.summary)
    worker_x.refresh_from_db()
    assert worker_x.check_password("Moi-mat-khau-9!")


def test_weak_password_is_refused(client, worker_x):
    client.force_login(worker_x)
    response = client.post("/accounts/password/", {
        "old_password": "Mat-khau-2026!", "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    worker_x.refresh_from_db()
    assert worker_x.check_password("Mat-khau-2026!")


@override_settings(TREEM_LOGIN_ACCOUNT_FAILURES=3)
def test_login_is_throttled_after_repeated_failures(client, worker_x):
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "canbo.x", "password": "sai"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "canbo.x", "password": "Mat-khau-2026!"})
    assert response.status_code == 429  # from a browser that never logged in, the right password must wait
    assert "Thử lại sau 1 phút" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", summary__username="canbo.x").count() == 3
    assert AuditEvent.objects.filter(action="auth.login_throttled", summary__username="canbo.x").exists()
    # The API token endpoint honours the same throttle.
    api = APIClient().post("/api/v1/auth/token/", {"username": "canbo.x", "password": "Mat-khau-2026!"})
    assert api.status_code == 429 and api.json()["retry_after"] > 0


def test_successful_login_is_logged(client, worker_x):
    response = client.post("/accounts/login/", {"username": "canbo.x", "password": "Mat-khau-2026!"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=worker_x).exists()


def test_auditor_browses_and_filters_the_log(client, make_user, national_admin, lai_chau):
    services.agency_create(actor=national_admin, name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, province=lai_chau)
    auditor = make_user("kiemtoan", Role.AUDITOR)
    client.force_login(auditor)
    page = client.get("/audit/?action=accounts.agency.create").content.decode()
    assert f"{national_admin.full_name} đã tạo cơ quan Sở Tư pháp" in page
    assert "Sở Tư pháp" not in client.get("/audit/?action=auth.").content.decode()


def test_province_auditor_sees_only_her_province(client, make_user, national_admin, lai_chau, an_giang):
    services.agency_create(actor=national_admin, name="Sở A", kind=AgencyKind.DEPARTMENT, province=lai_chau)
    services.agency_create(actor=national_admin, name="Sở B", kind=AgencyKind.DEPARTMENT, province=an_giang)
    client.force_login(make_user("kt.laichau", Role.AUDITOR, lai_chau))
    page = client.get("/audit/").content.decode()
    assert "Sở A" in page and "Sở B" not in page


def test_commune_worker_cannot_read_the_log(client, worker_x):
    client.force_login(worker_x)
    assert client.get("/audit/").status_code == 403


def test_admin_changes_are_in_the_audit_log(client, national_admin, lai_chau):
    agency = Agency.objects.create(name="Sở Xây dựng", kind=AgencyKind.DEPARTMENT, province=lai_chau)
    client.force_login(national_admin)
    response = client.post(f"/admin/accounts/agency/{agency.pk}/change/", {
        "name": "Sở Xây dựng tỉnh Lai Châu", "short_name": "SXD", "kind": "department", "province": lai_chau.pk,
        "succeeded_by-TOTAL_FORMS": "0", "succeeded_by-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.change", object_id=str(agency.pk))
    assert event.actor == national_admin and "Sở Xây dựng tỉnh Lai Châu" in event.object_repr
    agency.refresh_from_db()
    assert agency.name_folded == "so xay dung tinh lai chau"
