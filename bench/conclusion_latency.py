"""Seconds from the last agreement to the signed PDF stored and verified, through the sandbox's
webhook and a real Celery worker.

    .venv/bin/python bench/conclusion_latency.py [CONTRACTS] [SPACING_SECONDS]

Starts gunicorn (the portal with its CloudSign sandbox) and one Celery worker (no beat, so no
sweep: only the webhook can bring a conclusion in) on a temporary SQLite database and the
filesystem broker, registers the portal's webhook in the sandbox (as ``make run`` does), sends
CONTRACTS (default 20) contracts of two PDFs each through the client, lets the contractor agree,
then has the city's signer agree on the sandbox's signing page (over HTTP, as a browser would),
one every SPACING_SECONDS (default 1). For each contract it measures the time from that last
agreement to ``stored_at`` (both PDFs and the 合意締結証明書 downloaded, verified with pyHanko,
hashed and stored), and prints p50/p95/max and the API calls the worker spent (counted by the
sandbox: a zero-second "delay" fault on every path counts the authenticated calls).

Then the re-fetch: the sandbox adds its document timestamp (CloudSign's long-term signature,
~24 h later) to every document, and the portal downloads each signed file again, checks that the
stored bytes are a prefix and that only DSS data and document timestamps were added, verifies and
stores the new version (``contracts.services.archive.signed_document_refetch``); printed: the
seconds per file (p50/p95) and the API calls per file.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import celery_worker, portal_server  # noqa: E402
from bench._smoke import smoke_mode  # noqa: E402

DEMO_CLIENT_ID = "00000000-0000-4000-8000-000000000000"
SECRET = "bench-webhook-secret"  # noqa: S105 (a throw-away server)


def main() -> None:
    smoke = smoke_mode()
    count = int(sys.argv[1]) if len(sys.argv) > 1 else (2 if smoke else 20)
    spacing = float(sys.argv[2]) if len(sys.argv) > 2 else (0.2 if smoke else 1.0)
    extra = {"CLOUDSIGN_WEBHOOK_SECRET": SECRET, "ESIGN_SANDBOX_RATE_LIMIT": "100000"}
    with portal_server(threads=4, extra_env=extra) as (base, env):
        env = {**env, "CLOUDSIGN_API_BASE": base + "/sandbox/cloudsign", "SITE_URL": base}
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "ashikaga_portal.settings"
        import django

        django.setup()
        with celery_worker(env):
            run(base, count, spacing)


def prepare(count: int):
    from django.core.management import call_command

    from accounts.models import Company, Department
    from cases.models import Case
    from contracts import services
    from contracts.models import Contract, ContractFile, Signer, SigningRequest
    from core.uploads import store_pdf, validate_pdf_bytes
    from tests.pdfs import make_pdf

    call_command("sandbox_register_webhook", verbosity=0)
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
    pdfs = [
        validate_pdf_bytes(make_pdf(pages=3), name="建設工事請負契約書.pdf"),
        validate_pdf_bytes(make_pdf(pages=2, text="契約約款"), name="契約約款.pdf"),
    ]
    requests_ = []
    for i in range(count):
        contract = Contract.objects.create(
            case=case, title=f"ベンチ契約{i}", amount=1_000_000, status="signing"
        )
        for order, pdf in enumerate(pdfs):
            stored = store_pdf(pdf, kind="contract", company=company)
            ContractFile.objects.create(contract=contract, file=stored, order=order)
        signing_request = SigningRequest.objects.create(contract=contract, status="queued")
        Signer.objects.create(
            signing_request=signing_request,
            order=1,
            role="contractor",
            name="受注者 太郎",
            email=f"contractor{i}@ashikaga-test.example",
        )
        Signer.objects.create(
            signing_request=signing_request,
            order=2,
            role="city",
            name="足利市長",
            email=f"city{i}@city.ashikaga.example",
        )
        requests_.append(services.signing_request_push(request_id=signing_request.pk))
    return requests_


def agree_on_the_signing_page(base: str, link: str) -> None:
    import requests

    session = requests.Session()
    page = session.get(link, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        link,
        data={"csrfmiddlewaretoken": token, "action": "agree"},
        headers={"Referer": link},
        timeout=60,
    )
    assert "同意しました" in done.text, done.status_code


def run(base: str, count: int, spacing: float) -> None:
    from django.utils import timezone

    from contracts.models import SigningRequest
    from esign_sandbox import testing

    print(f"sending {count} contracts (2 PDFs each) …", flush=True)
    requests_ = prepare(count)
    for r in requests_:
        testing.agree(r.document_id)  # the contractor agrees: the city's turn
    counter = testing.inject("delay", path_regex=".*", remaining=10**9)
    started, agreed = {}, {}
    print(f"the city's signer agrees on the signing page, one every {spacing:.1f} s …", flush=True)
    for r in requests_:
        link = testing.current_link(r.document_id)
        started[r.pk] = timezone.now()
        agree_on_the_signing_page(base, link)
        agreed[r.pk] = timezone.now()
        time.sleep(spacing)
    deadline = time.monotonic() + 300
    pending = set(started)
    while pending and time.monotonic() < deadline:
        done = SigningRequest.objects.filter(pk__in=pending, stored_at__isnull=False)
        pending -= set(done.values_list("pk", flat=True))
        time.sleep(0.2)
    if pending:
        raise SystemExit(f"{len(pending)} not stored within 300 s")
    from contracts.models import WebhookReceipt
    from esign_sandbox.models import WebhookDelivery

    latencies = []
    stages = {"signing page (sandbox signs)": [], "→ webhook received": [], "→ stored": []}
    statuses = set()
    received = {}
    for receipt in WebhookReceipt.objects.order_by("received_at"):
        received.setdefault(receipt.signing_request_id, receipt.received_at)
    for r in SigningRequest.objects.filter(pk__in=started).prefetch_related("documents"):
        latencies.append((r.stored_at - started[r.pk]).total_seconds())
        statuses |= {d.signature_status for d in r.documents.all()}
        stages["signing page (sandbox signs)"].append(
            (agreed[r.pk] - started[r.pk]).total_seconds()
        )
        if r.pk in received:
            stages["→ webhook received"].append((received[r.pk] - agreed[r.pk]).total_seconds())
            stages["→ stored"].append((r.stored_at - received[r.pk]).total_seconds())
    deliveries = WebhookDelivery.objects.filter(delivered_at__isnull=False).count()
    counter.refresh_from_db()
    calls = 10**9 - counter.remaining
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"contracts stored        {len(latencies)} (signature status: {', '.join(statuses)})")
    print(f"last agreement → stored p50 {statistics.median(latencies):.2f} s")
    print(f"                        p95 {p95:.2f} s (target ≤ 10 s)")
    print(f"                        max {latencies[-1]:.2f} s")
    print(f"API calls by the worker {calls} ({calls / len(latencies):.1f} per contract)")
    print(f"webhooks delivered      {deliveries}")
    for stage, values in stages.items():
        if values:
            print(f"  median {stage:<30} {statistics.median(values):.2f} s")

    refetch(requests_, counter)


def refetch(requests_, counter) -> None:
    from contracts.constants import DocumentKind
    from contracts.models import SignedDocument
    from contracts.services import archive
    from esign_sandbox import testing

    for r in requests_:
        testing.add_long_term(r.document_id)
    documents = list(
        SignedDocument.objects.filter(
            signing_request__in=[r.pk for r in requests_], kind=DocumentKind.SIGNED
        ).values_list("pk", flat=True)
    )
    counter.refresh_from_db()
    before = counter.remaining
    seconds, stored = [], 0
    for pk in documents:
        start = time.perf_counter()
        stored += archive.signed_document_refetch(document_id=pk) is not None
        seconds.append(time.perf_counter() - start)
    counter.refresh_from_db()
    calls = before - counter.remaining
    seconds.sort()
    p95 = seconds[max(0, round(0.95 * len(seconds)) - 1)]
    print(f"re-fetch (long-term)    {stored}/{len(documents)} files stored as version 2")
    print(
        f"                        p50 {statistics.median(seconds):.2f} s, p95 {p95:.2f} s per file"
    )
    print(f"                        {calls / len(documents):.1f} API calls per file")


if __name__ == "__main__":
    main()
