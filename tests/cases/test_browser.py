"""A hotline report becomes a closed case through every step in the UI, as the demo users, in Debian's Chromium on a
phone-sized screen. Screenshots of the main pages go to test-artifacts/."""

import re
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from tests.browser import chromium_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def demo_users(transactional_db, settings, tmp_path):
    """Units, holidays, deadline rules and the demo users (not the other modules' demo data: not needed here)."""
    from treem.accounts import demo as accounts_demo
    from treem.cases import reference
    from treem.core.calendar import seed_calendar

    settings.VAR_DIR = tmp_path
    call_command("load_units", stdout=StringIO())
    year = timezone.localdate().year
    seed_calendar(range(year - 1, year + 2))
    reference.load()
    accounts_demo.load(StringIO())
    ARTIFACTS.mkdir(exist_ok=True)
    return (tmp_path / "demo_password").read_text().strip()


@contextmanager
def browser(**kwargs):
    """Playwright's sync API runs the test body in a greenlet with its own context, so ORM calls made inside it open
    their own database connection: close it before leaving, or PostgreSQL cannot drop the test database."""
    with chromium_page(**kwargs) as page:
        try:
            yield page
        finally:
            connections.close_all()


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"cases-{name}.png"), full_page=True)


def test_a_hotline_report_becomes_a_closed_case_through_every_step(live_server, demo_users):
    from treem.cases.models import Case, Stage

    base, password = live_server.url, demo_users
    today = timezone.localdate()
    with browser() as page:
        # 1. The province's hotline operator records the report (Form 01).
        login(page, base, "tongdai.laichau", password)
        page.get_by_role("link", name="Ghi nhận tin báo").first.click()
        page.get_by_label("Xã, phường nơi xảy ra").select_option(label="Xã Bình Lư")
        page.get_by_label("Bạo lực").check()
        page.get_by_label("Nội dung sự việc").fill("Người dân gọi 111: cháu gái bị cha dượng đánh, "
                                                   "có vết bầm ở tay, hiện đang ở nhà hàng xóm.")
        page.get_by_label("Tên trẻ em").fill("Lò Thị Mai")
        page.get_by_label("Giới tính").select_option(label="Nữ")
        page.get_by_label("Tuổi (ước tính)").fill("8")
        page.get_by_label("Họ tên người báo tin").fill("Bà Tẩn Thị Sử")
        shot(page, "01-intake-form")
        page.get_by_role("button", name="Ghi nhận và chuyển đi").click()
        page.wait_for_url(re.compile(r"/cases/intakes/[0-9a-f-]+/$"))
        case = Case.objects.get()
        assert case.reference in page.locator("main").inner_text()
        assert "đã được chuyển đến Xã Bình Lư" in page.locator("main").inner_text()
        shot(page, "02-intake-recorded")
        assert page.goto(f"{base}/cases/{case.pk}/").status == 404  # not the case file

        # 2. The commune worker is alerted, assesses (Forms 02, 03) and drafts the plan (Form 04).
        login(page, base, "canbo.binhlu", password)
        page.goto(f"{base}/cases/")
        page.get_by_role("link", name=f"Tin báo mới {case.reference} cho Xã Bình Lư").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        assert "Lò Thị Mai" in page.locator("main").inner_text()
        shot(page, "03-case-new")
        page.get_by_role("link", name="Đánh giá ban đầu (Mẫu 02)").click()
        page.get_by_label("Mức độ nguy cơ").select_option(label="Trung bình")
        page.get_by_label("Kết luận").fill("Trẻ đang ở nơi an toàn, cần đánh giá chi tiết.")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        page.get_by_role("link", name="Đánh giá chi tiết và họp (Mẫu 03)").click()
        page.get_by_label("Nhu cầu của trẻ em").fill("Hỗ trợ tâm lý, khám sức khỏe, tư vấn cho mẹ.")
        page.get_by_label("Tâm lý, tình cảm").fill("Sợ hãi khi về nhà")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        page.get_by_role("link", name="Lập kế hoạch hỗ trợ, can thiệp (Mẫu 04)").click()
        page.get_by_label("Mục tiêu của kế hoạch").fill("Bảo đảm an toàn và phục hồi tâm lý cho trẻ.")
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(re.compile(r"/plan/\d+/$"))
        page.locator("#id_kind").select_option(label="Hỗ trợ tâm lý")
        page.get_by_label("Dịch vụ, nhiệm vụ").fill("Tư vấn tâm lý 4 buổi")
        assert page.get_by_label("Bắt đầu").input_value() == today.strftime("%d/%m/%Y")
        page.get_by_label("Dự kiến kết thúc").fill((today + timedelta(days=30)).strftime("%d/%m/%Y"))
        page.get_by_label("Người thực hiện").fill("Cán bộ bảo vệ trẻ em xã")
        page.get_by_label("Kinh phí (đồng)").fill("1200000")
        page.get_by_role("button", name="Thêm dịch vụ").click()
        page.wait_for_url(re.compile(r"/plan/\d+/$"))
        assert "Tư vấn tâm lý 4 buổi" in page.locator("main").inner_text()
        shot(page, "04-plan-draft")
        page.get_by_role("button", name="Trình Chủ tịch UBND xã").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        assert "Chờ phê duyệt" in page.locator("main").inner_text()

        # 3. The commune chair approves (Form 05).
        login(page, base, "chutich.binhlu", password)
        page.goto(f"{base}/cases/")
        page.get_by_role("link", name=f"Kế hoạch của hồ sơ {case.reference} chờ đồng chí phê duyệt").click()
        page.get_by_role("link", name="Quyết định phê duyệt kế hoạch (Mẫu 05)").click()
        shot(page, "05-plan-approval")
        page.get_by_role("button", name="Phê duyệt kế hoạch").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        assert "Thực hiện kế hoạch" in page.locator("main").inner_text()
        # the chair's alert no longer says the plan is waiting: it says what was decided
        page.goto(f"{base}/cases/alerts/")
        alerts = page.locator("main").inner_text()
        assert f"Kế hoạch của hồ sơ {case.reference}: đã được phê duyệt" in alerts and "chờ đồng chí" not in alerts
        shot(page, "05b-alerts-after-approval")

        # 4. The worker records the service and the review (Form 06), and closes the case.
        login(page, base, "canbo.binhlu", password)
        page.goto(f"{base}/cases/{case.pk}/")
        page.get_by_role("link", name="Ghi nhận dịch vụ").click()
        page.get_by_label("Nội dung đã thực hiện").fill("Đã tư vấn đủ 4 buổi, trẻ ổn định.")
        page.get_by_label("Dịch vụ đã hoàn thành").check()
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        page.get_by_role("link", name="Rà soát, đánh giá kế hoạch (Mẫu 06)").click()
        page.get_by_label("Kết quả thực hiện kế hoạch").fill("Các dịch vụ đã hoàn thành; trẻ an toàn.")
        page.get_by_label("Đóng hồ sơ").check()
        page.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        page.get_by_role("link", name="Đóng hồ sơ").first.click()
        page.get_by_label("Lý do").fill("Trẻ an toàn, mục tiêu của kế hoạch đã đạt.")
        page.get_by_role("button", name="Đóng hồ sơ").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        text = page.locator("main").inner_text()
        assert "Đã đóng" in text and "Đóng hồ sơ" in text
        shot(page, "06-case-closed")
        case.refresh_from_db()
        assert case.stage == Stage.CLOSED
        kinds = list(case.events.values_list("kind", flat=True))
        assert kinds[:2] == ["received", "forwarded"] and kinds[-1] == "closed"
        page.get_by_role("link", name="DOCX").first.wait_for()


def test_screenshots_of_the_main_pages_with_demo_cases(live_server, demo_users):
    from treem.cases import demo

    demo.load(StringIO())
    base, password = live_server.url, demo_users
    with browser() as page:
        page.goto(f"{base}/cases/report/")
        assert "Báo tin về trẻ em cần được bảo vệ" in page.locator("main").inner_text()
        shot(page, "10-public-report")
        login(page, base, "canbo.binhlu", password)
        page.goto(f"{base}/cases/")
        shot(page, "11-dashboard-worker")
        page.goto(f"{base}/cases/list/")
        shot(page, "12-list")
        page.get_by_role("link", name=re.compile(r"^BC-")).first.click()
        shot(page, "13-case")
        login(page, base, "canbo.tinh.laichau", password)
        page.goto(f"{base}/cases/due/?days=7")
        assert "quá hạn" in page.locator("main").inner_text()
        shot(page, "14-due-province")
        login(page, base, "ctxh.laichau", password)
        page.goto(f"{base}/cases/referrals/")
        page.get_by_role("link", name=re.compile("Trung tâm công tác xã hội")).first.click()
        shot(page, "15-referral-agency")
    with browser(width=1280, height=900) as page:
        login(page, base, "canbo.tinh.laichau", password)
        page.goto(f"{base}/cases/due/")
        shot(page, "16-due-desktop")
