"""A worker killed (SIGKILL) in the middle of a download: after a restart the work completes and
is stored once (acks_late + the broker's visibility timeout). Needs PostgreSQL and Redis, which
CI provides (REQUIRE_SERVICES=1 makes a missing service a failure, not a skip)."""

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
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def worker(env: dict, log: Path, *, beat: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ashikaga_portal",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *(["--beat"] if beat else []),
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


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
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert SigningRequest.objects.get(pk=signing_request.pk).stored_at is None
    time.sleep(5)  # past the visibility timeout: the unacknowledged message comes back
    second = worker(env, log)
    try:
        deadline = time.monotonic() + 90
        while SigningRequest.objects.get(pk=signing_request.pk).stored_at is None:
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.3)
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert SignedDocument.objects.filter(signing_request=signing_request).count() == 3
    assert StoredFile.objects.filter(kind__startswith="signed").count() == 3
