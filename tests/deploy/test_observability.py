"""The request id travels into the tasks a request enqueues; Prometheus metrics for staff or the
scraper's token only; JSON log lines with the offset."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker

from ashikaga_portal.celery import app as celery_app
from core.logs import JsonFormatter
from core.middleware import current_request_id, reset_request_id, set_request_id

seen: list[str] = []


@celery_app.task(name="tests.deploy.record_request_id")
def record_request_id() -> None:
    seen.append(current_request_id())


@pytest.mark.slow
def test_a_task_runs_under_the_request_id_that_enqueued_it():
    seen.clear()
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        token = set_request_id("req-4f2a9c")
        try:
            record_request_id.delay()
        finally:
            reset_request_id(token)
        record_request_id.delay()  # enqueued outside any request
        deadline = time.monotonic() + 30
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sorted(seen) == ["-", "req-4f2a9c"]
    assert current_request_id() == "-"


def test_json_log_lines_carry_an_iso_time_with_its_offset():
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time"},
    )
    record = logging.LogRecord("celery.worker", logging.INFO, __file__, 1, "ready", None, None)
    line = json.loads(formatter.format(record))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+09:00", line["time"]), line


@pytest.mark.django_db
def test_metrics_for_the_scraper_token_and_staff_only(client, settings, contractor):
    from datetime import timedelta

    from django.utils import timezone

    from contracts.models import SyncState
    from core.metrics import count_task

    SyncState.objects.create(
        name="cloudsign", last_sweep_at=timezone.now() - timedelta(seconds=120)
    )
    count_task("tests.deploy.example", "failure")
    settings.METRICS_TOKEN = "scrape-token-0123456789abcdef"  # noqa: S105
    client.get("/accounts/login/")
    refused = client.get("/metrics")
    assert refused.status_code == 403 and "権限がありません" in refused.content.decode()
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.force_login(contractor)
    assert client.get("/metrics").status_code == 403
    client.logout()
    scraped = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}")
    assert scraped.status_code == 200
    text = scraped.content.decode()
    assert re.search(r'keiyaku_http_requests_total\{method="GET",status="2xx"\} \d', text), text
    assert re.search(
        r'keiyaku_celery_tasks_total\{outcome="failure",task="tests.deploy.example"\} [1-9]', text
    ) or re.search(
        r'keiyaku_celery_tasks_total\{task="tests.deploy.example",outcome="failure"\} [1-9]', text
    ), text
    lag = float(re.search(r"^keiyaku_sync_lag_seconds (\S+)$", text, re.M).group(1))
    assert 120 <= lag < 180, lag
    assert re.search(r'^keiyaku_celery_queue_length\{queue="celery"\} \d', text, re.M) or (
        not settings.CELERY_BROKER_URL.startswith("redis")
    )
