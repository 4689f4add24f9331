"""On a phone and on a desktop: a province administrator creates a commune worker, who logs in with the shown password
and must choose her own. Screenshots in test-artifacts/."""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser import chromium_page, login
from tests.conftest import current
from treem.accounts.models import Assignment, Role, User
from treem.geo.models import UnitLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Mat-khau-2026!"


@pytest.fixture
def province_admin(transactional_db):
    call_command("load_units", verbosity=0)
    admin = User.objects.create_user(username="quantri.laichau", password=PASSWORD, full_name="Tẩn Văn Khải")
    Assignment.objects.create(user=admin, role=Role.ADMINISTRATOR, unit=current(UnitLevel.PROVINCE, "12"))
    worker = User.objects.create_user(username="canbo.binhlu", password=PASSWORD, full_name="Lò Thị Hoa")
    Assignment.objects.create(user=worker, role=Role.COMMUNE_WORKER, unit=current(UnitLevel.COMMUNE, "03390"))
    return admin


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_province_admin_creates_an_account_and_the_worker_logs_in(live_server, province_admin, size):
    ARTIFACTS.mkdir(exist_ok=True)
    name = "phone" if size[0] < 600 else "desktop"
    with chromium_page(*size) as page:
        login(page, live_server.url, "quantri.laichau", PASSWORD)
        if name == "phone":
            page.locator(".navbar-toggler").click()
        page.get_by_role("link", name="Tài khoản người dùng").first.click()
        page.wait_for_url("**/accounts/users/")
        assert page.get_by_text("Lò Thị Hoa").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / f"users-list-{name}.png"), full_page=True)

        page.get_by_role("link", name="Tài khoản mới").click()
        page.get_by_label("Tên đăng nhập").fill(f"canbo.moi.{name}")
        page.get_by_label("Họ và tên").fill("Giàng Thị Mẩy")
        page.get_by_label("Vai trò").select_option(label="Cán bộ bảo vệ trẻ em cấp xã")
        page.get_by_label("Tỉnh hoặc xã").select_option(label="Xã Bình Lư")
        page.screenshot(path=str(ARTIFACTS / f"users-new-{name}.png"), full_page=True)
        page.get_by_role("button", name="Tạo tài khoản").click()
        password = page.get_by_test_id("password").inner_text().strip()
        assert page.get_by_role("heading", name="Đã tạo tài khoản").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"users-password-{name}.png"), full_page=True)

        page.get_by_role("link", name="Quay lại tài khoản").click()
        assert page.get_by_text("Xã Bình Lư, Tỉnh Lai Châu").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / f"users-account-{name}.png"), full_page=True)

        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(f"canbo.moi.{name}")
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/accounts/password/")
        assert page.get_by_text("hãy đặt mật khẩu của riêng bạn").is_visible()
