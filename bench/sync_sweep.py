"""One incremental sweep vs naive per-document polling, over 5,000 requests in flight.

    .venv/bin/python bench/sync_sweep.py [IN_FLIGHT] [CHANGED]

Starts gunicorn (the portal with its CloudSign sandbox) on a temporary SQLite database, fills the
sandbox and the portal with IN_FLIGHT (default 5,000) documents awaiting signature and their
SigningRequests, moves the sweep's watermark past them, then lets CHANGED (default 50) documents
change (their first signer agrees). It prints the API calls, wall time and SQL statements (in
all, and per changed document) of one sweep, and the calls and time of polling every document one
by one, and their ratio.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import portal_server  # noqa: E402
from bench._smoke import smoke_mode  # noqa: E402

DEMO_CLIENT_ID = "00000000-0000-4000-8000-000000000000"


def main() -> None:
    smoke = smoke_mode()
    in_flight = int(sys.argv[1]) if len(sys.argv) > 1 else (50 if smoke else 5000)
    changed = int(sys.argv[2]) if len(sys.argv) > 2 else (5 if smoke else 50)
    with portal_server(threads=4, extra_env={"ESIGN_SANDBOX_RATE_LIMIT": "10000000"}) as (
        base,
        env,
    ):
        os.environ.update({k: env[k] for k in ("VAR_DIR", "DJANGO_ENV", "DEBUG", "SECRET_KEY")})
        os.environ["ESIGN_SANDBOX_ENABLED"] = "True"
        os.environ["CLOUDSIGN_RATE_LIMIT"] = "10000000"
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ["DJANGO_SETTINGS_MODULE"] = "ashikaga_portal.settings"
        import django

        django.setup()
        run(base, in_flight, changed)


def run(base: str, in_flight: int, changed: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Company, Department
    from cases.models import Case
    from contracts.models import Contract, Signer, SigningRequest, SyncState
    from contracts.sync import sync_signing_status
    from esign.client import CloudSignClient
    from esign_sandbox.models import Account, Document, Participant

    now = timezone.now()
    before = now - dt.timedelta(hours=1)
    account, _ = Account.objects.get_or_create(client_id=DEMO_CLIENT_ID)
    department = Department.objects.create(code="bench", name="ベンチ課")
    company = Company.objects.create(
        name="ベンチ建設", address="足利市", representative="代表", vendor_number="BENCH-1"
    )
    case = Case.objects.create(
        number="BENCH-1",
        title="ベンチ工事",
        place="足利市",
        category="construction",
        department=department,
        procurement_method="general",
        awarded_company=company,
        amount=10_000_000,
    )
    print(f"filling {in_flight} documents awaiting signature …", flush=True)
    docs = Document.objects.bulk_create(
        Document(
            account=account,
            title=f"BENCH-1 契約{i}",
            status=1,
            sent_at=before,
            last_processed_at=before,
            created_at=before,
            updated_at=before,
        )
        for i in range(in_flight)
    )
    Participant.objects.bulk_create(
        Participant(
            document=d,
            order=order,
            email=f"p{order}-{n}@example.jp",
            name=f"署名者{order}",
            status=status,
        )
        for n, d in enumerate(docs)
        for order, status in ((0, 6), (1, 4), (2, 3))
    )
    contracts = Contract.objects.bulk_create(
        Contract(case=case, title=f"契約{i}", amount=1_000_000, status="signing")
        for i in range(in_flight)
    )
    requests_ = SigningRequest.objects.bulk_create(
        SigningRequest(contract=c, document_id=d.id, status="waiting", sent_at=before)
        for c, d in zip(contracts, docs, strict=True)
    )
    remote = {
        (p.document_id, p.order): p.id
        for p in Participant.objects.filter(order__gt=0).only("id", "document_id", "order")
    }
    Signer.objects.bulk_create(
        Signer(
            signing_request=r,
            order=order,
            role="contractor" if order == 1 else "city",
            name=f"署名者{order}",
            email=f"p{order}-{n}@example.jp",
            remote_id=remote[(r.document_id, order)],
            state="waiting" if order == 1 else "pending",
        )
        for n, r in enumerate(requests_)
        for order in (1, 2)
    )
    SyncState.objects.update_or_create(name="cloudsign", defaults={"watermark": now})
    moved = timezone.now() + dt.timedelta(seconds=1)
    ids = [d.id for d in docs[:changed]]
    Document.objects.filter(id__in=ids).update(last_processed_at=moved)
    Participant.objects.filter(document_id__in=ids, order=1).update(status=7, processed_at=moved)
    Participant.objects.filter(document_id__in=ids, order=2).update(status=4)

    client = CloudSignClient(base + "/sandbox/cloudsign", DEMO_CLIENT_ID)
    client.token()
    calls = client.calls
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as sweep_sql:
        result = sync_signing_status(client=client)
    sweep_seconds = time.perf_counter() - started
    sweep_calls = client.calls - calls
    agreed = Signer.objects.filter(order=1, state="agreed").count()
    assert result.applied == changed and agreed == changed, (result, agreed)

    calls = client.calls
    started = time.perf_counter()
    for r in SigningRequest.objects.values_list("document_id", flat=True):
        client.get_document(r)
    poll_seconds = time.perf_counter() - started
    poll_calls = client.calls - calls

    print(f"{in_flight} signing requests in flight, {changed} changed since the watermark")
    print(
        f"  incremental sweep : {sweep_calls:5d} API calls {sweep_seconds:8.2f} s "
        f"({result.pages} list page(s), {result.applied} applied)"
    )
    print(
        f"  SQL of the sweep  : {len(sweep_sql):5d} statements, "
        f"{len(sweep_sql) / max(result.applied, 1):.2f} per changed document"
    )
    print(f"  naive polling     : {poll_calls:5d} API calls {poll_seconds:8.2f} s")
    print(
        f"  ratio (polling / sweep): {poll_calls / sweep_calls:.0f}x calls, "
        f"{poll_seconds / sweep_seconds:.0f}x time"
    )


if __name__ == "__main__":
    main()
