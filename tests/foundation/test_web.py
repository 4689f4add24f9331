import re

from treem.accounts.models import Role


def test_home_page_in_vietnamese_shows_who_and_scope(client, worker_x):
    client.force_login(worker_x)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="vi"' in page
    assert "Xin chào" in page and "Vai trò và phạm vi của bạn" in page
    assert "Cán bộ bảo vệ trẻ em cấp xã" in page and "Xã Bình Lư, Tỉnh Lai Châu" in page
    assert "Đơn vị hành chính" in page  # a module she may open
    assert "Nhật ký truy cập" not in page  # one she may not


def test_leader_is_told_access_is_read_only(client, make_user, lai_chau):
    client.force_login(make_user("lanhdao", Role.LEADER, lai_chau))
    assert "Bạn chỉ có quyền xem." in client.get("/").content.decode()


def test_english_is_the_fallback_language(client, worker_x):
    client.force_login(worker_x)
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert "Your roles and scope" in page and 'lang="en"' in page


def test_csp_with_nonce_on_every_script(client, worker_x):
    client.force_login(worker_x)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy


def test_login_page_is_vietnamese_and_csrf_protected(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Đăng nhập" in page and "csrfmiddlewaretoken" in page
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 403


def test_assets_are_served_locally(client, worker_x):
    client.force_login(worker_x)
    page = client.get("/").content.decode()
    assert "http://" not in re.sub(r'xmlns="[^"]+"', "", page.split("<body")[0])
    assert "https://" not in page.split("<body")[0]


def test_unit_search_ignores_diacritics(client, province_officer):
    client.force_login(province_officer)
    page = client.get("/units/?q=binh lu&level=commune").content.decode()
    assert "Xã Bình Lư" in page


def test_dates_are_dd_mm_yyyy(client, province_officer, lai_chau):
    client.force_login(province_officer)
    page = client.get(f"/units/current/province/{lai_chau.code}/").content.decode()
    assert "01/07/2025" in page


def test_formats_use_decimal_comma():
    from treem.core.formats import format_number, format_percent

    assert format_percent(71.3) == "71,3%"
    assert format_number(1234567.5, 1) == "1.234.567,5"


def test_the_menu_offers_djangos_admin_only_to_those_it_lets_in(client, make_user, lai_chau, national_admin):
    """A province administrator (not staff) manages accounts on treem's page; Django's admin would turn her away."""
    province_admin = make_user("qt.tinh.menu", Role.ADMINISTRATOR, lai_chau)
    client.force_login(province_admin)
    page = client.get("/").content.decode()
    assert "/admin/" not in page and "/accounts/users/" in page
    assert client.get("/admin/").status_code == 302  # the admin's own refusal: to its login page
    client.force_login(national_admin)
    assert 'href="/admin/"' in client.get("/").content.decode()
