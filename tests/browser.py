"""Playwright driving Debian's Chromium (never a downloaded browser build)."""

import os
import shutil
from contextlib import contextmanager

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def chromium_page(width: int = 390, height: int = 844, locale: str = "vi-VN"):
    """A page in a phone-sized window (a commune worker's cheap phone)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: the test setup (scripts/ensure-chromium.sh) should install it")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
            page = context.new_page()
            page.set_default_timeout(20000)
            yield page
        finally:
            browser.close()


def login(page, base: str, username: str, password: str) -> None:
    """Sign in through the login page (any earlier session is dropped first) and wait for the home page.

    A user whose role requires two-factor authentication goes through its step like a person would: at the first login
    she enrols (the code computed from the secret the page offers), later she types a recovery code (one made for
    this login, since a TOTP code cannot be used twice within 30 seconds).
    """
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: url == f"{base}/" or "/accounts/2fa/" in url)
    if "/accounts/2fa/setup/" in page.url:
        _enrol(page, username)
    elif "/accounts/2fa/" in page.url:
        _second_factor(page, username)
    page.wait_for_url(f"{base}/")


def _enrol(page, username: str) -> None:
    from base64 import b32decode

    from django_otp.oath import totp

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã", exact=True).fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Bật xác thực hai bước").click()
    page.get_by_role("button", name="Tôi đã lưu các mã").click()


def _second_factor(page, username: str) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.filter(user__username=username).first()
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    page.get_by_label("Mã", exact=True).fill(token)
    page.get_by_role("button", name="Xác nhận").click()
