"""Phone-sized screenshots of the intake form proposing a child of the register and of the case's "add a child"
search (issue 11), in Debian's Chromium, as the demo users. Screenshots go to test-artifacts/."""

import re
from datetime import date

import pytest

from tests.browser import login
from tests.cases.test_browser import ARTIFACTS, browser, demo_users  # noqa: F401 - pytest fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"intake-matching-{name}.png"), full_page=True)


def test_the_hotline_links_a_registered_child_and_the_worker_searches_the_register(live_server, demo_users):  # noqa: F811
    from treem.cases.models import Case
    from treem.core.actors import SYSTEM
    from treem.geo.models import Unit
    from treem.registry import services as registry
    from treem.registry.reference import load_reference

    load_reference()
    commune = Unit.objects.get(name="Xã Bình Lư", system="current")
    dung = registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": "Vàng Thị Dung", "sex": "F", "birth_date": date(2017, 3, 12), "village": "Bản Nà Lừu"})
    registry.carer_link(actor=SYSTEM, child=dung, full_name="Vàng A Sử", relation="father", phone="0912345678",
                        primary=True)
    registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": "Vàng Thị Dung", "sex": "F", "birth_date": date(2016, 11, 2), "village": "Bản Mới"})
    registry.child_create(actor=SYSTEM, commune=commune, data={
        "full_name": "Lò Thị Hoa", "sex": "F", "birth_date": date(2016, 1, 5), "village": "Bản Mới"})
    base, password = live_server.url, demo_users
    with browser() as page:
        login(page, base, "tongdai.laichau", password)
        page.goto(f"{base}/cases/new/")
        page.locator("#id_commune").select_option(label="Xã Bình Lư")
        page.get_by_label("Bỏ mặc").check()
        page.locator("#id_narrative").fill("Người dân gọi 111: cháu gái bị bỏ mặc ở nhà một mình nhiều ngày.")
        page.locator("#id_child_name").fill("Vang Thi Dung")
        page.locator("#id_child_sex").select_option("F")
        page.locator("#id_child_age").fill("9")
        page.get_by_role("button", name="Ghi nhận và chuyển đi").last.click()
        card = page.locator("section.card")
        card.wait_for()
        text = card.inner_text()
        assert "Trẻ này đã có trong sổ theo dõi chưa?" in text and "Vàng Thị Dung" in text
        assert "sinh năm 2017" in text and "Bản Nà Lừu" in text and "Vàng A Sử" not in text  # minimal data
        assert not Case.objects.exists()
        shot(page, "01-intake-proposal")
        page.locator(f'input[name="child_match"][value="{dung.pk}"]').check()
        card.get_by_role("button", name="Ghi nhận và chuyển đi").click()
        page.wait_for_url(re.compile(r"/cases/intakes/[0-9a-f-]+/$"))
        case = Case.objects.get()
        assert [link.child_id for link in case.case_children.all()] == [dung.pk]

        login(page, base, "canbo.binhlu", password)
        page.goto(f"{base}/cases/{case.pk}/children/add/")
        assert "Lò Thị Hoa" not in page.locator("main").inner_text()  # no list of the commune
        page.locator("#id_q").fill("hoa")
        page.get_by_role("button", name="Tìm").click()
        page.wait_for_url(re.compile(r"\?q=hoa"))
        found = page.locator("#found-h").locator("xpath=..").inner_text()
        assert "Lò Thị Hoa" in found and "05/01/2016" in found and "Vàng Thị Dung" not in found
        shot(page, "02-add-child-search")
        page.get_by_role("button", name="Gắn trẻ này").click()
        page.wait_for_url(f"{base}/cases/{case.pk}/")
        assert "Lò Thị Hoa" in page.locator("main").inner_text()
