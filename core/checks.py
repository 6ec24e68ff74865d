"""System checks for production (``manage.py check --deploy``), whatever DEBUG says."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

# Values that are public (in the repository) and so never secret.
DEFAULT_SECRETS = {
    "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production",
    "CLOUDSIGN_WEBHOOK_SECRET": "dev-webhook-secret",
}
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
WEBHOOK_SECRET_MIN_LENGTH = 32


def _production() -> bool:
    return getattr(settings, "DJANGO_ENV", "development") == "production"


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not _production():
        return []
    errors: list[checks.CheckMessage] = []
    for name, public in DEFAULT_SECRETS.items():
        if getattr(settings, name, "") == public:
            errors.append(
                checks.Error(
                    f"{name} is the public development default.",
                    hint=f"Set {name} in the environment (secrets.token_urlsafe(48)).",
                    id="core.E010",
                )
            )
    if settings.DEBUG:
        errors.append(
            checks.Error(
                "DEBUG is on with DJANGO_ENV=production.",
                hint="Remove DEBUG from the environment.",
                id="core.E011",
            )
        )
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    uses_cache = settings.SESSION_ENGINE.endswith(("cache", "cached_db"))
    if backend in PER_PROCESS_CACHES:
        errors.append(
            checks.Error(
                f"The default cache is per process ({backend.rsplit('.', 1)[-1]}): a logout or a "
                "lockout on one gunicorn worker is not seen by the others"
                + (" (SESSION_ENGINE uses the cache)." if uses_cache else "."),
                hint="Set CACHE_URL to the shared Redis (rediscache://127.0.0.1:6379/1).",
                id="core.E012",
            )
        )
    secret = getattr(settings, "CLOUDSIGN_WEBHOOK_SECRET", "")
    if secret and len(secret) < WEBHOOK_SECRET_MIN_LENGTH:
        errors.append(
            checks.Error(
                f"CLOUDSIGN_WEBHOOK_SECRET has {len(secret)} characters; at least "
                f"{WEBHOOK_SECRET_MIN_LENGTH} are needed (it is the webhook's only credential).",
                hint='python -c "import secrets; print(secrets.token_urlsafe(32))"',
                id="core.E013",
            )
        )
    return errors


@checks.register()
def check_environment_values(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A value that does not parse (or carries an inline comment) is named, in any environment."""
    return [
        checks.Error(
            f"{name}: {problem}.",
            hint=f"Write {name}=<value> alone on its line in the environment file (ENV_FILE), "
            "without quotes or a trailing comment.",
            id="core.E020",
        )
        for name, problem in getattr(settings, "ENV_ERRORS", [])
    ]


@checks.register()
def check_many_nodes(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """NODE_COUNT > 1: whatever one node keeps for itself is wrong on the next one."""
    if getattr(settings, "NODE_COUNT", 1) <= 1:
        return []
    errors: list[checks.CheckMessage] = []
    storage = settings.STORAGES["default"]["BACKEND"]
    if storage == "django.core.files.storage.FileSystemStorage":
        errors.append(
            checks.Error(
                f"NODE_COUNT={settings.NODE_COUNT} with files on local disk (MEDIA_STORAGE="
                f"{settings.MEDIA_STORAGE}): a file stored by one node is missing on the others.",
                hint="Set MEDIA_STORAGE=s3 and S3_BUCKET (shared S3-compatible storage).",
                id="core.E021",
            )
        )
    if str(settings.CELERY_BROKER_URL).startswith("filesystem"):
        errors.append(
            checks.Error(
                f"NODE_COUNT={settings.NODE_COUNT} with the filesystem broker.",
                hint="Set CELERY_BROKER_URL to the shared Redis.",
                id="core.E022",
            )
        )
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        errors.append(
            checks.Error(
                f"NODE_COUNT={settings.NODE_COUNT} with a per-process cache.",
                hint="Set CACHE_URL to the shared Redis.",
                id="core.E023",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            checks.Error(
                f"NODE_COUNT={settings.NODE_COUNT} with SQLite.",
                hint="Set DATABASE_URL to the shared PostgreSQL.",
                id="core.E024",
            )
        )
    return errors
