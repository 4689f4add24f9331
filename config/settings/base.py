"""Settings shared by every environment, read from environment variables.

The embedded default (no variables set) is a SQLite database under var/ and a secret generated once into var/.
Production uses config.settings.production, which refuses insecure values.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TREEM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key() -> str:
    """A per-installation key kept in var/ so a local run never uses a key from the repository."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DEMO_MODE = env_bool("TREEM_DEMO", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "treem.core",
    "treem.geo",
    "treem.accounts",
    "treem.access",
    "treem.audit",
    "treem.registry",
    "treem.registry.quality",
    "treem.cases",
    "treem.plans",
    "treem.childfriendly",
    "treem.indicators",
    "treem.reports",
    "treem.privacy",
    "treem.web",
    "treem.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "treem.core.guards.RejectNulMiddleware",  # NUL in a path, query or body: 400 (PostgreSQL refuses it in text)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "treem.accounts.middleware.PasswordChangeRequiredMiddleware",
    "treem.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "treem.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "treem.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'treem.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "treem.accounts.passwords.CharacterClassValidator"},
]
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); empty: clients connect directly.
TREEM_TRUSTED_PROXIES = env_list("TREEM_TRUSTED_PROXIES")
# Login throttling, kept in the cache (REDIS_URL in production so every process agrees; see treem.accounts.lockout).
# An account name: free failures, then a wait that doubles from one minute up to the cap. Never a lock an attacker can
# hold: a known device (cookie set at a successful login) or a correct second factor still gets in.
TREEM_LOGIN_ACCOUNT_FAILURES = int(os.environ.get("TREEM_LOGIN_ACCOUNT_FAILURES", "5"))
TREEM_LOGIN_ACCOUNT_MAX_WAIT = int(os.environ.get("TREEM_LOGIN_ACCOUNT_MAX_WAIT", "15"))  # minutes
# A client address (for any names): more room, as an office shares one address, then the same doubling wait.
TREEM_LOGIN_ADDRESS_FAILURES = int(os.environ.get("TREEM_LOGIN_ADDRESS_FAILURES", "20"))
TREEM_LOGIN_ADDRESS_MAX_WAIT = int(os.environ.get("TREEM_LOGIN_ADDRESS_MAX_WAIT", "60"))  # minutes
TREEM_LOGIN_FAILURE_MEMORY = int(os.environ.get("TREEM_LOGIN_FAILURE_MEMORY", "24"))  # hours failures are counted
TREEM_KNOWN_DEVICE_DAYS = int(os.environ.get("TREEM_KNOWN_DEVICE_DAYS", "180"))


def two_factor_roles(demo: bool) -> list[str]:
    """Roles that must use two-factor authentication; off for the demo unless TREEM_2FA_REQUIRED_ROLES is set."""
    default = "administrator,focal_officer,leader,auditor,case_worker"
    return env_list("TREEM_2FA_REQUIRED_ROLES", "" if demo else default)


TREEM_2FA_REQUIRED_ROLES = two_factor_roles(DEMO_MODE)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "treem")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic has not run (local runs)

# The adapter to the national population database used by linkage runs: the dotted path of a class implementing
# treem.registry.quality.linkage.PopulationRegistry (default: the extract files the commune police hand over).
TREEM_POPULATION_REGISTRY = os.environ.get(
    "TREEM_POPULATION_REGISTRY", "treem.registry.quality.linkage.CsvPopulationRegistry")

# The upload gate (treem.core.uploads), shared by every upload: limits on what a ZIP-based file (XLSX, ODS, DOCX, ODT)
# may unzip to, checked on its central directory before any parsing and again while reading; and on a sheet's shape.
# Sizes in bytes. The size of the file as received is each upload's own setting (the last four).
UPLOAD_DOCUMENT_UNZIPPED_MAX_BYTES = int(os.environ.get("UPLOAD_DOCUMENT_UNZIPPED_MAX_BYTES", 50 * 1024 * 1024))
UPLOAD_SPREADSHEET_UNZIPPED_MAX_BYTES = int(os.environ.get("UPLOAD_SPREADSHEET_UNZIPPED_MAX_BYTES", 250 * 1024 * 1024))
UPLOAD_ZIP_MEMBER_MAX_BYTES = int(os.environ.get("UPLOAD_ZIP_MEMBER_MAX_BYTES", 200 * 1024 * 1024))
UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("UPLOAD_ZIP_MAX_RATIO", 100))
UPLOAD_ZIP_MAX_MEMBERS = int(os.environ.get("UPLOAD_ZIP_MAX_MEMBERS", 1000))
UPLOAD_SHEET_MAX_COLUMNS = int(os.environ.get("UPLOAD_SHEET_MAX_COLUMNS", 200))
UPLOAD_SHEET_MAX_CELL_CHARS = int(os.environ.get("UPLOAD_SHEET_MAX_CELL_CHARS", 32767))  # Excel's own limit
UPLOAD_PARSE_SECONDS = int(os.environ.get("UPLOAD_PARSE_SECONDS", 20))
PLANS_PARSE_XML_MAX_BYTES = int(os.environ.get("PLANS_PARSE_XML_MAX_BYTES", 10 * 1024 * 1024))
PLANS_MAX_UPLOAD_BYTES = int(os.environ.get("PLANS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
CASES_MAX_UPLOAD_BYTES = int(os.environ.get("CASES_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
REGISTRY_IMPORT_MAX_BYTES = int(os.environ.get("REGISTRY_IMPORT_MAX_BYTES", 25 * 1024 * 1024))
TREEM_QUALITY_MAX_UPLOAD_MB = int(os.environ.get("TREEM_QUALITY_MAX_UPLOAD_MB", 50))

# The task queue lives in the database: no broker to run; workers on many machines share it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job not heard from for this long is taken for abandoned where the database cannot tell (SQLite); on
# PostgreSQL a dead worker is known at once (treem.core.jobs.recover_jobs).
JOB_STALE_MINUTES = int(os.environ.get("JOB_STALE_MINUTES", "15"))

# Rate limits, one-time challenges and throttles must be shared by every web process: the database (a table made by
# `treem bootstrap`, i.e. createcachetable) unless REDIS_URL gives Redis. Never process memory.
CACHES = {
    "default": {
        "BACKEND": "treem.core.cache.DatabaseCache",
        "LOCATION": "treem_cache",
        # Culling deletes rows in key order once this is passed: high enough that counters are not culled.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }

# Mail (round reminders, alerts): SMTP when EMAIL_HOST is set, else written to the log of the process.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "treem <no-reply@localhost>")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: its "WWW-Authenticate: Token" header makes a refused request answer 401, not 403.
        "treem.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # A JSON body must be an object ([] or "x" is a 400, not a 500 in a view that reads fields from it).
    "DEFAULT_PARSER_CLASSES": [
        "treem.core.guards.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "treem.core.guards.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "treem.api.throttles.UserThrottle",
        "treem.api.throttles.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "5000/hour", "anon": "100/hour", "login": "30/minute"},
}
# API tokens expire (treem.accounts.tokens); a service account's (the hotline system's) lasts longer as it cannot log in.
TREEM_API_TOKEN_HOURS = int(os.environ.get("TREEM_API_TOKEN_HOURS", "12"))
TREEM_SERVICE_TOKEN_HOURS = int(os.environ.get("TREEM_SERVICE_TOKEN_HOURS", str(90 * 24)))
SPECTACULAR_SETTINGS = {
    "TITLE": "treem API",
    "DESCRIPTION": "REST API of treem: child registry, protection cases, plans, indicators. Scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "treem.api.schema.document_errors"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
