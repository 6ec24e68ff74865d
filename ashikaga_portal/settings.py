"""Settings for the 足利市 電子契約ポータル.

Everything that differs between machines comes from the environment (django-environ); see
``.env.example`` for the list. ``DJANGO_ENV`` is ``development`` (default: ``make run`` and the
tests) or ``production`` (``manage.py check --deploy`` passes with the required variables set).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

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
if ESIGN_SANDBOX_ENABLED:
    INSTALLED_APPS.append("esign_sandbox")

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
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
]

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
CELERY_BEAT_SCHEDULE = {
    "sync-signing-status": {
        "task": "contracts.tasks.sync_signing_status",
        "schedule": env.int("SYNC_INTERVAL_SECONDS", default=300),
    },
    "redrive-signing-requests": {
        "task": "contracts.tasks.redrive_signing_requests",
        "schedule": env.int("REDRIVE_INTERVAL_SECONDS", default=60),
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

LOG_JSON = env.bool("LOG_JSON", default=PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
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
    "loggers": {"axes": {"level": "WARNING"}},
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
# Counted from the 契約日 to the end of the 工期 (other cities' rule, e.g. 柏市).
CONTRACT_MAX_TERM_YEARS = env.int("CONTRACT_MAX_TERM_YEARS", default=10)
# 前払金: the minimum 請負金額 and 工期 (days, start and end included) for a case to have one.
ADVANCE_MIN_AMOUNT = env.int("ADVANCE_MIN_AMOUNT", default=1_000_000)
ADVANCE_MIN_PERIOD_DAYS = env.int("ADVANCE_MIN_PERIOD_DAYS", default=0)
# 現場代理人兼任届: each contract's amount must be under this; whether a 連絡員 is required.
AGENT_CONCURRENT_AMOUNT_LIMIT = env.int("AGENT_CONCURRENT_AMOUNT_LIMIT", default=45_000_000)
AGENT_CONCURRENT_LIAISON_REQUIRED = env.bool("AGENT_CONCURRENT_LIAISON_REQUIRED", default=False)
# Client side: all workers together stay under the service's 800 requests a minute.
CLOUDSIGN_RATE_LIMIT = env.int("CLOUDSIGN_RATE_LIMIT", default=700)

# Signing status sync (contracts.sync) and signed-document storage.
SYNC_OVERLAP_SECONDS = env.int("SYNC_OVERLAP_SECONDS", default=300)
# How long a worker's claim on a signing request lasts (a dead worker's claim expires then).
SIGNING_CLAIM_SECONDS = env.int("SIGNING_CLAIM_SECONDS", default=300)
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

# 電子保証: 契約保証 must cover at least this share of the 請負金額.
SURETY_PERFORMANCE_RATIO = env.str("SURETY_PERFORMANCE_RATIO", default="1/10")
# The login page of 保証確認サービス（D・Sure） that staff open to view certificates
# (set the address the surety company gives the city; the default is a placeholder).
SURETY_DSURE_URL = env.str("SURETY_DSURE_URL", default="https://www.d-sure.jp/")

# Archive: signed contracts are kept at least this many years after the end of the 工期.
ARCHIVE_RETENTION_YEARS = env.int("ARCHIVE_RETENTION_YEARS", default=10)
