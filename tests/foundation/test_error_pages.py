"""treem's own error pages: Vietnamese, a way home, and for 403 the roles that would be needed (issue 11)."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from config import urls as root_urls
from treem.accounts.models import Role


@pytest.fixture
def leader(make_user, lai_chau):
    return make_user("lanhdao.x", Role.LEADER, lai_chau)


def test_404_is_a_treem_page_in_vietnamese_with_a_way_home(client, worker_x):
    client.force_login(worker_x)
    response = client.get("/children/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page and 'href="/"' in page and "Về trang chủ" in page
    assert "Not Found" not in page and "The requested resource" not in page


def test_403_says_which_roles_would_be_needed(client, leader):
    # A leader reads the register but may not add a child: the page names the roles that may.
    client.force_login(leader)
    response = client.get("/children/new/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện việc này" in page and "Về trang chủ" in page
    assert "Cán bộ" in page  # a role that may edit children, by its Vietnamese label
    assert "403 Forbidden" not in page


def _boom(request):
    raise RuntimeError("a fault in a view")


# This module is also the URL configuration of the 500 test: treem's URLs and handlers, plus a view that fails.
urlpatterns = [path("boom/", _boom), *root_urls.urlpatterns]
handler500 = root_urls.handler500


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_a_treem_page_in_vietnamese(worker_x):
    client = Client(raise_request_exception=False)
    client.force_login(worker_x)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in page and "Về trang chủ" in page and "Server Error" not in page
