"""In a real browser (Debian's Chromium, phone-sized), as the demo commune worker of Xã Bình Lư: the merge screen
(pick a value field by field, merge, see both histories) and the cleaning round (make the list, download the sheet,
fill it in, upload it, review, apply). Screenshots go to test-artifacts/."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser import chromium_page, login
from treem.core.actors import SYSTEM
from treem.registry import services as registry
from treem.registry.models import Child, ChildStatus
from treem.registry.quality import cleaning, duplicates
from treem.registry.quality.models import CleaningRound, DuplicatePair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from treem.accounts import demo as accounts_demo
    from treem.geo.models import Unit
    from treem.registry.reference import load_reference

    settings.VAR_DIR = tmp_path
    call_command("load_units", stdout=StringIO())
    load_reference()
    accounts_demo.load(StringIO())
    commune = Unit.objects.get(system="current", level="commune", code="03390")

    def add(name, born, sex="M", carer="", **data):
        child = registry.child_create(actor=SYSTEM, commune=commune, data={
            "full_name": name, "sex": sex, "birth_date": born, "ethnicity": data.pop("ethnicity", "Thái"), **data})
        if carer:
            registry.carer_link(actor=SYSTEM, child=child, full_name=carer, relation="mother", primary=True)
        return child

    first = add("Lò Văn Sơn", date(2017, 3, 4), carer="Lường Thị Ơn", personal_id="012217000011",
                village="Bản Nà Khuồng")
    add("Lo Van Son", date(2017, 3, 4), carer="Luong Thi On", village="Bản Nà Khuồng", school="Trường Tiểu học Bình Lư")
    add("Giàng A Páo", date(2019, 8, 21), carer="Thào Thị Dợ", ethnicity="")
    for i, name in enumerate(["Tòng Văn Kiên", "Cầm Thị Xoan", "Lò Thị Mai", "Vàng A Chứ", "Lý Thị Mẩy"]):
        add(name, date(2012 + i, i + 1, 10 + i), sex="F" if "Thị" in name else "M", carer="Quàng Thị Inh",
            personal_id=f"0122{12 + i}00{i:04d}"[:12] if i % 2 else "")
    duplicates.run_duplicates([commune])
    return (tmp_path / "demo_password").read_text().strip(), commune, first


def shot(page, name, full=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"quality-{name}.png"), full_page=full)


def test_merge_screen_and_cleaning_review_as_the_commune_worker(live_server, demo, tmp_path):
    password, _commune, first = demo
    pair = DuplicatePair.objects.get()
    first_side = "a" if pair.child_a_id == first.pk else "b"
    other_side = "b" if first_side == "a" else "a"
    base = live_server.url
    with chromium_page() as page:
        login(page, base, "canbo.binhlu", password)
        page.get_by_role("link", name="Chất lượng dữ liệu").first.click()
        expect(page.locator("h1")).to_have_text("Xã Bình Lư")
        page.get_by_role("button", name="Kiểm tra ngay").click()
        expect(page.get_by_role("link", name="Xem kết quả")).to_be_visible(timeout=30000)
        page.get_by_role("link", name="Xem kết quả").click()
        expect(page.locator("main")).to_contain_text("Chưa có số định danh cá nhân")
        shot(page, "commune", full=False)

        # The merge screen: both records side by side, the weights that made the matcher propose them.
        page.get_by_role("link", name="Hồ sơ nghi trùng").first.click()
        page.get_by_role("link", name="Lò Văn Sơn · Lo Van Son").or_(
            page.get_by_role("link", name="Lo Van Son · Lò Văn Sơn")).click()
        expect(page.locator("h1")).to_contain_text("Cùng một trẻ?")
        expect(page.locator("main")).to_contain_text("ngày sinh trùng khớp")
        shot(page, "merge-screen")
        page.locator(f'input[name="survivor"][value="{first_side}"]').check()
        page.locator(f'input[name="choice_full_name"][value="{first_side}"]').check()
        page.locator(f'input[name="choice_school"][value="{other_side}"]').check()
        page.get_by_role("button", name="Gộp thành một hồ sơ").click()
        expect(page.locator("main")).to_contain_text("Hai hồ sơ đã được gộp")
        expect(page.locator("main")).to_contain_text("trên hồ sơ đã gộp Lo Van Son")
        shot(page, "merged-history")

        # The cleaning round: make the list, download the sheet, fill it in, upload, review, apply.
        page.goto(f"{base}/children/quality/cleaning/")
        page.get_by_role("button", name="Lập danh sách").click()
        expect(page.locator("h1")).to_contain_text("Danh sách trẻ em cần xác minh")
        shot(page, "cleaning-list", full=False)
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải bảng tính (XLSX)").click()
        path = tmp_path / "xac-minh.xlsx"
        download.value.save_as(path)
        workbook = load_workbook(path)
        sheet = workbook.active
        header = next(r[0].row for r in sheet.iter_rows(max_row=10) if r[0].value == "STT")
        cols = {c.value: c.column for c in sheet[header] if c.value}
        paos = next(r for r in range(header + 1, sheet.max_row + 1)
                    if sheet.cell(r, cols["Họ và tên"]).value == "Giàng A Páo")
        sheet.cell(paos, cols["Số định danh cá nhân (đã xác minh)"]).value = "012219000202"
        sheet.cell(paos, cols["Dân tộc (đã xác minh)"]).value = "Mông"
        sheet.cell(paos, cols[cleaning.POLICE_HEADER]).value = "Đã xác minh"
        workbook.save(path)
        page.locator("#file").set_input_files(str(path))
        page.get_by_role("button", name="Tải lên để xem xét").click()
        expect(page.locator("h1")).to_have_text("Xem xét bản đã xác minh")
        expect(page.locator("main")).to_contain_text("Chưa có gì thay đổi trong sổ")
        expect(page.locator("main")).to_contain_text("012219000202")
        shot(page, "cleaning-review")
        page.get_by_role("button", name="Cập nhật các thay đổi đã chọn").click()
        expect(page.locator("main")).to_contain_text("Đã cập nhật vào sổ: 2 thay đổi của 1 trẻ")
        shot(page, "cleaning-applied", full=False)
    # Database checks come after the browser is closed: an ORM query inside Playwright's event loop would open a
    # connection of its own that outlives the test (and PostgreSQL then refuses to drop the test database).
    kept = Child.objects.get(pk=first.pk)
    assert kept.school == "Trường Tiểu học Bình Lư" and kept.full_name == "Lò Văn Sơn"
    assert Child.objects.get(full_name="Lo Van Son").status == ChildStatus.MERGED
    paos = Child.objects.get(full_name="Giàng A Páo")
    assert paos.personal_id == "012219000202" and paos.ethnicity == "Mông"
    assert CleaningRound.objects.get().status == "applied"
