"""A worker killed (SIGKILL) in the middle of a download: after a restart the work completes and
is stored once (acks_late + the broker's visibility timeout). Needs PostgreSQL and Redis, which
CI provides (REQUIRE_SERVICES=1 makes a missing service a failure, not a skip)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ashikaga_portal.celery import app as celery_app
from contracts import services, sync
from contracts.models import SignedDocument, SigningRequest
from core.models import StoredFile
from esign_sandbox import testing
from esign_sandbox.models import Fault
from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.waits]


def _celery(env: dict, log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ashikaga_portal", *args, "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        # A process group of its own, killed whole (as systemd's KillMode=control-group does).
        start_new_session=True,
    )


def worker(env: dict, log: Path, *, beat: bool = False) -> subprocess.Popen:
    """A solo worker; ``beat=True`` embeds the beat (a child process: stop it with ``stop``)."""
    return _celery(
        env,
        log,
        "worker",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        *(["--beat"] if beat else []),
    )


def beat(env: dict, log: Path) -> subprocess.Popen:
    """The beat as deployed (keiyaku-beat, the Procfile's ``beat``): its own service, which a
    worker's death does not take down. (A beat that dies too is taken over within
    REDBEAT_LOCK_TIMEOUT: tests/deploy/test_two_beats.py.)"""
    return _celery(env, log, "beat")


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it started, as a supervisor stopping a unit does."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGTERM, up to ``timeout`` for a graceful stop, then SIGKILL whatever is left of the
    process group. Never raises (it runs in ``finally`` blocks, after the real failure)."""
    if proc.returncode is not None:
        return  # reaped already (kill_hard): its whole group was killed with it
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    # Wait for the leader without reaping it: while it is a zombie, its pid (the group's id)
    # cannot be given to another process, so the killpg below cannot hit anyone else.
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ChildProcessError):
        while time.monotonic() < deadline:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            if os.waitid(os.P_PID, proc.pid, flags) is not None:
                break
            time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def test_killed_worker_mid_download_completes_after_restart(
    ready_contract, section_staff, use_sandbox, tmp_path
):
    real = connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")
    if not real:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but PostgreSQL and Redis are not both configured")
        pytest.skip("needs PostgreSQL and Redis (run by CI)")
    celery_app.control.purge()
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    services.signing_request_push(request_id=signing_request.pk)
    signing_request.refresh_from_db()
    testing.agree_all(signing_request.document_id)
    celery_app.control.purge()  # only the store task below, nothing else
    testing.inject("delay", method="GET", path_regex=r"/files/[^/]+$", delay_seconds=6, remaining=1)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "SIGNING_CLAIM_SECONDS": "8",
        "CLOUDSIGN_API_BASE": settings.CLOUDSIGN_API_BASE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "ESIGN_SANDBOX_PKI_DIR": settings.ESIGN_SANDBOX_PKI_DIR,
        "VAR_DIR": str(tmp_path),
    }
    log = tmp_path / "worker.log"
    first = worker(env, log)
    try:
        sync.sync_signing_status()  # concluded → the store task is queued (to Redis)
        deadline = time.monotonic() + 60
        while Fault.objects.get().remaining != 0:  # the slow download has started
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        time.sleep(0.5)
        kill_hard(first)
    finally:
        stop(first)
    assert SigningRequest.objects.get(pk=signing_request.pk).stored_at is None
    time.sleep(5)  # past the visibility timeout: the unacknowledged message comes back
    second = worker(env, log)
    try:
        deadline = time.monotonic() + 90
        while SigningRequest.objects.get(pk=signing_request.pk).stored_at is None:
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.3)
    finally:
        stop(second)
    assert SignedDocument.objects.filter(signing_request=signing_request).count() == 3
    assert StoredFile.objects.filter(kind__startswith="signed").count() == 3


def _wait(condition, *, timeout: float, log: Path) -> float:
    """Seconds until ``condition()`` holds (fails the test after ``timeout``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, log.read_text()[-6000:]
        time.sleep(0.25)
    return time.monotonic() - started


def test_a_killed_workers_send_and_store_are_picked_up_within_a_minute(
    ready_contract, section_staff, use_sandbox, tmp_path
):
    """SIGKILL mid-send, then mid-store, with the production timings (the default lease, renewed by
    a heartbeat, and redrive interval) and a broker that would give the message back only after an
    hour: the lapsed lease alone brings the work back, within 60 s of the kill, and every
    document is stored exactly once. Prints the measured pickup times."""
    real = connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")
    if not real:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but PostgreSQL and Redis are not both configured")
        pytest.skip("needs PostgreSQL and Redis (run by CI)")
    celery_app.control.purge()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": "3600",  # no help from the broker's redelivery
        "SYNC_INTERVAL_SECONDS": "3600",  # the sweep's own store wake-up is not what we measure
        "CLOUDSIGN_API_BASE": settings.CLOUDSIGN_API_BASE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "ESIGN_SANDBOX_PKI_DIR": settings.ESIGN_SANDBOX_PKI_DIR,
        "VAR_DIR": str(tmp_path),
    }
    (tmp_path / "celery").mkdir(exist_ok=True)
    log = tmp_path / "worker.log"
    rows = SigningRequest.objects.filter(contract=ready_contract)
    workers: list[subprocess.Popen] = []
    try:
        # 1. Mid-send: the first participant takes 20 s to add; the worker dies meanwhile.
        fault = testing.inject(
            "delay", method="POST", path_regex=r"/participants$", delay_seconds=20, remaining=1
        )
        workers.append(beat(env, log))
        workers.append(worker(env, log))
        signing_request = services.contract_send_for_signature(
            contract=ready_contract, user=section_staff
        )
        _wait(lambda: Fault.objects.get(pk=fault.pk).remaining == 0, timeout=90, log=log)
        time.sleep(1)
        kill_hard(workers[-1])
        killed = time.monotonic()
        workers.append(worker(env, log))  # the supervisor restarts it
        _wait(lambda: rows.get().status == "waiting", timeout=120, log=log)
        send_pickup = time.monotonic() - killed
        signing_request.refresh_from_db()

        # 2. Mid-store: the signed file takes 20 s to download; the worker dies meanwhile.
        testing.agree_all(signing_request.document_id)
        fault = testing.inject(
            "delay", method="GET", path_regex=r"/files/[^/]+$", delay_seconds=20, remaining=1
        )
        sync.sync_signing_status()  # concluded → the store task is queued
        _wait(lambda: Fault.objects.get(pk=fault.pk).remaining == 0, timeout=90, log=log)
        time.sleep(1)
        kill_hard(workers[-1])
        killed = time.monotonic()
        workers.append(worker(env, log))
        _wait(lambda: rows.get().stored_at is not None, timeout=120, log=log)
        store_pickup = time.monotonic() - killed
    finally:
        for proc in workers:
            stop(proc)
    print(
        f"\nSIGKILL mid-send → sent: {send_pickup:.1f} s; mid-store → stored: {store_pickup:.1f} s"
    )
    assert send_pickup <= 60 and store_pickup <= 60, (send_pickup, store_pickup)
    assert SignedDocument.objects.filter(signing_request=signing_request).count() == 3
    assert StoredFile.objects.filter(kind__startswith="signed").count() == 3
