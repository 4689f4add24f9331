"""Login throttling by account name and by client address, in the shared cache (Redis in production).

* An address that fails for any names gets, after TREEM_LOGIN_ADDRESS_FAILURES failures, a wait that doubles from one
  minute up to TREEM_LOGIN_ADDRESS_MAX_WAIT: a guessing robot is slowed, then refused. The address is the client's
  behind our trusted proxies (treem.core.client_ip), so the proxy's own address is never throttled for everyone.
* An account name gets, after TREEM_LOGIN_ACCOUNT_FAILURES failures, the same doubling wait up to
  TREEM_LOGIN_ACCOUNT_MAX_WAIT. It is never a lock an attacker can hold: a browser where the person logged in before
  (a signed "known device" cookie) is not throttled (it has its own failure count), and a correct second factor
  given with the password gets in at once.

Counters live TREEM_LOGIN_FAILURE_MEMORY hours; a successful login clears the account's (never the address's: an
attacker could log into an account of her own to clear it).
"""

import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from treem.audit.services import record
from treem.core.client_ip import client_ip


class AuthAction(StrEnum):
    """The audit actions of authentication (filter the log with "auth.")."""

    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGIN_THROTTLED = "auth.login_throttled"
    OTP_VERIFIED = "auth.otp_verified"
    OTP_FAILED = "auth.otp_failed"
    OTP_ENROLLED = "auth.otp_enrolled"
    OTP_RECOVERY_USED = "auth.otp_recovery_used"
    OTP_RECOVERY_REGENERATED = "auth.otp_recovery_regenerated"
    OTP_RESET = "auth.otp_reset"
    TOKEN_ISSUED = "auth.token_issued"  # noqa: S105 (an action name, not a secret)


LOGIN_OK = AuthAction.LOGIN
LOGIN_FAILED = AuthAction.LOGIN_FAILED

DEVICE_SALT = "treem.accounts.known-device"
ACCOUNT, ADDRESS, DEVICE = "account", "address", "device"


@dataclass(frozen=True)
class Throttle:
    """A login that must wait: which counter holds it and for how many seconds."""

    limit: str
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    def message(self) -> str:
        return _("Too many failed log-ins. Try again in %(minutes)s minutes.") % {"minutes": self.minutes}


def normalise(username) -> str:
    return str(username or "").strip().lower()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]  # any name or address becomes a safe cache key


def _key(kind: str, ident: str) -> str:
    return f"treem:login:{kind}:{_digest(ident)}"


def _address(request) -> str:
    return client_ip(request) or "unknown"


def _wait(kind: str, ident: str) -> int:
    until = cache.get(_key(kind, ident) + ":until")
    return max(0, math.ceil(until - time.time())) if until else 0


def _count_failure(kind: str, ident: str, free: int, cap_minutes: int) -> int:
    """Add one failure; from the `free`-th on, start a wait of 1, 2, 4... minutes up to the cap. Returns the count."""
    key = _key(kind, ident)
    memory = settings.TREEM_LOGIN_FAILURE_MEMORY * 3600
    cache.add(key + ":n", 0, memory)
    try:
        failures = cache.incr(key + ":n")  # atomic in Redis: concurrent failures are all counted
    except ValueError:  # expired between add and incr
        cache.set(key + ":n", 1, memory)
        failures = 1
    if failures >= free:
        wait = min(cap_minutes * 60, 60 * 2 ** min(failures - free, 20))
        cache.set(key + ":until", time.time() + wait, wait)
    return failures


def _clear(kind: str, ident: str) -> None:
    cache.delete_many([_key(kind, ident) + ":n", _key(kind, ident) + ":until"])


# Known devices -------------------------------------------------------------------------------------------------------

def device_cookie_name(username: str) -> str:
    # One cookie per account, so that several officers sharing an office computer each keep theirs.
    return "treem_device_" + _digest(normalise(username))[:16]


def _device_nonce(request, username: str) -> str | None:
    """The id of this browser's known-device cookie for the account, if it holds a valid one."""
    username = normalise(username)
    value = request.COOKIES.get(device_cookie_name(username)) if username else None
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=settings.TREEM_KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username or not isinstance(data.get("n"), str):
        return None
    return data["n"]


def known_device(request, username: str) -> bool:
    """A browser where this account logged in before, that has not itself failed too often since."""
    nonce = _device_nonce(request, username)
    return nonce is not None and _wait(DEVICE, nonce) == 0


def remember_device(response, request, username: str) -> None:
    """After a complete login (password and, when needed, second factor): mark this browser as known."""
    username = normalise(username)
    nonce = _device_nonce(request, username) or secrets.token_urlsafe(12)
    response.set_cookie(
        device_cookie_name(username), signing.dumps({"u": username, "n": nonce}, salt=DEVICE_SALT),
        max_age=settings.TREEM_KNOWN_DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


# Checking and counting ----------------------------------------------------------------------------------------------

def check(request, username: str) -> Throttle | None:
    """The wait this login attempt is under, or None when it may go ahead now."""
    username = normalise(username)
    if known_device(request, username):
        return None
    waits = [Throttle(ADDRESS, _wait(ADDRESS, _address(request)))]
    if username:
        waits.append(Throttle(ACCOUNT, _wait(ACCOUNT, username)))
    longest = max(waits, key=lambda t: t.seconds)
    return longest if longest.seconds > 0 else None


def note_failure(request, username: str) -> None:
    """A wrong password or second-factor code: counted for the address, the account and the known device if any."""
    username = normalise(username)
    nonce = _device_nonce(request, username) if request is not None else None
    if nonce is not None:
        # A known device is not throttled by the others' failures; its own failures count against it alone first.
        _count_failure(DEVICE, nonce, settings.TREEM_LOGIN_ACCOUNT_FAILURES, settings.TREEM_LOGIN_ACCOUNT_MAX_WAIT)
    _count_failure(ADDRESS, _address(request), settings.TREEM_LOGIN_ADDRESS_FAILURES,
                   settings.TREEM_LOGIN_ADDRESS_MAX_WAIT)
    if username:
        _count_failure(ACCOUNT, username, settings.TREEM_LOGIN_ACCOUNT_FAILURES, settings.TREEM_LOGIN_ACCOUNT_MAX_WAIT)


def note_success(request, username: str) -> None:
    username = normalise(username)
    _clear(ACCOUNT, username)
    if (nonce := _device_nonce(request, username)) is not None:
        _clear(DEVICE, nonce)


def record_throttled(request, username: str, throttle: Throttle) -> None:
    record(None, AuthAction.LOGIN_THROTTLED, request=request,
           summary={"username": normalise(username), "limit": throttle.limit, "wait_seconds": throttle.seconds})
