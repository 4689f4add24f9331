"""A real browser (Playwright driving Debian's Chromium) logs in as a demo user and sees the Vietnamese home page."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser import chromium_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("bootstrap", "--demo", stdout=StringIO())
    return (tmp_path / "demo_password").read_text().strip()


def test_demo_user_logs_in_and_sees_vietnamese_home(live_server, demo):
    with chromium_page() as page:
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url
        page.get_by_label("Tên đăng nhập").fill("canbo.binhlu")
        page.get_by_label("Mật khẩu").fill(demo)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/")
        body = page.locator("main").inner_text()
        assert "Xin chào" in body
        assert "Cán bộ bảo vệ trẻ em cấp xã" in body and "Xã Bình Lư, Tỉnh Lai Châu" in body
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "home-phone.png"), full_page=True)
        # The commune worker cannot open the neighbouring commune's page.
        response = page.goto(f"{live_server.url}/units/current/commune/03394/")
        assert response.status == 404


def test_wrong_password_shows_a_vietnamese_error(live_server, demo):
    with chromium_page() as page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("canbo.binhlu")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        assert "/accounts/login/" in page.url
        assert page.get_by_role("alert").is_visible()




@pytest.mark.parametrize("username", ["canbo.binhlu", "quantri"])
def test_the_desktop_menu_stays_on_one_line(live_server, demo, username):
    # The commune worker has the most entries; at a common laptop width the menu must not wrap onto two lines.
    with chromium_page(width=1366, height=900) as page:
        login(page, live_server.url, username, demo)  # the administrator passes her second factor there
        links = page.locator("nav .navbar-nav.me-auto .nav-link")
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        heights = {round(links.nth(i).bounding_box()["height"]) for i in range(links.count())}
        assert links.count() >= 5 and len(tops) == 1 and max(heights) < 50, (tops, heights)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"menu-desktop-{username}.png"))
