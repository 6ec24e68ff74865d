"""Prometheus metrics: requests, task outcomes, queue lengths and whatever other apps register
(contracts: the signing-status sync lag). Served at /metrics to staff, or to a scraper with
``Authorization: Bearer <METRICS_TOKEN>``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (deploy/env.example), prometheus-client writes each
process's counters there and the view adds up every gunicorn and Celery process of the node.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "keiyaku_http_requests", "HTTP requests answered", ["method", "status"], registry=REGISTRY
)
REQUEST_SECONDS = Histogram(
    "keiyaku_http_request_seconds",
    "Time to answer an HTTP request",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASKS = Counter("keiyaku_celery_tasks", "Celery task outcomes", ["task", "outcome"])

# name → (help, function returning the value or None); evaluated at each scrape.
Gauge = Callable[[], float | None]
_gauges: dict[str, tuple[str, Gauge]] = {}


def register_gauge(name: str, documentation: str, fn: Gauge) -> None:
    """Called from an AppConfig.ready(): a higher app adds a value read at scrape time."""
    _gauges[name] = (documentation, fn)


def count_task(task: str, outcome: str) -> None:
    TASKS.labels(task=task, outcome=outcome).inc()


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        if request.path not in ("/metrics", "/healthz", "/livez"):
            REQUESTS.labels(method=request.method, status=_status_class(response.status_code)).inc()
            REQUEST_SECONDS.observe(time.monotonic() - started)
        return response


def queue_lengths() -> dict[str, int]:
    """Messages waiting in the Redis broker, per queue (empty for other brokers)."""
    url = str(settings.CELERY_BROKER_URL)
    if not url.startswith(("redis://", "rediss://")):
        return {}
    from core.health import redis_client

    client = redis_client(url)
    queues = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
    return {queue: int(client.llen(queue)) for queue in queues}


class _ScrapeTimeCollector:
    """Values read when scraped: queue lengths and the registered gauges."""

    def collect(self):
        queues = GaugeMetricFamily(
            "keiyaku_celery_queue_length", "Messages waiting in the broker", labels=["queue"]
        )
        try:
            for queue, length in queue_lengths().items():
                queues.add_metric([queue], length)
        except Exception as exc:  # a broker outage shows as a missing value, not a 500
            logger.warning("metrics: queue length unavailable: %r", exc)
        yield queues
        for name, (documentation, fn) in _gauges.items():
            try:
                value = fn()
            except Exception as exc:
                logger.warning("metrics: %s unavailable: %r", name, exc)
                continue
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, REQUEST_SECONDS, TASKS):
            registry.register(collector)
    registry.register(_ScrapeTimeCollector())
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(
            "この情報を表示する権限がありません。",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
