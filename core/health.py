"""Probes for the load balancer.

- ``/livez`` (liveness): the process answers; touches nothing. Restart the node when it fails.
- ``/healthz`` (readiness): database, broker and storage, each checked cheaply (a ``SELECT 1``, a
  PING on a pooled Redis connection, an existence test on the storage — nothing is written) and
  the result kept ``HEALTHZ_CACHE_SECONDS`` per process. JSON; 503 when one fails: take the node
  out of the balancer, do not restart it.
"""

from __future__ import annotations

import functools
import threading
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The storage check asks whether this name exists: a read, never a write.
PROBE_NAME = "healthz-probe"


@functools.cache
def redis_client(url: str):
    """One pooled client per URL and process (not a new connection per probe)."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith(("redis://", "rediss://")):
        redis_client(url).ping()
        return
    from kombu import Connection

    with Connection(
        url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS, connect_timeout=2
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage() -> None:
    default_storage.exists(PROBE_NAME)


CHECKS = {"database": _database, "broker": _broker, "storage": _storage}

_lock = threading.Lock()
_cached: tuple[float, dict, bool] | None = None


def readiness(now: float | None = None) -> tuple[dict, bool]:
    """The checks' results, at most HEALTHZ_CACHE_SECONDS old."""
    global _cached
    now = time.monotonic() if now is None else now
    with _lock:
        if _cached is not None and now - _cached[0] < settings.HEALTHZ_CACHE_SECONDS:
            return _cached[1], _cached[2]
        results = {}
        healthy = True
        for name, check in CHECKS.items():
            started = time.monotonic()
            try:
                check()
                results[name] = {"ok": True}
            except Exception as exc:  # any failure of a dependency is reported, never raised
                healthy = False
                results[name] = {"ok": False, "error": exc.__class__.__name__}
            results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
        _cached = (now, results, healthy)
        return results, healthy


def reset_cache() -> None:
    global _cached
    with _lock:
        _cached = None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results, healthy = readiness()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    """Nothing here is for search engines."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


FAVICON = settings.BASE_DIR / "static" / "favicon.ico"


@functools.cache
def favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon browsers ask for at /favicon.ico whatever the page links (the pages link
    static/favicon.svg): answered here, not redirected by APPEND_SLASH to a 404."""
    response = HttpResponse(favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
