"""A commune worker on a phone exports her list: Xuất Excel, the password twice, and an encrypted file downloads."""

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
from treem.registry import services
from treem.registry.reference import load_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOGIN_PASSWORD = "Mat-khau-2026!"
FILE_PASSWORD = "Mat-khau-xuat-2026!"


@pytest.fixture
def worker(transactional_db):
    """Units and reference data (an earlier browser test may have flushed them), a worker and two children."""
    call_command("load_units", verbosity=0)
    load_reference()
    commune = current(UnitLevel.COMMUNE, "03390")
    user = User.objects.create_user(username="canbo.xuat", password=LOGIN_PASSWORD, full_name="Lò Thị Hoa")
    Assignment.objects.create(user=user, role=Role.COMMUNE_WORKER, unit=commune)
    for name, sex in [("Lò Văn Páo", "M"), ("Giàng Thị Mỷ", "F")]:
        services.child_create(actor=SYSTEM, commune=commune,
                              data={"full_name": name, "sex": sex, "birth_date": "2018-03-04"})
    return user


def test_commune_worker_exports_an_encrypted_excel_file(live_server, worker):
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        login(page, live_server.url, "canbo.xuat", LOGIN_PASSWORD)
        page.goto(f"{live_server.url}/children/")
        page.get_by_role("link", name="Xuất Excel").click()
        page.wait_for_url("**/children/export/?format=xlsx*")
        assert page.get_by_role("heading", name="Xuất danh sách trẻ em").is_visible()
        assert "Sẽ xuất 2 trẻ em." in page.locator("main").inner_text()
        assert page.get_by_label("Excel (.xlsx), mở bằng mật khẩu").is_checked()
        page.get_by_label("Mật khẩu của tệp").fill(FILE_PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").fill(FILE_PASSWORD)
        page.screenshot(path=str(ARTIFACTS / "registry-export.png"), full_page=True)
        with page.expect_download() as info:
            page.get_by_role("button", name="Xuất tệp").click()
        download = info.value
        assert download.suggested_filename.startswith("danh-sach-tre-em-")
        assert download.suggested_filename.endswith(".xlsx")
        content = Path(download.path()).read_bytes()
    office = msoffcrypto.OfficeFile(io.BytesIO(content))
    office.load_key(password=FILE_PASSWORD, verify_password=True)
    plain = io.BytesIO()
    office.decrypt(plain)
    rows = list(openpyxl.load_workbook(plain).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["Giàng Thị Mỷ", "Lò Văn Páo"]
