"""In a real browser (Debian's Chromium): a commune worker fills in a criterion, attaches the council's minutes and
submits on her phone; the provincial officer corrects a score with a reason, appraises and recognises on a desktop.
Screenshots at phone and desktop size go to test-artifacts/."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import chromium_page, login

from .conftest import PDF, fill, window_around

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"cfc-{name}.png"), full_page=True)


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    from treem.accounts import demo as accounts_demo
    from treem.accounts.models import Assignment, Role
    from treem.childfriendly.reference import load_standard

    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_units", stdout=StringIO())
    accounts_demo.load(StringIO())
    load_standard()
    window_around(timezone.localdate())
    password = (tmp_path / "demo_password").read_text().strip()
    worker = Assignment.objects.filter(role=Role.COMMUNE_WORKER, unit__code="03390").first().user
    officer = Assignment.objects.filter(role=Role.FOCAL_OFFICER, unit__code="12").first().user
    for user in (worker, officer):
        user.set_password(password)
        user.save(update_fields=["password"])
    return worker, officer, password


def test_self_assessment_on_a_phone_then_appraisal_and_recognition(live_server, people, tmp_path):
    from treem.childfriendly.models import Assessment, ScoreChange, Status

    worker, officer, password = people
    base = live_server.url
    year = timezone.localdate().year
    minutes = tmp_path / "bien-ban.pdf"
    minutes.write_bytes(PDF)
    with chromium_page() as page:
        login(page, base, worker.username, password)
        page.goto(f"{base}/child-friendly/")
        page.get_by_label("Năm").select_option(str(year))
        page.get_by_role("button", name="Bắt đầu tự đánh giá").click()
        expect(page.locator("h1")).to_contain_text("Tự đánh giá Xã Bình Lư")
        assessment = Assessment.objects.get(commune__code="03390", year=year)
        fill(assessment, worker)  # twelve criteria typed through the service; criterion 7 through the page
        page.goto(f"{base}/child-friendly/{assessment.pk}/criterion/7/")
        page.locator("#v-7\\.1").fill("120")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator(".alert-danger")).to_contain_text("giá trị phải từ 0 đến 100")
        page.locator("#v-7\\.1").fill("96,5")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lưu số liệu tiêu chí 7")
        shot(page, "phone-assessment")
        page.locator("#kind").select_option("minutes")
        page.locator("#title").fill("Biên bản Hội đồng đánh giá")
        page.locator("#file").set_input_files(str(minutes))
        page.get_by_role("button", name="Đính kèm").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã đính kèm tệp")
        page.locator("#declared_total").fill("999")
        page.get_by_role("button", name="Nộp lên tỉnh").click()
        expect(page.locator(".alert-danger")).to_contain_text("không khớp")
        page.locator("#declared_total").fill("1000")
        page.get_by_role("button", name="Nộp lên tỉnh").click()
        expect(page.locator("#status")).to_have_text("Đã nộp")
        shot(page, "phone-submitted")
    with chromium_page(width=1366, height=900) as page:
        login(page, base, officer.username, password)
        page.goto(f"{base}/child-friendly/{assessment.pk}/")
        page.locator("#ccrit").select_option("3")
        page.locator("#points").fill("40")
        page.locator("#reason").fill("Một trẻ bị xâm hại chưa được ghi nhận")
        page.get_by_role("button", name="Điều chỉnh điểm").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã điều chỉnh điểm tiêu chí 3")
        expect(page.locator("#total")).to_have_text("965")
        page.get_by_role("button", name="Đồng ý và ghi nhận đã thẩm định").click()
        expect(page.locator("#status")).to_have_text("Đã thẩm định")
        shot(page, "desktop-appraised")
        page.goto(f"{base}/child-friendly/province/12/?year={year}")
        page.get_by_label("Xã Bình Lư").check()
        page.locator("#signer").fill("Nguyễn Văn Bình")
        page.get_by_role("button", name="Công nhận các xã đã chọn").click()
        expect(page.locator(".alert-success")).to_contain_text("01/QĐ-UBND")
        shot(page, "desktop-province")
        with page.expect_download() as download:
            page.get_by_role("link", name="DOCX").first.click()
        assert download.value.suggested_filename == f"quyet-dinh-{year}.docx"
    with chromium_page() as page:
        login(page, base, officer.username, password)
        page.goto(f"{base}/child-friendly/province/12/?year={year}")
        shot(page, "phone-province")
    assert Assessment.objects.get(pk=assessment.pk).status == Status.RECOGNISED
    assert ScoreChange.objects.filter(assessment=assessment, by=officer, new=40).exists()
