"""Settings for the 足利市 電子契約ポータル.

Everything that differs between machines comes from the environment (django-environ); see
``.env.example`` for the list. ``DJANGO_ENV`` is ``development`` (default: ``make run`` and the
tests) or ``production`` (``manage.py check --deploy`` passes with the required variables set).
"""

import logging
import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab

from core.crypto_keys import derived_key as _derived_key
from core.envfile import CheckedEnv

BASE_DIR = Path(__file__).resolve().parent.parent

# One environment file, read the same way by every process (manage.py, gunicorn, Celery worker and
# beat): the path named by ENV_FILE (production: /etc/keiyaku/env, deploy/env.example), else
# .env in the checkout when present. Variables already in the process environment win.
ENV_FILE = os.environ.get("ENV_FILE", "")
env = CheckedEnv()
if ENV_FILE:
    if not Path(ENV_FILE).is_file():
        raise environ.ImproperlyConfigured(f"ENV_FILE={ENV_FILE}: no such file.")
    env.read_env(ENV_FILE, overwrite=False)
else:
    env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# A development key exists only for development with DEBUG; production must set SECRET_KEY even
# with DEBUG on (and `check --deploy` refuses DEBUG and every public default: core.checks).
SECRET_KEY = (
    env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    if DEBUG and not PRODUCTION
    else env.str("SECRET_KEY")
)

# The 認証キー and 閲覧用パスワード are encrypted at rest (core/crypto.py). FIELD_ENCRYPTION_KEYS:
# Fernet keys, newest first (rotation: add the new key in front, run `reencrypt_secrets`, then
# drop the old one); FIELD_HASH_KEY: the HMAC key of the search digests. Only development with
# DEBUG derives them from SECRET_KEY; production must set both (system check core.E030).
_DEV_KEYS = DEBUG and not PRODUCTION
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=[_derived_key(SECRET_KEY, "field-encryption")] if _DEV_KEYS else [],
)
FIELD_HASH_KEY = env.str(
    "FIELD_HASH_KEY", default=_derived_key(SECRET_KEY, "field-hash") if _DEV_KEYS else ""
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "import_export",
    "core",
    "accounts",
    "cases",
    "applications",
    "contracts",
    "surety",
    "portal",
    "esign",
]
# The local CloudSign stand-in; a system check refuses it in production.
ESIGN_SANDBOX_ENABLED = env.bool("ESIGN_SANDBOX_ENABLED", default=not PRODUCTION)
# The CI deploy job (.ci/deploy) runs production settings with the sandbox: its system check is
# then a warning. Never set on a machine that serves the city.
ESIGN_SANDBOX_DEPLOY_TEST = env.bool("ESIGN_SANDBOX_DEPLOY_TEST", default=False)
if ESIGN_SANDBOX_ENABLED:
    INSTALLED_APPS.append("esign_sandbox")

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateNoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.PortalErrorPagesMiddleware",
]
# `make run` (DEBUG on) sets PORTAL_ERROR_PAGES_IN_DEBUG=1: the Japanese 404/500 pages as users
# will see them (`make run PORTAL_ERROR_PAGES_IN_DEBUG=0`: Django's debug pages).
PORTAL_ERROR_PAGES_IN_DEBUG = env.bool("PORTAL_ERROR_PAGES_IN_DEBUG", default=False)

ROOT_URLCONF = "ashikaga_portal.urls"
WSGI_APPLICATION = "ashikaga_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["core.templatetags.portal"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # Tests on SQLite use a file, not shared in-memory: the live server and in-process Celery
    # workers then get ordinary SQLite locking (with the timeout above) between threads.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    # The embedded default works from a fresh clone: its folder is made on first use.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.str("DATABASE_TEST_NAME", default=""):  # the test database's name (default test_<NAME>)
        DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The model whose users may download a stored file (core names no app above it: like the user model,
# the owner is configured here).
FILE_OWNER_MODEL = "accounts.Company"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Login throttling (django-axes): 5 failures for one account → locked for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Locked per account — on the canonical login name (accounts.usernames: NFKC + casefold + IDNA),
# so DOBOKU@…, Doboku@… or a dotless-ı spelling share one lock — whatever the source address:
# rotating IPs does not help an attacker, and staff sharing one LGWAN address do not lock each
# other out. Failures are recorded with the client address through the trusted proxies
# (core.net.client_ip); the per-address throttle is RATE_LIMITS["login_address"] below.
# (axes.W006 warns about locks keyed on User-Agent or cookies only, not a username lock.)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login forms post the e-mail as "username"
AXES_USERNAME_CALLABLE = "accounts.usernames.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.net.axes_client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# The client address behind reverse proxies (core.net.client_ip), for rate limits, the login
# throttle and audit records: how many proxies append to X-Forwarded-For in front of the portal
# (1 behind the documented nginx), or their addresses/networks. 0 and empty: REMOTE_ADDR.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_VERBOSE = False

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded and generated files are private: MEDIA_ROOT is never served by URL, only through the
# permission-checked download view (core.views.download).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = None
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")  # or "s3"
# How many machines run the portal (web or worker). More than one: files must be in shared
# S3-compatible storage, the broker and the cache shared (core.checks refuses anything else).
NODE_COUNT = env.int("NODE_COUNT", default=1)
STORAGES = {
    # FileSystemStorage follows MEDIA_ROOT; with MEDIA_URL None it can build no public URL.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if MEDIA_STORAGE == "filesystem"
    else {
        # S3-compatible object storage (django-storages): private objects, signed URLs never
        # handed out — files still go through the permission-checked download views.
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY", default=None),
            "secret_key": env.str("S3_SECRET_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Upload validation (core.uploads)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_PAGES = env.int("UPLOAD_MAX_PAGES", default=500)
# Every untrusted PDF (uploads, the 認証キーのお知らせ reader) is parsed in a child process with a
# wall-clock limit and a memory limit (3× the file + PDF_PARSE_MEMORY_MB); each stream may
# decompress to at most PDF_MAX_DECOMPRESSED_BYTES; the active-content scan visits at most
# PDF_SCAN_MAX_OBJECTS objects (core.sandboxed, core.pdfscan).
PDF_PARSE_SECONDS = env.float("PDF_PARSE_SECONDS", default=4.0)
PDF_PARSE_MEMORY_MB = env.int("PDF_PARSE_MEMORY_MB", default=100)
PDF_MAX_DECOMPRESSED_BYTES = env.int("PDF_MAX_DECOMPRESSED_BYTES", default=32 * 1024 * 1024)
PDF_SCAN_MAX_OBJECTS = env.int("PDF_SCAN_MAX_OBJECTS", default=50_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Storage quota per company: what its users may have uploaded in total (application files).
COMPANY_STORAGE_QUOTA_MB = env.int("COMPANY_STORAGE_QUOTA_MB", default=1024)

# Mail: the file backend under var/mail/ unless EMAIL_URL says otherwise (smtp://, smtp+tls://).
EMAIL_MAIL_DIR = VAR_DIR / "mail"
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(EMAIL_MAIL_DIR)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="足利市 電子契約ポータル <noreply@example.jp>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The one prefix of every notification mail's subject.
MAIL_SUBJECT_PREFIX = env.str("MAIL_SUBJECT_PREFIX", default="【足利市 電子契約ポータル】")

# Celery: kombu's filesystem transport by default, so `make run` needs no broker server.
CELERY_DATA_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Parallel test processes (pytest-xdist's gw0, gw1, …) each take their own Redis database, so a
# worker one test starts never takes another's messages. The marker keeps the workers those
# tests start as subprocesses (which inherit this environment) on the same database.
if (
    (_xdist_worker := os.environ.get("PYTEST_XDIST_WORKER"))
    and CELERY_BROKER_URL.startswith("redis")
    and not os.environ.get("TEST_BROKER_PER_WORKER")
):
    _broker = urlsplit(CELERY_BROKER_URL)
    _db = int(_broker.path.strip("/") or 0) + 8 + int(_xdist_worker.removeprefix("gw"))
    CELERY_BROKER_URL = urlunsplit(_broker._replace(path=f"/{_db % 16}"))
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
    os.environ["TEST_BROKER_PER_WORKER"] = "1"
# The filesystem transport as kombu has it, but a worker stops polling at once on Ctrl-C/SIGTERM
# (ashikaga_portal.broker); any other broker is used as its URL says.
CELERY_BROKER_TRANSPORT = (
    "ashikaga_portal.broker:Transport" if CELERY_BROKER_URL.startswith("filesystem") else None
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
        # The worker looks for new messages this often (kombu's default, 1 s, adds up to a
        # second per hop: webhook delivery → re-read → store).
        "polling_interval": 0.2,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
# With Redis, the beat keeps its schedule in Redis under a lock (celery-redbeat): however many beat
# processes are started, one runs the schedule and the others wait to take over.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = env.str("REDBEAT_REDIS_URL", default=CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="keiyaku:redbeat:")
    # A beat that died holds the lock this long; the next one takes over then.
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("REDBEAT_LOCK_TIMEOUT", default=60)
    CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("BEAT_MAX_LOOP_INTERVAL", default=5)
# Worker and beat log through Django's LOGGING (JSON lines like the web).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "sync-signing-status": {
        "task": "contracts.tasks.sync_signing_status",
        "schedule": env.int("SYNC_INTERVAL_SECONDS", default=300),
    },
    "redrive-signing-requests": {
        "task": "contracts.tasks.redrive_signing_requests",
        "schedule": env.int("REDRIVE_INTERVAL_SECONDS", default=10),
    },
    "reconcile-signing-requests": {
        "task": "contracts.tasks.reconcile_signing_requests",
        "schedule": crontab(minute=17),
    },
    "remind-signers": {
        "task": "contracts.tasks.remind_signers",
        "schedule": crontab(minute=41),
    },
    "check-file-integrity": {
        "task": "core.tasks.check_file_integrity",
        "schedule": crontab(hour=2, minute=30),
    },
    "refetch-signed-documents": {
        "task": "contracts.tasks.refetch_signed_documents",
        "schedule": crontab(minute=23),
    },
    "renew-archive-timestamps": {
        "task": "contracts.tasks.renew_archive_timestamps",
        "schedule": crontab(hour=4, minute=5),
    },
    "purge-expired-invitations": {
        "task": "accounts.tasks.purge_expired_invitations",
        "schedule": crontab(hour=3, minute=15),
        "kwargs": {"older_than_days": 30},
    },
}

# Security: strict by default in production (manage.py check --deploy prints nothing).
# Content-Security-Policy (django-csp): no inline script runs anywhere; nothing may frame us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Bulk import (django-import-export): the uploaded file waits between 確認 and 取込み in private
# media storage (shared by every web node), and any refused row rolls the whole import back.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # the import writes its own audit record
# Limits checked on the raw bytes before any parsing (core.imports.inspect_upload): a file over
# them is refused with a Japanese message within seconds. 案件 files above IMPORT_BACKGROUND_ROWS
# rows are checked and imported by a Celery job (cases.tasks) with progress on the page; other
# imports run in the request and take at most IMPORT_SYNC_MAX_ROWS rows.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=3_000)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=500)

# Two-factor authentication (django-otp): staff must pass a TOTP token to use the admin.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "足利市 電子契約ポータル"
RECOVERY_CODE_COUNT = 10
# django-otp's own back-off is kept per device, so anyone who knows the password could use it to
# lock the staff member out; the limit is RATE_LIMITS["otp"] per account *and* client address.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Request rate limits (core.ratelimit, shared by every process): (requests, seconds) per address.
RATE_LIMITS = {
    "password_reset": (5, 3600),
    "invitation": (20, 3600),
    "upload": (60, 600),
    "webhook": (600, 60),
    "otp": (10, 600),
    "message": (10, 600),  # やり取り posts per contractor user (each one sends mail)
    "staff_message": (30, 600),  # やり取り posts per staff member from the admin (each one mails)
    # failed logins from one client address, over every account (then 429 on every login path)
    "login_address": (env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20), 900),
}

# Caches: local memory by default; Redis in production (CACHE_URL=rediscache://…; check --deploy
# refuses a per-process cache in production).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Sessions live in the database, cached only in a cache every process shares: with a per-process
# cache a logout on one gunicorn worker would leave the session alive on the others.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
    else "django.contrib.sessions.backends.cached_db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
# Signed out after this many minutes without a request (core.middleware.IdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# /healthz (readiness) and /livez (liveness) answer plain HTTP: a load balancer probes by address.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
if ESIGN_SANDBOX_ENABLED:
    # The workers reach the local sandbox directly over HTTP (development and the CI deploy job).
    SECURE_REDIRECT_EXEMPT.append(r"^sandbox/")
# Readiness results are kept this many seconds per process (a probe storm costs nothing).
HEALTHZ_CACHE_SECONDS = env.float("HEALTHZ_CACHE_SECONDS", default=5.0)

# Errors: mail to ADMINS (comma-separated addresses) and, with SENTRY_DSN, Sentry (core.observe
# scrubs 認証キー, passwords and personal fields from every event before it leaves).
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from core.observe import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces=SENTRY_TRACES_SAMPLE_RATE)

# Prometheus metrics at /metrics (staff, or `Authorization: Bearer METRICS_TOKEN` for the
# scraper). PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself) adds up the gunicorn and
# Celery processes of one node.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Backups (manage.py backup): dated folders older than this are removed (the newest is kept).
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=30)

LOG_JSON = env.bool("LOG_JSON", default=PRODUCTION)
# Python warnings (a dependency's deprecation, Celery's) are log lines like any other; pyHanko's
# import of cryptography's DSA class (DSA is used by nothing here) is not news for the operator.
warnings.filterwarnings("ignore", message="DSA is deprecated")
logging.captureWarnings(True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "core.logs.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_JSON else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # gunicorn's own lines go through the same handler (deploy/gunicorn.conf.py).
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


# The e-signature service (CloudSign). `make run` points the portal at the local sandbox.
CLOUDSIGN_API_BASE = env.str(
    "CLOUDSIGN_API_BASE", default="http://127.0.0.1:8000/sandbox/cloudsign"
)
CLOUDSIGN_CLIENT_ID = env.str("CLOUDSIGN_CLIENT_ID", default="00000000-0000-4000-8000-000000000000")
CLOUDSIGN_CONNECT_TIMEOUT = env.float("CLOUDSIGN_CONNECT_TIMEOUT", default=5.0)
# CloudSign holds a request up to 180 s and then answers 504: wait longer than that.
CLOUDSIGN_READ_TIMEOUT = env.float("CLOUDSIGN_READ_TIMEOUT", default=190.0)
# The local sandbox's own CA, signer and TSA (created on first use).
ESIGN_SANDBOX_PKI_DIR = env.str("ESIGN_SANDBOX_PKI_DIR", default=str(VAR_DIR / "sandbox-pki"))
ESIGN_SANDBOX_LINK_DAYS = 10
# The sandbox's own address in its certificates (CRL, OCSP); empty: SITE_URL.
ESIGN_SANDBOX_PUBLIC_URL = env.str("ESIGN_SANDBOX_PUBLIC_URL", default="")
# CloudSign adds its document timestamp (long-term signature) about 24 hours after conclusion.
ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS = env.int(
    "ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS", default=24 * 3600
)
# The sandbox's archive TSA renews its certificate when less than this remains.
ESIGN_SANDBOX_TSA_ROLLOVER_DAYS = env.int("ESIGN_SANDBOX_TSA_ROLLOVER_DAYS", default=730)
# The sandbox behaves like CloudSign's LGWAN hosts: 400 on file downloads, no webhooks.
ESIGN_SANDBOX_LGWAN = env.bool("ESIGN_SANDBOX_LGWAN", default=False)
ESIGN_SANDBOX_RATE_LIMIT = env.int("ESIGN_SANDBOX_RATE_LIMIT", default=800)  # requests/min/token

# Contracts: the e-contract gate (README 「前提と設定」).
# 議決案件 are judged on the case's 予定価格: 工事又は製造の請負 (地方自治法施行令 別表第3, 市) and
# 財産の取得 (別表第4, 市: 物品); 業務委託 has no threshold. The city's 条例 was not found.
CONTRACT_COUNCIL_THRESHOLD = env.int("CONTRACT_COUNCIL_THRESHOLD", default=150_000_000)
CONTRACT_COUNCIL_THRESHOLD_GOODS = env.int("CONTRACT_COUNCIL_THRESHOLD_GOODS", default=20_000_000)
CONTRACT_COUNCIL_THRESHOLDS = {  # 契約区分 → threshold on the 予定価格 (absent: none)
    "construction": CONTRACT_COUNCIL_THRESHOLD,
    "small_works": CONTRACT_COUNCIL_THRESHOLD,
    "printing": CONTRACT_COUNCIL_THRESHOLD,  # 製造の請負
    "goods": CONTRACT_COUNCIL_THRESHOLD_GOODS,
}
# 工事 (契約区分 → 契約金額): from this amount a contract is not sent until the case's 予定価格 is
# registered, since the 議決 is judged on the 予定価格 and an award can be far below it (an award of
# 1億4千万円 on a 予定価格 of 1億5千5百万円). Default: 2/3 of the threshold, under the lowest usual
# 最低制限価格 ratio (75%) (docs/domain.md 「議決」; [INFERRED] confirm).
CONTRACT_PLANNED_PRICE_REQUIRED_FROM = env.int(
    "CONTRACT_PLANNED_PRICE_REQUIRED_FROM", default=100_000_000
)
CONTRACT_PLANNED_PRICE_REQUIRED = {  # 契約区分 → 契約金額 from which the 予定価格 is required
    "construction": CONTRACT_PLANNED_PRICE_REQUIRED_FROM,
    "small_works": CONTRACT_PLANNED_PRICE_REQUIRED_FROM,
}
# Counted from the 契約日 to the end of the 工期 (other cities' rule, e.g. 柏市).
CONTRACT_MAX_TERM_YEARS = env.int("CONTRACT_MAX_TERM_YEARS", default=10)
# 前払金: the minimum 請負金額 and 工期 (days, start and end included) for a case to have one.
# 1,300,000円: the lower of the values nearby Tochigi cities use (1,300,000円 as 佐野市, or
# 5,000,000円); 足利市's 規則 was not found — confirm (docs/domain.md 「前払金」).
ADVANCE_MIN_AMOUNT = env.int("ADVANCE_MIN_AMOUNT", default=1_300_000)
ADVANCE_MIN_PERIOD_DAYS = env.int("ADVANCE_MIN_PERIOD_DAYS", default=0)
# 中間前金払: its own minimum 請負金額 and 工期 (cities use 1,300,000円 (佐野市, domain-notes S-P1),
# 5,000,000円, 10,000,000円 and 100日); defaults: 佐野市's amount, no 工期 minimum. Confirm.
MIDTERM_MIN_AMOUNT = env.int("MIDTERM_MIN_AMOUNT", default=1_300_000)
MIDTERM_MIN_PERIOD_DAYS = env.int("MIDTERM_MIN_PERIOD_DAYS", default=0)
# 現場代理人兼任届: each contract's amount must be under this; whether a 連絡員 is required.
AGENT_CONCURRENT_AMOUNT_LIMIT = env.int("AGENT_CONCURRENT_AMOUNT_LIMIT", default=45_000_000)
AGENT_CONCURRENT_LIAISON_REQUIRED = env.bool("AGENT_CONCURRENT_LIAISON_REQUIRED", default=False)
# Client side: all workers together stay under the service's 800 requests a minute.
CLOUDSIGN_RATE_LIMIT = env.int("CLOUDSIGN_RATE_LIMIT", default=700)

# Signing status sync (contracts.sync) and signed-document storage.
SYNC_OVERLAP_SECONDS = env.int("SYNC_OVERLAP_SECONDS", default=300)
# A worker's claim on a signing request is a lease of SIGNING_CLAIM_SECONDS, renewed every
# SIGNING_LEASE_RENEW_SECONDS while the work runs (contracts.services.common.lease_renewed): a
# dead worker's send or store is picked up by the redrive job (every REDRIVE_INTERVAL_SECONDS)
# within about SIGNING_CLAIM_SECONDS + REDRIVE_INTERVAL_SECONDS (< 60 s).
SIGNING_CLAIM_SECONDS = env.int("SIGNING_CLAIM_SECONDS", default=20)
SIGNING_LEASE_RENEW_SECONDS = env.float(
    "SIGNING_LEASE_RENEW_SECONDS", default=max(1.0, SIGNING_CLAIM_SECONDS / 3)
)
# A send still queued/sending this long after its last wake-up (message lost: worker, database or
# broker down) is woken again by the redrive job.
SIGNING_REDRIVE_AFTER_SECONDS = env.int("SIGNING_REDRIVE_AFTER_SECONDS", default=120)
RECONCILE_AFTER_MINUTES = env.int("RECONCILE_AFTER_MINUTES", default=360)
RECONCILE_BATCH = env.int("RECONCILE_BATCH", default=100)
REMINDER_DAYS_BEFORE_EXPIRY = env.int("REMINDER_DAYS_BEFORE_EXPIRY", default=2)
REMINDER_MAX = env.int("REMINDER_MAX", default=2)
# The webhook URL is /hooks/cloudsign/<CLOUDSIGN_WEBHOOK_SECRET>/ (empty: webhooks off).
CLOUDSIGN_WEBHOOK_SECRET = env.str(
    "CLOUDSIGN_WEBHOOK_SECRET", default="dev-webhook-secret" if DEBUG and not PRODUCTION else ""
)
# Optional source-address allow-list (CloudSign: 52.68.17.229, 52.198.144.82, 3.112.114.42).
CLOUDSIGN_WEBHOOK_ALLOWED_IPS = env.list("CLOUDSIGN_WEBHOOK_ALLOWED_IPS", default=[])
# The webhook's source check reads the client address through TRUSTED_PROXIES / TRUSTED_PROXY_HOPS
# (above, with the login throttle).
WEBHOOK_MAX_BYTES = 64 * 1024
# PEM bundle of the CAs whose signatures count as valid; empty: the sandbox CA when it is on.
ESIGN_TRUST_ROOTS = env.str("ESIGN_TRUST_ROOTS", default="")
# Revocation (CRL/OCSP) is fetched only from these hosts (the CAs' and TSAs' published URLs);
# otherwise only the revocation data in the file's DSS counts. The sandbox host in development.
ESIGN_REVOCATION_HOSTS = env.list(
    "ESIGN_REVOCATION_HOSTS",
    default=["127.0.0.1", "localhost"] if ESIGN_SANDBOX_ENABLED else [],
)
# A CRL fetched is reused for this long in each process (0: fetched for every verification).
ESIGN_CRL_CACHE_SECONDS = env.int("ESIGN_CRL_CACHE_SECONDS", default=300)
# Re-fetching the signed file once CloudSign has added its document timestamp (long-term
# signature): first after this many hours, then every ESIGN_REFETCH_INTERVAL_HOURS, for up to
# ESIGN_REFETCH_DAYS days; after that the document is listed in the staff work queue.
ESIGN_REFETCH_FIRST_HOURS = env.float("ESIGN_REFETCH_FIRST_HOURS", default=25)
ESIGN_REFETCH_INTERVAL_HOURS = env.float("ESIGN_REFETCH_INTERVAL_HOURS", default=24)
ESIGN_REFETCH_DAYS = env.int("ESIGN_REFETCH_DAYS", default=7)
# The city's archive timestamp (RFC 3161): a new document timestamp is added this many days
# before the newest timestamp certificate in the file expires. Empty URL: the sandbox's TSA
# when the sandbox is on, otherwise no renewal (a deploy-check warning).
ESIGN_ARCHIVE_TSA_URL = env.str(
    "ESIGN_ARCHIVE_TSA_URL",
    default=SITE_URL + "/sandbox/cloudsign/pki/tsa" if ESIGN_SANDBOX_ENABLED else "",
)
ESIGN_ARCHIVE_RENEWAL_MARGIN_DAYS = env.int("ESIGN_ARCHIVE_RENEWAL_MARGIN_DAYS", default=365)

# 電子保証: 契約保証 must cover at least this share of the 請負金額.
SURETY_PERFORMANCE_RATIO = env.str("SURETY_PERFORMANCE_RATIO", default="1/10")
# The login page of 保証確認サービス（D・Sure） that staff open to view certificates
# (set the address the surety company gives the city; the default is a placeholder).
SURETY_DSURE_URL = env.str("SURETY_DSURE_URL", default="https://www.d-sure.jp/")

# Archive: signed contracts are kept at least this many years after the end of the 工期.
ARCHIVE_RETENTION_YEARS = env.int("ARCHIVE_RETENTION_YEARS", default=10)

# Every variable above has been read: a malformed one is reported by name (core.checks, and the
# web, worker and beat refuse to start: core.envfile.refuse_malformed).
ENV_ERRORS = env.errors
