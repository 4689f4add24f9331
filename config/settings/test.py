"""Test settings: the base settings with fast hashing and a quiet, deterministic environment."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2/Argon
DEMO_MODE = True
# Tests run with the production requirement of two-factor authentication (the demo turns it off).
TREEM_2FA_REQUIRED_ROLES = ["administrator", "focal_officer", "leader", "auditor", "case_worker"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# The API fuzzing (tests/foundation/test_api_fuzz.py) sends thousands of requests per user: no throttling there.
REST_FRAMEWORK = {**REST_FRAMEWORK,  # noqa: F405
                  "DEFAULT_THROTTLE_RATES": {"user": "1000000/hour", "anon": "1000000/hour", "login": "1000000/hour"}}
