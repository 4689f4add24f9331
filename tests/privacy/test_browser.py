"""On a phone: an administrator reads the record of processing; a commune worker records a parent's request and
downloads the encrypted copy. Screenshots in test-artifacts/."""

import io
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from django.core.management import call_command

from tests.browser import chromium_page, login
from tests.conftest import current
from treem.accounts.models import Assignment, Role, User
from treem.core.actors import SYSTEM
from treem.geo.models import UnitLevel
from treem.privacy import reference as privacy_reference
from treem.registry import services
from treem.registry.reference import load_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOGIN_PASSWORD = "Mat-khau-2026!"
FILE_PASSWORD = "Mat-khau-phu-huynh-2026"


@pytest.fixture
def people(transactional_db):
    call_command("load_units", verbosity=0)
    load_reference()
    privacy_reference.load()
    commune = current(UnitLevel.COMMUNE, "03390")
    worker = User.objects.create_user(username="canbo.pdp", password=LOGIN_PASSWORD, full_name="Lò Thị Hoa")
    Assignment.objects.create(user=worker, role=Role.COMMUNE_WORKER, unit=commune)
    admin = User.objects.create_user(username="quantri.pdp", password=LOGIN_PASSWORD, full_name="Quản trị")
    Assignment.objects.create(user=admin, role=Role.ADMINISTRATOR, unit=None)
    services.child_create(actor=SYSTEM, commune=commune,
                          data={"full_name": "Lò Văn Páo", "sex": "M", "birth_date": "2018-03-04"})


def test_the_record_of_processing_on_a_phone(live_server, people):
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        login(page, live_server.url, "quantri.pdp", LOGIN_PASSWORD)
        page.get_by_role("link", name="Hồ sơ hoạt động xử lý dữ liệu cá nhân").first.click()
        page.wait_for_url("**/privacy/processing/")
        assert page.get_by_role("heading", name="Hồ sơ hoạt động xử lý dữ liệu cá nhân").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / "privacy-processing.png"), full_page=False)
        page.goto(f"{live_server.url}/privacy/retention/")
        assert "Chờ pháp chế tỉnh xác nhận" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / "privacy-retention.png"), full_page=False)


def test_a_worker_records_a_request_and_downloads_the_copy(live_server, people):
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        login(page, live_server.url, "canbo.pdp", LOGIN_PASSWORD)
        page.goto(f"{live_server.url}/privacy/access/")
        page.get_by_label("Tên hoặc số định danh cá nhân của trẻ").fill("pao")
        page.get_by_role("button", name="Tìm").click()
        page.get_by_role("link", name="Ghi nhận yêu cầu").click()
        page.wait_for_url("**/privacy/access/new/**")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / "privacy-access-request.png"), full_page=True)
        page.get_by_label("Họ tên người yêu cầu").fill("Lò Thị Mai")
        page.get_by_label("Quan hệ với trẻ").select_option(label="Mẹ")
        page.get_by_label("Giấy tờ tùy thân đã kiểm tra").select_option(label="Căn cước điện tử VNeID")
        page.get_by_label("Tôi đã kiểm tra giấy tờ tùy thân").check()
        page.get_by_label("Mật khẩu của tệp").fill(FILE_PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").fill(FILE_PASSWORD)
        page.get_by_role("button", name="Ghi nhận và chuẩn bị bản sao").click()
        page.wait_for_url("**/privacy/access/*/")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Tải tệp về").click()
        page.screenshot(path=str(ARTIFACTS / "privacy-access-done.png"), full_page=False)
        content = Path(download_info.value.path()).read_bytes()
    office = msoffcrypto.OfficeFile(io.BytesIO(content))
    office.load_key(password=FILE_PASSWORD, verify_password=True)
    plain = io.BytesIO()
    office.decrypt(plain)
    sheets = openpyxl.load_workbook(plain).sheetnames
    assert sheets[:2] == ["Về bản sao này", "Hồ sơ trẻ em"]
