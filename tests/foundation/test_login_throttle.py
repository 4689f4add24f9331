"""Login throttling that an attacker cannot turn against the people who use treem (issue 12, finding 3).

Behind the reverse proxy every request comes from the proxy's address: the throttle must key on the client behind it,
and a known username must not be lockable by someone who merely knows it.
"""

import ipaddress

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from treem.accounts import lockout
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.cases import spam
from treem.core.client_ip import client_ip, parse_ip

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.66"
REAL_USER = "198.51.100.7"
PASSWORD = "Mat-khau-2026!"

behind_proxy = override_settings(TREEM_TRUSTED_PROXIES=["10.0.0.0/24"])


def via_proxy(client_address: str, forged: str = "") -> dict:
    """What nginx sends: its own address, and the client's appended to whatever X-Forwarded-For the client sent."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{forged}, {client_address}" if forged else client_address}


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra.pop("data", {})},
                       **extra)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@behind_proxy
def test_failures_for_made_up_names_behind_the_proxy_do_not_lock_out_a_real_user(worker_x):
    attacker = Client()
    for i in range(25):
        response = login(attacker, f"khong.co.{i}", "sai-mat-khau", **via_proxy(ATTACKER, forged=f"192.0.2.{i}"))
        assert response.status_code in (200, 429)
    # Another person behind the same proxy logs in at once.
    response = login(Client(), "canbo.x", PASSWORD, **via_proxy(REAL_USER))
    assert response.status_code == 302 and response["Location"] == "/"
    # The events show the clients' addresses, never the proxy's.
    ips = set(AuditEvent.objects.filter(action__startswith="auth.login").values_list("ip", flat=True))
    assert ips == {ATTACKER, REAL_USER}


@behind_proxy
def test_the_attackers_address_is_slowed_then_refused_longer(worker_x):
    attacker = Client()
    for i in range(20):
        assert login(attacker, f"khong.co.{i}", "sai", **via_proxy(ATTACKER)).status_code == 200
    # Now even a right password from that address waits: a guessing robot gets nothing more.
    response = login(attacker, "canbo.x", PASSWORD, **via_proxy(ATTACKER))
    assert response.status_code == 429 and "Thử lại sau 1 phút" in response.content.decode()
    event = AuditEvent.objects.filter(action="auth.login_throttled").latest("id")
    assert event.summary["limit"] == "address" and event.ip == ATTACKER
    # When the wait is over (its key expired), the next failure doubles it.
    cache.delete(lockout._key(lockout.ADDRESS, ATTACKER) + ":until")
    assert login(attacker, "khong.co.x", "sai", **via_proxy(ATTACKER)).status_code == 200
    response = login(attacker, "khong.co.y", "sai", **via_proxy(ATTACKER))
    assert response.status_code == 429 and "Thử lại sau 2 phút" in response.content.decode()


def test_wrong_passwords_for_a_known_name_do_not_stop_its_owner_on_her_known_device(worker_x):
    own_phone = Client(REMOTE_ADDR=REAL_USER)
    assert login(own_phone, "canbo.x", PASSWORD).status_code == 302  # the device cookie is set here
    own_phone.post("/accounts/logout/")
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(6):
        login(attacker, "canbo.x", "doan-mat-khau")
    # The account is throttled for any new browser, even with the right password...
    assert login(attacker, "canbo.x", PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR=REAL_USER), "canbo.x", PASSWORD).status_code == 429
    # ...but not for the browser she logged in with before.
    response = login(own_phone, "canbo.x", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert own_phone.get("/").status_code == 200
    throttled = AuditEvent.objects.filter(action="auth.login_throttled", summary__username="canbo.x")
    assert throttled.filter(summary__limit="account").count() == 3  # the attacker's 6th try and the two above


def test_a_forged_device_cookie_counts_for_nothing(worker_x):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(6):
        login(attacker, "canbo.x", "doan-mat-khau")
    attacker.cookies[lockout.device_cookie_name("canbo.x")] = "canbo.x:gia-mao"
    assert login(attacker, "canbo.x", PASSWORD).status_code == 429


def test_a_known_device_that_keeps_failing_loses_its_privilege(worker_x):
    phone = Client(REMOTE_ADDR=REAL_USER)
    assert login(phone, "canbo.x", PASSWORD).status_code == 302
    phone.post("/accounts/logout/")
    for _ in range(5):
        assert login(phone, "canbo.x", "sai").status_code == 200
    assert login(phone, "canbo.x", PASSWORD).status_code == 429


def test_a_second_factor_gets_its_owner_in_while_her_account_is_throttled(province_officer):
    device = TOTPDevice.objects.create(user=province_officer, name="default", confirmed=True)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(6):
        login(attacker, "tinh.laichau", "doan-mat-khau")
    new_browser = Client(REMOTE_ADDR=REAL_USER)
    refused = login(new_browser, "tinh.laichau", PASSWORD)
    assert refused.status_code == 429 and 'name="otp"' in refused.content.decode()
    # A wrong code with the right password answers exactly like a wrong password: the throttle tests no passwords.
    wrong_code = login(new_browser, "tinh.laichau", PASSWORD, data={"otp": "000000" if code_for(device) != "000000"
                                                                    else "111111"})
    wrong_password = login(new_browser, "tinh.laichau", "sai", data={"otp": code_for(device)})
    assert wrong_code.status_code == wrong_password.status_code == 429
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's own per-device wait after the wrong code above (a second), as if it passed
    response = login(new_browser, "tinh.laichau", PASSWORD, data={"otp": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert new_browser.get("/").status_code == 200  # the second factor was given: no further step
    assert AuditEvent.objects.filter(action="auth.otp_verified", actor=province_officer).exists()


@behind_proxy
def test_the_api_token_endpoint_behaves_the_same(worker_x, province_officer):
    device = TOTPDevice.objects.create(user=province_officer, name="default", confirmed=True)
    attacker = APIClient()
    for i in range(20):
        attacker.post("/api/v1/auth/token/", {"username": f"khong.co.{i}", "password": "sai"},
                      **via_proxy(ATTACKER, forged=f"192.0.2.{i}"))
    # The attacker's address is refused; a colleague behind the same proxy gets her token.
    refused = attacker.post("/api/v1/auth/token/", {"username": "canbo.x", "password": PASSWORD}, **via_proxy(ATTACKER))
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"] == "Đăng nhập sai quá nhiều lần. Thử lại sau 1 phút."
    ok = APIClient().post("/api/v1/auth/token/", {"username": "canbo.x", "password": PASSWORD}, **via_proxy(REAL_USER))
    assert ok.status_code == 200 and ok.json()["token"]
    # A known name: throttled after 5 wrong passwords, except with the second factor.
    for _ in range(5):
        attacker.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": "sai"},
                      **via_proxy("203.0.113.99"))
    client = APIClient()
    assert client.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": PASSWORD},
                       **via_proxy(REAL_USER)).status_code == 429
    ok = client.post("/api/v1/auth/token/", {"username": "tinh.laichau", "password": PASSWORD,
                                             "otp": code_for(device)}, **via_proxy(REAL_USER))
    assert ok.status_code == 200 and ok.json()["token"]


# The client address behind trusted proxies --------------------------------------------------------------------------

TRUSTED = ["10.0.0.0/8", "2001:db8:ffff::/48", "192.168.1.1"]


def request_with(remote, xff=None):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def is_trusted(text: str) -> bool:
    address = ipaddress.ip_address(text)
    return any(address.version == net.version and address in net
               for net in (ipaddress.ip_network(p, strict=False) for p in TRUSTED))


@override_settings(TREEM_TRUSTED_PROXIES=TRUSTED)
@pytest.mark.parametrize(("remote", "xff", "expected"), [
    ("10.1.2.3", "6.6.6.6, 1.1.1.1, 10.0.0.2", "1.1.1.1"),  # right-most not ours; 6.6.6.6 may be forged
    ("10.1.2.3", "1.1.1.1", "1.1.1.1"),
    ("10.1.2.3", " 1.1.1.1:5678 ,10.9.9.9", "1.1.1.1"),
    ("10.1.2.3", "[2001:db8::7]:443", "2001:db8::7"),
    ("10.1.2.3", "::ffff:5.6.7.8", "5.6.7.8"),
    ("10.1.2.3", "nonsense, 10.0.0.5", None),  # a broken chain: nothing left of it can be believed
    ("10.1.2.3", "10.0.0.5, 192.168.1.1", None),  # only our proxies
    ("10.1.2.3", None, None),
    ("8.8.8.8", "1.1.1.1", "8.8.8.8"),  # not from our proxy: the header is the client's own word, ignored
    ("2001:db8:ffff::1", "2001:db8::9", "2001:db8::9"),
])
def test_client_ip_takes_the_right_most_address_that_is_not_a_trusted_proxy(remote, xff, expected):
    assert client_ip(request_with(remote, xff)) == expected


@override_settings(TREEM_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(request_with("10.1.2.3", "1.1.1.1")) == "10.1.2.3"


hop = st.one_of(
    st.ip_addresses().map(str),
    st.sampled_from(["10.0.0.1", "10.255.0.9", "192.168.1.1", "2001:db8:ffff::5", "::ffff:10.0.0.3",
                     "[2001:db8:ffff::1]:80", "10.0.0.1:8080", "unknown", "", " ", "fe80::1%eth0", "1.2.3.4.5"]),
    st.text(max_size=30),
)


@override_settings(TREEM_TRUSTED_PROXIES=TRUSTED)
@settings(max_examples=300, deadline=None)
@given(remote=hop, hops=st.lists(hop, max_size=6), sep=st.sampled_from([",", ", ", " ,"]),
       raw=st.one_of(st.none(), st.text(max_size=60)))
def test_client_ip_never_crashes_never_returns_a_proxy_or_garbage(remote, hops, sep, raw):
    xff = raw if raw is not None else sep.join(hops)
    result = client_ip(request_with(remote, xff))
    if result is not None:
        assert parse_ip(result) is not None and str(ipaddress.ip_address(result)) == result
        assert not is_trusted(result)
        # It is one of the addresses that came with the request (REMOTE_ADDR or a hop), normalised.
        sources = [parse_ip(remote), *(parse_ip(h) for h in (xff or "").split(","))]
        assert ipaddress.ip_address(result) in sources


@behind_proxy
def test_the_public_report_rate_limit_counts_the_client_not_the_proxy():
    one = RequestFactory().get("/", **via_proxy("198.51.100.1"))
    other = RequestFactory().get("/", **via_proxy("198.51.100.2"))
    assert spam.client_ip(one) == "198.51.100.1" and spam.client_ip(other) == "198.51.100.2"


def test_a_successful_login_clears_the_accounts_count(worker_x):
    browser = Client(REMOTE_ADDR=REAL_USER)
    for _ in range(4):
        login(browser, "canbo.x", "sai")
    assert login(browser, "canbo.x", PASSWORD).status_code == 302
    browser.post("/accounts/logout/")
    for _ in range(4):
        login(Client(REMOTE_ADDR=ATTACKER), "canbo.x", "sai")
    assert login(Client(REMOTE_ADDR="198.51.100.8"), "canbo.x", PASSWORD).status_code == 302


def test_throttle_message_rounds_up_to_whole_minutes():
    assert lockout.Throttle(lockout.ACCOUNT, 61).minutes == 2
    assert lockout.Throttle(lockout.ACCOUNT, 5).minutes == 1


def test_required_role_user_is_not_let_in_by_a_device_cookie_alone(make_user, commune_x):
    # A known device only lifts the throttle; it never replaces the second factor.
    officer = make_user("ctxh.x", Role.CASE_WORKER, commune_x)
    device = TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    browser = Client(REMOTE_ADDR=REAL_USER)
    response = login(browser, "ctxh.x", PASSWORD)
    assert response["Location"].startswith("/accounts/2fa/")
    assert browser.post(response["Location"], {"code": code_for(device)}).status_code == 302
    browser.post("/accounts/logout/")
    response = login(browser, "ctxh.x", PASSWORD)
    assert response["Location"].startswith("/accounts/2fa/")
    assert browser.get("/").status_code == 302


@behind_proxy
def test_the_apis_rate_limits_count_the_client_whatever_address_it_forges():
    """DRF's own throttles key anonymous requests by the client's X-Forwarded-For: a new forged address per request
    was a new bucket. treem's throttles (the defaults in settings) key them by the address behind our proxies."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    from treem.api.throttles import AnonThrottle, UserThrottle

    assert {t.__name__ for t in api_settings.DEFAULT_THROTTLE_CLASSES} == {"AnonThrottle", "UserThrottle"}
    forged = [RequestFactory().get("/api/v1/units/", **via_proxy(ATTACKER, forged=f"192.0.2.{n}")) for n in range(3)]
    assert len({AnonRateThrottle().get_ident(r) for r in forged}) == 3  # the hole, in DRF's own class
    assert {AnonThrottle().get_ident(r) for r in forged} == {ATTACKER}
    assert {UserThrottle().get_ident(r) for r in forged} == {ATTACKER}
    other = RequestFactory().get("/api/v1/units/", **via_proxy(REAL_USER))
    assert AnonThrottle().get_ident(other) == REAL_USER
