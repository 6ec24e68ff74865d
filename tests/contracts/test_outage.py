"""No lost send: the broker down when staff press 送信, the database gone while the worker runs —
once both are back, every request converges, each with exactly one document at the service.

Outages are real network outages: the worker and the sending process reach Redis and PostgreSQL
through TCP forwarders that the test closes (a closed port) and opens again. Needs PostgreSQL and
Redis, which CI provides (REQUIRE_SERVICES=1 makes a missing service a failure, not a skip)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from applications import services as application_services
from ashikaga_portal.celery import app as celery_app
from contracts import services
from contracts.models import SigningRequest
from surety.services import surety_record_other
from tests.applications.helpers import filed
from tests.conftest import REQUIRE_SERVICES
from tests.contracts.test_sending import assert_exactly_one_complete_document
from tests.contracts.test_worker_kill import stop, worker
from tests.factories import CaseFactory
from tests.pdfs import pdf_upload

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.waits]


class Forwarder:
    """A TCP port that forwards to ``target`` while open; closing it drops every connection."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(50):  # the closed listener's thread may take a moment to let go
            try:
                self.listener.bind(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.listener.close()
            self.listener = None
        with self.lock:
            for conn in self.conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()


def ready(case, contractor, section_staff):
    application_services.application_accept(
        application=filed(case, contractor), reviewer=section_staff
    )
    surety_record_other(
        case=case,
        user=None,
        product="performance",
        form="paper",
        issuer_type="bank",
        issuer="足利銀行",
        guarantee_number=f"BANK-{case.pk}",
        received_on=dt.date(2025, 11, 1),
        amount=case.amount // 10,
    )
    contract = services.contract_create(case=case, user=section_staff)
    services.contract_add_file(contract=contract, user=section_staff, upload=pdf_upload())
    services.contract_add_file(
        contract=contract, user=section_staff, upload=pdf_upload("契約約款.pdf", pages=2)
    )
    return contract


SEND = """
from accounts.models import User
from contracts import services
from contracts.models import Contract
user = User.objects.get(pk={user})
for pk in {contracts}:
    services.contract_send_for_signature(contract=Contract.objects.get(pk=pk), user=user)
print("SENT")
"""


def test_sends_converge_after_broker_and_database_outages(
    ready_contract, case, contractor, section_staff, signer_department, use_sandbox, tmp_path
):
    real = connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis")
    if not real:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but PostgreSQL and Redis are not both configured")
        pytest.skip("needs PostgreSQL and Redis (run by CI)")
    celery_app.control.purge()
    contracts = [ready_contract] + [
        ready(
            CaseFactory(awarded_company=case.awarded_company, department=signer_department),
            contractor,
            section_staff,
        )
        for _ in range(2)
    ]
    db = connection.settings_dict
    broker = celery_app.connection_for_write()
    broker_host, broker_port = broker.hostname or "127.0.0.1", broker.port or 6379
    redis_db = broker.virtual_host or "0"
    broker.release()
    broker_fwd = Forwarder((broker_host, broker_port))
    db_fwd = Forwarder((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{db_fwd.port}/{db['NAME']}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{broker_fwd.port}/{redis_db}",
        "CLOUDSIGN_API_BASE": settings.CLOUDSIGN_API_BASE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "ESIGN_SANDBOX_PKI_DIR": settings.ESIGN_SANDBOX_PKI_DIR,
        "VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
        "REDRIVE_INTERVAL_SECONDS": "2",
        "SIGNING_REDRIVE_AFTER_SECONDS": "3",
        "SIGNING_CLAIM_SECONDS": "20",
    }
    try:
        # 1. The broker is down when staff press 送信: the sends are committed, nothing breaks.
        db_fwd.open()
        sent = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                SEND.format(user=section_staff.pk, contracts=[c.pk for c in contracts]),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert sent.returncode == 0 and "SENT" in sent.stdout, sent.stderr[-3000:]
        assert "left for redrive" in sent.stderr
        requests = SigningRequest.objects.filter(contract__in=contracts)
        assert sorted(requests.values_list("status", flat=True)) == ["queued"] * 3

        # 2. The broker is back, the database is gone while the worker (with beat) runs.
        db_fwd.close()
        broker_fwd.open()
        (tmp_path / "celery").mkdir(exist_ok=True)  # beat keeps its schedule there
        log = tmp_path / "worker.log"
        proc = worker(env, log, beat=True)
        try:
            time.sleep(8)
            assert sorted(requests.values_list("status", flat=True)) == ["queued"] * 3

            # 3. The database is back: the redrive job wakes every send; all converge.
            db_fwd.open()
            deadline = time.monotonic() + 120
            while set(requests.values_list("status", flat=True)) != {"waiting"}:
                assert time.monotonic() < deadline, log.read_text()[-20000:]
                time.sleep(0.5)
        finally:
            stop(proc)
        for signing_request in requests:
            assert_exactly_one_complete_document(signing_request)
        assert "OperationalError" in log.read_text() or "redrive" in log.read_text()
    finally:
        broker_fwd.close()
        db_fwd.close()
