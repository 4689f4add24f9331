"""Production: PostgreSQL, gunicorn, HTTPS. Refuses to start with insecure configuration."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, env_bool, two_factor_roles
from .checks import insecure_settings

if problems := insecure_settings(os.environ, DEBUG):
    raise ImproperlyConfigured("treem refuses to start in production: " + "; ".join(problems) + ".")

DEMO_MODE = env_bool("TREEM_DEMO", False)
TREEM_2FA_REQUIRED_ROLES = two_factor_roles(DEMO_MODE)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
