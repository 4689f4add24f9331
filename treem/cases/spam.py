"""Protection of the public reporting page, without any third-party service (there is no internet):

* per-address rate limits counted in the shared cache (the database, or Redis with REDIS_URL), so that every web
  process counts against the same limit;
* a honeypot field people do not see (hidden by CSS) and robots fill in;
* a minimum time between showing the form and sending it;
* a small sum to solve. The page carries only a random challenge id; the server keeps id -> (hash of the answer, time
  shown) in the shared cache, and a send consumes the challenge whatever the answer, so an id works once.
"""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from treem.core.client_ip import client_ip as real_client_ip

SALT = "treem.cases.public-report"
RATE_LIMIT = getattr(settings, "CASES_PUBLIC_REPORT_LIMIT", 5)  # reports ...
RATE_WINDOW = getattr(settings, "CASES_PUBLIC_REPORT_WINDOW", 3600)  # ... per address per this many seconds
ATTEMPT_LIMIT = getattr(settings, "CASES_PUBLIC_REPORT_ATTEMPTS", 30)  # sends, right or wrong, per window
MIN_SECONDS = getattr(settings, "CASES_PUBLIC_REPORT_MIN_SECONDS", 5)
MAX_AGE = 2 * 3600


def _answer_hash(challenge_id: str, answer: int) -> str:
    return salted_hmac(SALT, f"{challenge_id}:{answer}", algorithm="sha256").hexdigest()


def _challenge_key(challenge_id: str) -> str:
    return f"cases:public-report:challenge:{challenge_id}"


def new_challenge(now: float | None = None) -> tuple[str, str]:
    """(question, challenge id). The id is random: the answer and the time shown stay on the server."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    challenge_id = secrets.token_urlsafe(18)
    shown = int(now if now is not None else time.time())
    cache.set(_challenge_key(challenge_id), {"hash": _answer_hash(challenge_id, a + b), "t": shown}, MAX_AGE)
    return f"{a} + {b}", challenge_id


def check(challenge_id: str, answer, now: float | None = None) -> str:
    """"ok", "too_fast", "wrong" or "expired". Consumes the challenge: a second check of the same id is "expired"."""
    now = now if now is not None else time.time()
    key = _challenge_key(str(challenge_id)[:64])
    data = cache.get(key)
    # Only the request whose delete removed the entry may use it (delete is atomic in every shared backend).
    if data is None or not cache.delete(key) or now - data["t"] > MAX_AGE:
        return "expired"
    if now - data["t"] < MIN_SECONDS:
        return "too_fast"
    if answer is None or not constant_time_compare(_answer_hash(challenge_id, int(answer)), data["hash"]):
        return "wrong"
    return "ok"


def client_ip(request) -> str:
    """The address the limits are counted for: the client behind our trusted proxies (treem.core.client_ip)."""
    return real_client_ip(request) or "unknown"


def rate_limited(request) -> bool:
    """True when this address has sent RATE_LIMIT reports, or ATTEMPT_LIMIT forms (guessing the sum), in the window."""
    return (cache.get(_key(request, "reports"), 0) >= RATE_LIMIT
            or cache.get(_key(request, "attempts"), 0) >= ATTEMPT_LIMIT)


def take_report(request) -> bool:
    """Count a report about to be stored; False when it is over the limit (the counting and the test are one step,
    so that parallel sends from one address cannot all pass the limit)."""
    return _incr(_key(request, "reports")) <= RATE_LIMIT


def count_attempt(request) -> bool:
    """Count a send; False when it is over the limit."""
    return _incr(_key(request, "attempts")) <= ATTEMPT_LIMIT


def _incr(key: str) -> int:
    if cache.add(key, 1, RATE_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        return 1


def _key(request, what: str) -> str:
    return f"cases:public-report:{what}:{client_ip(request)}"
