"""Two-factor authentication: enrolment with a real TOTP, the login step, recovery codes, the role requirement, the
administrator's reset, and API tokens."""

from pathlib import Path

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from config.settings.base import two_factor_roles
from treem.accounts import two_factor
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.core.exceptions import NotAllowed

PASSWORD = "Mat-khau-2026!"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def enrolled(user, recovery=("abcd2345",)):
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for token in recovery:
        static.token_set.create(token=token)
    return device


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # django-otp's per-device wait after a wrong code is not under test here
def test_a_required_role_enrols_after_the_password_and_can_do_nothing_else_before(province_officer):
    browser = Client()
    response = login(browser, "tinh.laichau")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    # Nothing else until enrolled: pages send her back, the API (session) refuses.
    assert browser.get("/children/")["Location"].startswith("/accounts/2fa/setup/")
    assert browser.get("/audit/")["Location"].startswith("/accounts/2fa/setup/")
    api = browser.get("/api/v1/children/")
    assert api.status_code == 403 and api.json()["detail"] == "Hãy hoàn tất xác thực hai bước trước."

    page = browser.get(response["Location"]).content.decode()
    assert "Vai trò của bạn bắt buộc xác thực hai bước" in page
    assert 'src="data:image/svg+xml' in page  # the QR code is drawn here, no outside service
    device = TOTPDevice.objects.get(user=province_officer, confirmed=False)
    assert " ".join(page.split('id="totp-secret">')[1].split("<")[0].split()) == two_factor.secret_for_typing(device)
    assert browser.get(response["Location"]).status_code == 200
    assert TOTPDevice.objects.filter(user=province_officer).count() == 1  # a reload keeps the secret she scanned

    wrong = browser.post(response["Location"], {"code": other_than(code_for(device))})
    assert wrong.status_code == 200 and "Mã không đúng" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    done = browser.post(response["Location"], {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"].startswith("/accounts/2fa/recovery/")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes = list(StaticToken.objects.filter(device__user=province_officer).values_list("token", flat=True))
    assert len(codes) == 10
    shown = browser.get(done["Location"]).content.decode()
    assert all(code in shown for code in codes) and "sẽ không được hiển thị lại" in shown
    download = browser.get("/accounts/2fa/recovery/download/")
    assert download["Content-Type"].startswith("text/plain") and "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in codes)
    browser.post("/accounts/2fa/recovery/", {"action": "done", "next": "/"})
    # Shown once: afterwards only how many are left.
    again = browser.get("/accounts/2fa/recovery/").content.decode()
    assert not any(code in again for code in codes) and "Bạn còn 10 mã khôi phục" in again
    assert browser.get("/accounts/2fa/recovery/download/").status_code == 404
    assert browser.get("/children/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_enrolled", actor=province_officer).exists()


def test_login_asks_for_the_code_and_refuses_a_wrong_one(province_officer):
    device = enrolled(province_officer)
    browser = Client()
    response = login(browser, "tinh.laichau")
    assert response["Location"].startswith("/accounts/2fa/?")
    assert browser.get("/")["Location"].startswith("/accounts/2fa/")
    wrong = browser.post(response["Location"], {"code": other_than(code_for(device))})
    assert wrong.status_code == 200 and "Mã không đúng" in wrong.content.decode()
    assert browser.get("/")["Location"].startswith("/accounts/2fa/")
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=province_officer).count() == 1


def test_the_right_code_completes_the_login(province_officer):
    device = enrolled(province_officer)
    browser = Client()
    response = login(browser, "tinh.laichau")
    done = browser.post(response["Location"], {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert browser.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verified", actor=province_officer).exists()
    # The same code cannot be replayed in another session.
    thief = Client()
    step = login(thief, "tinh.laichau")["Location"]
    assert thief.post(step, {"code": code_for(device)}).status_code == 200


def test_a_recovery_code_works_once(province_officer):
    enrolled(province_officer, recovery=("abcd2345", "efgh6723"))
    browser = Client()
    step = login(browser, "tinh.laichau")["Location"]
    assert browser.post(step, {"code": "ABCD 2345"})["Location"] == "/"
    assert browser.get("/").status_code == 200
    event = AuditEvent.objects.get(action="auth.otp_recovery_used", actor=province_officer)
    assert event.summary["codes_left"] == 1
    browser.post("/accounts/logout/")
    step = login(browser, "tinh.laichau")["Location"]
    assert browser.post(step, {"code": "abcd2345"}).status_code == 200  # used up
    assert browser.get("/")["Location"].startswith("/accounts/2fa/")


def test_regenerated_recovery_codes_replace_the_old_ones(client, province_officer):
    enrolled(province_officer, recovery=("abcd2345",))
    client.force_login(province_officer)
    response = client.post("/accounts/2fa/recovery/", {"action": "regenerate"})
    assert response.status_code == 302
    new = list(StaticToken.objects.filter(device__user=province_officer).values_list("token", flat=True))
    assert len(new) == 10 and "abcd2345" not in new
    assert all(code in client.get(response["Location"]).content.decode() for code in new)
    assert two_factor.verify(province_officer, new[0]) is not None
    assert two_factor.verify(province_officer, "abcd2345") is None
    assert AuditEvent.objects.filter(action="auth.otp_recovery_regenerated", actor=province_officer).exists()


def test_roles_that_do_not_require_it_log_in_with_the_password(worker_x):
    response = login(Client(), "canbo.x")
    assert response.status_code == 302 and response["Location"] == "/"


@override_settings(TREEM_2FA_REQUIRED_ROLES=["administrator"])
def test_the_requirement_is_configured_per_role(province_officer, make_user):
    assert login(Client(), "tinh.laichau")["Location"] == "/"
    make_user("quantri.tinh", Role.ADMINISTRATOR)
    assert login(Client(), "quantri.tinh")["Location"].startswith("/accounts/2fa/setup/")


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.FOCAL_OFFICER, Role.LEADER, Role.AUDITOR,
                                  Role.CASE_WORKER])
def test_the_default_required_roles(make_user, role):
    user = make_user(f"nguoi.{role}", role)
    assert two_factor.is_required(user)


def test_the_demo_turns_the_requirement_off_unless_configured(monkeypatch):
    monkeypatch.delenv("TREEM_2FA_REQUIRED_ROLES", raising=False)
    assert two_factor_roles(demo=True) == []
    assert set(two_factor_roles(demo=False)) == {"administrator", "focal_officer", "leader", "auditor", "case_worker"}
    monkeypatch.setenv("TREEM_2FA_REQUIRED_ROLES", "leader")
    assert two_factor_roles(demo=True) == ["leader"]


def test_an_administrator_resets_a_users_two_factor_and_it_is_audited(client, national_admin, province_officer):
    enrolled(province_officer)
    client.force_login(national_admin)
    response = client.post("/admin/accounts/user/", {"action": "reset_two_factor",
                                                      "_selected_action": [province_officer.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=province_officer).exists()
    assert not StaticDevice.objects.filter(user=province_officer).exists()
    event = AuditEvent.objects.get(action="auth.otp_reset")
    assert event.actor == national_admin and event.object_id == str(province_officer.pk)
    # She enrols again at the next login.
    assert login(Client(), "tinh.laichau")["Location"].startswith("/accounts/2fa/setup/")


def test_only_an_administrator_of_the_users_scope_may_reset(make_user, province_officer, an_giang, worker_x):
    enrolled(worker_x)
    other_province_admin = make_user("quantri.angiang", Role.ADMINISTRATOR, an_giang)
    with pytest.raises(NotAllowed):
        two_factor.two_factor_reset(actor=other_province_admin, user=worker_x)
    with pytest.raises(NotAllowed):
        two_factor.two_factor_reset(actor=province_officer, user=worker_x)
    assert TOTPDevice.objects.filter(user=worker_x).exists()
    assert not AuditEvent.objects.filter(action="auth.otp_reset").exists()


def test_an_api_token_for_a_required_role_needs_the_code(province_officer, make_user, commune_x):
    api = APIClient()
    # Not enrolled yet: no token at all.
    refused = api.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": PASSWORD})
    assert refused.status_code == 403 and "token" not in refused.json()
    device = enrolled(province_officer)
    missing = api.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": PASSWORD})
    assert missing.status_code == 400 and missing.json()["otp_required"] and "token" not in missing.json()
    wrong = api.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": PASSWORD,
                                             "otp": other_than(code_for(device))})
    assert wrong.status_code == 400 and "token" not in wrong.json()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's per-device wait after the wrong code (a second), as if it had passed
    ok = api.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": PASSWORD, "otp": code_for(device)})
    assert ok.status_code == 200 and ok.json()["token"]
    assert AuditEvent.objects.filter(action="auth.token_issued", actor=province_officer).exists()
    # A role that does not require it still gets a token with the password alone.
    make_user("canbo.api", Role.COMMUNE_WORKER, commune_x)
    assert api.post("/api/v1/auth/token/", {"username": "canbo.api", "password": PASSWORD}).status_code == 200
    assert api.post("/api/v1/auth/token/", {"username": "canbo.api", "password": PASSWORD,
                                            "otp": "123456"}).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_leader_enrols_then_logs_in_with_a_recovery_code(live_server, make_user):
    from tests.browser import chromium_page
    from tests.browser import login as browser_login

    leader = make_user("lanhdao.tinh", Role.LEADER)
    with chromium_page() as page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("lanhdao.tinh")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/accounts/2fa/setup/**")
        assert page.get_by_role("img", name="Mã QR cho ứng dụng xác thực").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "two-factor-setup-phone.png"), full_page=True)
        # The helper enrols from the page's typed key, then later passes the step with a recovery code.
        browser_login(page, live_server.url, "lanhdao.tinh", PASSWORD)
        assert TOTPDevice.objects.get(user=leader).confirmed
        browser_login(page, live_server.url, "lanhdao.tinh", PASSWORD)
        assert "Xin chào" in page.locator("main").inner_text()
    assert AuditEvent.objects.filter(action="auth.otp_recovery_used", actor=leader).exists()


def test_the_admin_site_logs_in_through_treems_login(client, national_admin):
    # Its own form would skip the throttle and the second factor.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert client.post("/admin/login/?next=/admin/", {"username": "quantri", "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" not in client.session
    assert login(Client(), "quantri")["Location"].startswith("/accounts/2fa/setup/")


def test_an_administrator_resets_it_from_the_users_page(client, make_user, lai_chau, province_officer):
    enrolled(province_officer)
    province_admin = make_user("quantri.laichau", Role.ADMINISTRATOR, lai_chau)
    client.force_login(province_admin)
    page = client.get(f"/accounts/users/{province_officer.pk}/").content.decode()
    assert "Đặt lại xác thực hai bước" in page
    response = client.post(f"/accounts/users/{province_officer.pk}/2fa-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=province_officer).exists()
    assert AuditEvent.objects.get(action="auth.otp_reset").actor == province_admin
    assert "người dùng sẽ thiết lập lại" in client.get(response["Location"]).content.decode()
