"""In a real browser (Debian's Chromium): the leader's home and the province dashboard, phone (390x844) and desktop
(1366x768), with screenshots in test-artifacts/ (looked at: the cards stack on a phone, nothing runs off the side)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser import chromium_page, login
from treem.accounts.models import Assignment, Role, User
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .dash_fixtures import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Mat-khau-lanh-dao-2026"


@pytest.fixture
def leader(transactional_db):
    call_command("load_units", stdout=StringIO())

    def unit(level, code):
        return Unit.objects.get(system=UnitSystem.CURRENT, level=level, code=code)

    lai_chau = unit(UnitLevel.PROVINCE, "12")
    world(lai_chau, unit(UnitLevel.COMMUNE, "03390"), unit(UnitLevel.COMMUNE, "03394"), unit(UnitLevel.PROVINCE, "91"))
    user = User.objects.create_user(username="lanhdao.laichau", password=PASSWORD, full_name="Lò Thị Lan")
    Assignment.objects.create(user=user, role=Role.LEADER, unit=lai_chau)
    return user


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"indicators-{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "height", "label"), [(390, 844, "phone"), (1366, 768, "desktop")])
def test_the_leaders_home_and_the_province_dashboard(live_server, leader, width, height, label):
    base = live_server.url
    with chromium_page(width, height) as page:
        login(page, base, "lanhdao.laichau", PASSWORD)
        panel = page.locator('[data-panel="targets"]')
        expect(panel).to_contain_text("Chỉ tiêu của tỉnh")
        expect(panel.locator('tr[data-status="off_track"]')).to_contain_text("Tỷ lệ xã, phường đạt tiêu chuẩn")
        expect(panel).to_contain_text("73,0% (2025)")
        shot(page, f"home-{label}")

        panel.get_by_role("link", name="Chỉ tiêu của tỉnh").click()
        page.wait_for_url(f"{base}/indicators/province/12/")
        cards = page.locator(".target-card")
        expect(cards).to_have_count(3)
        first = cards.first
        expect(first).to_have_attribute("data-status", "off_track")
        expect(first.locator(".baseline")).to_have_text("71,3% (2023)")
        expect(first.locator(".latest")).to_have_text("73,0% (2025)")
        expect(page.locator("main")).to_contain_text("chưa có số liệu nền")
        expect(page.locator("[data-as-of]")).to_contain_text("Số liệu tính đến")
        # nothing wider than the window
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"province-{label}")

        page.get_by_role("link", name="Chậm tiến độ (1)").click()
        expect(cards).to_have_count(1)

        page.get_by_role("link", name="Bảng điểm các xã").click()
        expect(page.locator("#pulling-down")).to_contain_text("Bình Lư")
        page.locator('#scorecard thead a[href*="sort=cfc_communes_share"]').click()
        expect(page.locator("#scorecard tbody tr").nth(1)).to_contain_text("Bình Lư")  # 60,5%: the lowest first
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the table scrolls, not the page
        shot(page, f"scorecard-{label}")

        page.goto(f"{base}/indicators/province/12/cfc_communes_share/")
        expect(page.locator("#line-chart svg title")).to_contain_text("Tỷ lệ xã, phường")
        expect(page.locator("#years-table")).to_contain_text("72,1%")
        expect(page.locator("#communes-table")).to_contain_text("88,3%")
        expect(page.locator("main")).to_contain_text("phần trăm (%)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"indicator-{label}")
