"""An outage in the middle of storing a signed PDF — the database, the broker, then the
S3-compatible object storage, each cut while the worker is downloading a signed file — and every
document is stored exactly once after recovery: three SignedDocuments per request (two signed
files and the 合意締結証明書), each with its object in the bucket, no object without its row.

Real parts: PostgreSQL and Redis (as the other outage tests; skipped without them unless
REQUIRE_SERVICES=1), moto's S3 server (``moto[server]``, a dev dependency) as the object
storage, a real Celery worker with beat, and TCP forwarders that the test closes and opens."""

from __future__ import annotations

import hashlib
import os
import socket
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
from tests.contracts.test_outage import Forwarder, ready
from tests.contracts.test_worker_kill import stop, worker
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.waits]
BUCKET = "keiyaku-outage-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server(tmp_path):
    """moto's S3 server on a free local port, with the bucket made."""
    import boto3

    port = _free_port()
    log = (tmp_path / "moto.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.2)
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    yield port, client
    proc.terminate()
    proc.wait(timeout=10)


def test_every_document_is_stored_exactly_once_after_an_outage_mid_store(
    ready_contract,
    case,
    contractor,
    section_staff,
    signer_department,
    use_sandbox,
    tmp_path,
    s3_server,
):
    real = connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")
    if not real:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but PostgreSQL and Redis are not both configured")
        pytest.skip("needs PostgreSQL and Redis (run by CI)")
    s3_port, s3 = s3_server
    celery_app.control.purge()
    contracts = [ready_contract] + [
        ready(
            CaseFactory(awarded_company=case.awarded_company, department=signer_department),
            contractor,
            section_staff,
        )
        for _ in range(2)
    ]
    requests = []
    for contract in contracts:  # sent in this process: the worker only stores
        signing_request = services.contract_send_for_signature(
            contract=contract, user=section_staff
        )
        services.signing_request_push(request_id=signing_request.pk)
        signing_request.refresh_from_db()
        assert signing_request.status == "waiting"
        requests.append(signing_request)
    celery_app.control.purge()

    db = connection.settings_dict
    broker = celery_app.connection_for_write()
    broker_target = (broker.hostname or "127.0.0.1", broker.port or 6379)
    redis_db = broker.virtual_host or "0"
    broker.release()
    db_fwd = Forwarder((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    broker_fwd = Forwarder(broker_target)
    s3_fwd = Forwarder(("127.0.0.1", s3_port))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{db_fwd.port}/{db['NAME']}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{broker_fwd.port}/{redis_db}",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_fwd.port}",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY": "testing",
        "S3_SECRET_KEY": "testing",
        "CLOUDSIGN_API_BASE": settings.CLOUDSIGN_API_BASE,
        "ESIGN_SANDBOX_PKI_DIR": settings.ESIGN_SANDBOX_PKI_DIR,
        "VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
        "REDRIVE_INTERVAL_SECONDS": "2",
        "SIGNING_CLAIM_SECONDS": "6",
        "SYNC_INTERVAL_SECONDS": "5",  # the sweep wakes a store whose task gave up
    }
    (tmp_path / "celery").mkdir(exist_ok=True)
    log = tmp_path / "worker.log"
    outages = {"database": db_fwd, "broker": broker_fwd, "object storage": s3_fwd}
    for fwd in outages.values():
        fwd.open()
    proc = worker(env, log, beat=True)
    recovered = {}
    try:
        for signing_request, (what, fwd) in zip(requests, outages.items(), strict=True):
            fault = testing.inject(
                "delay",
                method="GET",
                path_regex=rf"/documents/{signing_request.document_id}/files/[^/]+$",
                delay_seconds=4,
                remaining=1,
            )
            testing.agree_all(signing_request.document_id)
            sync.sync_signing_status()  # concluded → its store task is queued
            deadline = time.monotonic() + 90
            while Fault.objects.get(pk=fault.pk).remaining != 0:  # the download has started
                assert time.monotonic() < deadline, log.read_text()[-6000:]
                time.sleep(0.2)
            fwd.close()  # cut while the file is on its way
            time.sleep(8)
            if what != "broker":  # the store needs the database and the bucket, not the broker
                assert SigningRequest.objects.get(pk=signing_request.pk).stored_at is None, what
            fwd.open()
            back = time.monotonic()
            while SigningRequest.objects.get(pk=signing_request.pk).stored_at is None:
                assert time.monotonic() - back < 120, f"{what}: {log.read_text()[-8000:]}"
                time.sleep(0.5)
            recovered[what] = time.monotonic() - back
    finally:
        stop(proc)
        for fwd in outages.values():
            fwd.close()
    print("\nstored after recovery: " + ", ".join(f"{k} {v:.1f} s" for k, v in recovered.items()))

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    for signing_request in requests:
        documents = SignedDocument.objects.filter(signing_request=signing_request)
        assert documents.count() == 3, signing_request
        assert sorted(documents.values_list("kind", flat=True)) == [
            "certificate",
            "signed",
            "signed",
        ]
        for document in documents.select_related("stored_file"):
            name = document.stored_file.file.name
            assert name in keys, name
            body = s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()
            assert hashlib.sha256(body).hexdigest() == document.sha256
    signed_files = StoredFile.objects.filter(kind__startswith="signed-")
    assert signed_files.count() == 9
    assert {f.file.name for f in signed_files} == {k for k in keys if k.startswith("signed-")}
