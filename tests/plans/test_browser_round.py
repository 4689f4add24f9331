"""End to end in a real browser (Debian's Chromium, phone-sized): an agency reporter submits her annual report after
the deadline, the focal officer returns it, the agency resubmits, and the round's completeness and timeliness follow.
Screenshots of the main pages go to test-artifacts/."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser import chromium_page, login

from .conftest import SEED_002, overdue_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from treem.accounts import demo as accounts_demo
    from treem.accounts.models import User
    from treem.plans import demo as plans_demo

    settings.VAR_DIR = tmp_path
    call_command("load_units", stdout=StringIO())
    accounts_demo.load(StringIO())
    plans_demo.load(StringIO())
    password = (tmp_path / "demo_password").read_text().strip()
    # The demo keeps an existing user's password: when the package's demo_world is still loaded, set ours.
    for user in User.objects.filter(username__in=["tinh.angiang", "soyte.angiang", "quantri", "tinh.cantho"]):
        user.set_password(password)
        user.save(update_fields=["password"])
    return password


def stats(page, received, late, missing):
    expect(page.locator('[data-stat="received"]')).to_have_text(received)
    expect(page.locator('[data-stat="late"]')).to_have_text(late)
    expect(page.locator('[data-stat="missing"]')).to_have_text(missing)


def shows(page, *texts):
    for text in texts:
        expect(page.locator("main")).to_contain_text(text)


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"plans-{name}.png"), full_page=True)


def test_submit_return_resubmit_and_the_round_follows_then_the_main_pages(live_server, demo):
    from treem.plans.models import ReportingRound

    base = live_server.url
    round_url = f"{base}/plans/rounds/{ReportingRound.objects.get(province__code='91').pk}/"
    with chromium_page() as page:
        login(page, base, "tinh.angiang", demo)
        page.goto(round_url)
        stats(page, "8/12", "3", "4")

        # The health department's reporter: what she owes, then her report, late.
        login(page, base, "soyte.angiang", demo)
        page.get_by_role("link", name="Việc tôi phải báo cáo").first.click()
        shows(page, overdue_text())
        shot(page, "my-obligations")
        page.get_by_role("button", name="Soạn báo cáo").first.click()
        page.get_by_label("Kết quả thực hiện").fill("Năm 2026 Sở Y tế đã triển khai chương trình dinh dưỡng ở 102 xã.")
        page.get_by_role("button", name="Gửi báo cáo").click()
        shows(page, "tính là trễ hạn")
        shot(page, "submission-late")
        submission_url = page.url

        # The focal officer sees the round move, then returns the report.
        login(page, base, "tinh.angiang", demo)
        page.goto(round_url)
        stats(page, "9/12", "4", "3")
        page.locator('[data-agency="Sở Y tế"] a').click()
        page.get_by_label("Nội dung cần bổ sung, sửa").fill("Bổ sung số trẻ em suy dinh dưỡng thấp còi.")
        page.get_by_role("button", name="Trả lại để bổ sung").click()
        shows(page, "Đã trả lại báo cáo")
        page.goto(round_url)
        stats(page, "8/12", "3", "4")
        shows(page, "1 bị trả lại")

        # The agency corrects and resubmits.
        login(page, base, "soyte.angiang", demo)
        page.goto(f"{base}/plans/my/")
        shows(page, "bị trả lại để bổ sung")  # the in-app reminder
        page.get_by_role("link", name="Sửa và gửi lại").click()
        expect(page).to_have_url(submission_url)
        page.get_by_label("Kết quả thực hiện").fill("Năm 2026: dinh dưỡng ở 102 xã; 1.350 trẻ suy dinh dưỡng thấp còi.")
        page.get_by_role("button", name="Gửi lại báo cáo đã sửa").click()
        shows(page, "Đã gửi lại báo cáo đã sửa.")

        # The round counts it again, from the first submit time (late), and the officer accepts it.
        login(page, base, "tinh.angiang", demo)
        page.goto(round_url)
        stats(page, "9/12", "4", "3")
        expect(page.locator('[data-stat="on_time"]')).to_have_text("5")
        shows(page, "75,0%")  # completeness 9/12 with a decimal comma
        shot(page, "round")
        page.goto(submission_url)
        shows(page, "Gửi lại", "được tính")
        page.get_by_role("button", name="Tiếp nhận").click()
        shows(page, "Đã tiếp nhận báo cáo")
        shot(page, "submission-accepted")

        # The main pages, on the phone (one test: every browser test reloads the units after the flush).
        login(page, base, "quantri", demo)
        page.goto(f"{base}/plans/")
        shows(page, "Chỉ thị 28-CT/TW", "Kế hoạch 234/KH-UBND", "Chương trình 48-CTr/TU")
        shot(page, "cascade")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

        login(page, base, "tinh.cantho", demo)
        page.goto(f"{base}/plans/")
        page.get_by_role("link", name="Chương trình 61-CTr/TU").first.click()
        shows(page, "đạt 97,2%", "71,3%", "21/10/2024")
        shot(page, "document")
        page.goto(f"{base}/plans/tasks/?state=overdue")
        shows(page, "Quá hạn")
        shot(page, "tasks-overdue")
        page.goto(f"{base}/plans/agencies/")
        shot(page, "agencies")

        login(page, base, "tinh.angiang", demo)
        page.goto(f"{base}/plans/upload/")
        page.set_input_files("input[type=file]", str(SEED_002))
        page.get_by_role("button", name="Đọc văn bản").click()
        page.wait_for_url(re.compile(r".*/plans/drafts/.*"))
        shows(page, "Kiểm tra, sửa trước khi lưu", "không còn tồn tại")
        shot(page, "review")
