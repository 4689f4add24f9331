"""Protection of the public reporting page, without any third-party service (there is no internet):

* a per-address rate limit kept in the cache;
* a honeypot field people do not see (hidden by CSS) and robots fill in;
* a minimum time between showing the form and sending it;
* a small sum to solve, whose answer travels signed with the form (no server state).
"""

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "treem.cases.public-report"
RATE_LIMIT = getattr(settings, "CASES_PUBLIC_REPORT_LIMIT", 5)  # reports ...
RATE_WINDOW = getattr(settings, "CASES_PUBLIC_REPORT_WINDOW", 3600)  # ... per address per this many seconds
ATTEMPT_LIMIT = getattr(settings, "CASES_PUBLIC_REPORT_ATTEMPTS", 30)  # sends, right or wrong, per window
MIN_SECONDS = getattr(settings, "CASES_PUBLIC_REPORT_MIN_SECONDS", 5)
MAX_AGE = 2 * 3600


def new_challenge(now: float | None = None) -> tuple[str, str]:
    """(question, signed token). The token carries the answer and the time the form was shown."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"sum": a + b, "t": int(now if now is not None else time.time())}, salt=SALT)
    return f"{a} + {b}", token


def check(token: str, answer, now: float | None = None) -> str:
    """"ok", "too_fast", "wrong" or "expired"."""
    now = now if now is not None else time.time()
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "wrong"
    if now - data["t"] > MAX_AGE:
        return "expired"
    if now - data["t"] < MIN_SECONDS:
        return "too_fast"
    return "ok" if answer is not None and int(answer) == data["sum"] else "wrong"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request) -> bool:
    """True when this address has sent RATE_LIMIT reports, or ATTEMPT_LIMIT forms (guessing the sum), in the window."""
    return (cache.get(_key(request, "reports"), 0) >= RATE_LIMIT
            or cache.get(_key(request, "attempts"), 0) >= ATTEMPT_LIMIT)


def count_submission(request) -> None:
    _incr(_key(request, "reports"))


def count_attempt(request) -> None:
    _incr(_key(request, "attempts"))


def _incr(key: str) -> None:
    if cache.add(key, 1, RATE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)


def _key(request, what: str) -> str:
    return f"cases:public-report:{what}:{client_ip(request)}"
