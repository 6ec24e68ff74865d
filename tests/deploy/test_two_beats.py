"""Two Celery beats started on one Redis (celery-redbeat's lock): each job is sent once per
interval, not once per beat."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter

import pytest
import redis

from tests.conftest import REQUIRE_SERVICES
from tests.deploy.procs import BIN, base_env, start, stop, wait_for

# The Redis database this test may use (its own: it deletes what it wrote).
BROKER = "redis://127.0.0.1:6379/4"
QUEUE = "celery"
WINDOW = 6  # seconds counted
INTERVAL = 1  # the jobs' interval for this test


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.ConnectionError:
        if REQUIRE_SERVICES:
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


def sent(client: redis.Redis) -> Counter:
    return Counter(json.loads(raw)["headers"]["task"] for raw in client.lrange(QUEUE, 0, -1))


@pytest.mark.slow
@pytest.mark.waits
def test_two_beats_send_each_job_once_per_interval(tmp_path, broker):
    prefix = f"test-redbeat-{uuid.uuid4().hex}:"
    env = base_env(
        CELERY_BROKER_URL=BROKER,
        REDBEAT_KEY_PREFIX=prefix,
        REDBEAT_LOCK_TIMEOUT="10",
        BEAT_MAX_LOOP_INTERVAL="1",
        REDRIVE_INTERVAL_SECONDS=str(INTERVAL),
        SYNC_INTERVAL_SECONDS=str(INTERVAL),
        VAR_DIR=str(tmp_path),
    )
    args = [str(BIN / "celery"), "-A", "ashikaga_portal", "--quiet", "beat", "--loglevel", "INFO"]
    beats = [start(args, env, tmp_path / f"beat-{n}.log") for n in (1, 2)]
    try:
        wait_for(
            lambda: (
                all("Starting" in (tmp_path / f"beat-{n}.log").read_text() for n in (1, 2))
                and broker.exists(f"{prefix}:lock")
            ),
            timeout=60,
            what="both beats started, one holding the lock",
        )
        time.sleep(INTERVAL)
        broker.delete(QUEUE)
        time.sleep(WINDOW)
        counts = sent(broker)
        assert all(beat.poll() is None for beat in beats), "a beat stopped"
        # While both run, one holds the lock (the other takes over only once it is stopped).
        logs = [(tmp_path / f"beat-{n}.log").read_text() for n in (1, 2)]
    finally:
        for beat in beats:
            stop(beat)
        broker.delete(QUEUE, *broker.keys(f"{prefix}*"), *broker.keys("_kombu.binding*"))
    assert sum("Acquired lock" in log for log in logs) == 1, logs
    for task in ("contracts.tasks.redrive_signing_requests", "contracts.tasks.sync_signing_status"):
        # One beat: about WINDOW / INTERVAL sends; two beats without the lock would send twice that.
        assert WINDOW / INTERVAL - 2 <= counts[task] <= WINDOW / INTERVAL + 1, counts
