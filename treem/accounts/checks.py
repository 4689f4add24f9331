from django.conf import settings
from django.core.checks import Warning as CheckWarning


def cache_is_shared(app_configs=None, **kwargs):
    """Login throttling counts in the cache: a per-process cache lets an attacker spread guesses over the processes."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [CheckWarning("The cache is not shared between processes: login throttling counts per process.",
                             hint="Set REDIS_URL (see README).", id="treem.W001")]
    return []
