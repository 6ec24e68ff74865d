"""A 年度末 burst of conclusions: COUNT contracts concluded within WINDOW seconds, every one
stored and verified within DEADLINE seconds of the first, by one Celery worker.

    .venv/bin/python bench/conclusion_burst.py [--count 300] [--window 300] [--deadline 900]
                                               [--concurrency 2] [--database-url URL] [--smoke]

Starts gunicorn (the portal with its CloudSign sandbox) and ONE Celery worker (``--concurrency``
threads, default 2: the two cores) on a fresh database (PostgreSQL with ``--database-url``, whose
database is dropped and created; SQLite in a temporary folder otherwise), sends COUNT contracts of
two PDFs each, lets each contractor agree, then has the city's signer agree on the sandbox's
signing page (over HTTP, as a browser would) at an even pace so that the last agreement falls at
WINDOW seconds. The sandbox signs the PDF (PAdES with a timestamp) and fires its webhook; the
worker downloads both PDFs and the 合意締結証明書, verifies them with pyHanko, hashes and stores
them. Prints when the last one was stored, the per-contract latency (p50/p95/max), the worker's
rate, the signature statuses, and the load average; exits 1 if any was not stored and verified
(``valid``) within DEADLINE seconds of the first agreement.

``--signing-pages``: the city's signer agrees on the signing pages inside the window, so the
sandbox's own signing (PAdES, timestamp, 合意締結証明書: CloudSign's servers' work) competes
for the same two cores. By default the sandbox concludes every document beforehand with its
webhook off, and the window carries what reaches the portal: one COMPLETED webhook per contract
at an even pace (delivered by the same worker, as in production where the portal's worker
receives them).

``--smoke``: 2 contracts within 2 seconds (does it all run?).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import celery_worker, portal_server  # noqa: E402
from bench.conclusion_latency import SECRET, agree_on_the_signing_page, prepare  # noqa: E402


def fresh_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = base + "/postgres"
    subprocess.run(
        ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True
    )
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--window", type=float, default=300, help="seconds for every agreement")
    parser.add_argument("--deadline", type=float, default=900, help="seconds to store them all")
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's threads")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--signing-pages", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.count, args.window, args.deadline = 2, 2, 120
    extra = {"CLOUDSIGN_WEBHOOK_SECRET": SECRET, "ESIGN_SANDBOX_RATE_LIMIT": "100000"}
    if args.database_url:
        fresh_database(args.database_url)
        extra["DATABASE_URL"] = args.database_url
    with portal_server(threads=4, extra_env=extra) as (base, env):
        env = {**env, "CLOUDSIGN_API_BASE": base + "/sandbox/cloudsign", "SITE_URL": base}
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "ashikaga_portal.settings"
        import django

        django.setup()
        with celery_worker(env, concurrency=args.concurrency):
            ok = run(base, args)
    sys.exit(0 if ok else 1)


def completed(document_id: str) -> None:
    """The sandbox fires its COMPLETED webhook for a document it has concluded."""
    from django.db import transaction

    from esign_sandbox import engine
    from esign_sandbox.models import Document

    with transaction.atomic():
        engine.webhook(Document.objects.get(pk=document_id), "COMPLETED")


def run(base: str, args) -> bool:
    from django.utils import timezone

    from contracts.models import SigningRequest
    from esign_sandbox import testing

    load_before = os.getloadavg()
    print(f"sending {args.count} contracts (2 PDFs each) …", flush=True)
    t = time.perf_counter()
    requests_ = prepare(args.count)
    for r in requests_:
        testing.agree(r.document_id)  # the contractor agrees: the city's turn
    links = {r.pk: testing.current_link(r.document_id) for r in requests_}
    print(f"sent and agreed by the contractors in {time.perf_counter() - t:.0f} s", flush=True)
    if not args.signing_pages:
        from esign_sandbox.models import WebhookEndpoint

        t = time.perf_counter()
        WebhookEndpoint.objects.update(active=False)
        for r in requests_:
            testing.agree(r.document_id)  # the city agrees: concluded, signed, no webhook yet
        WebhookEndpoint.objects.update(active=True)
        print(f"concluded in the sandbox (webhooks off) in {time.perf_counter() - t:.0f} s")
    what = "COMPLETED webhooks" if not args.signing_pages else "agreements on the signing page"
    print(f"{args.count} {what} within {args.window:.0f} s …", flush=True)
    agreed: dict[int, object] = {}
    errors: list[str] = []
    step = args.window / max(args.count - 1, 1)
    start = time.monotonic()
    first = timezone.now()
    lock = threading.Lock()
    queue = list(requests_)

    def agree_in_turn() -> None:
        # Two browsers at most; each agreement starts on its slot (never early).
        while True:
            with lock:
                if not queue:
                    return
                index = args.count - len(queue)
                r = queue.pop(0)
            delay = start + index * step - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                if args.signing_pages:
                    agree_on_the_signing_page(base, links[r.pk])
                else:
                    completed(r.document_id)
                agreed[r.pk] = timezone.now()
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(f"{r.pk}: {exc!r}")

    browsers = [threading.Thread(target=agree_in_turn) for _ in range(2)]
    for b in browsers:
        b.start()
    for b in browsers:
        b.join()
    last_agreed = max(agreed.values()) if agreed else first
    print(
        f"{len(agreed)} arrived in {(last_agreed - first).total_seconds():.0f} s "
        f"(target ≤ {args.window:.0f} s); errors: {len(errors)}",
        flush=True,
    )
    for e in errors[:5]:
        print("  ", e)
    ids = set(links)
    deadline = time.monotonic() + max(0.0, args.deadline - (time.monotonic() - start))
    while time.monotonic() < deadline:
        left = SigningRequest.objects.filter(pk__in=ids, stored_at__isnull=True).count()
        if not left:
            break
        time.sleep(1)
    stored = list(
        SigningRequest.objects.filter(pk__in=ids, stored_at__isnull=False).prefetch_related(
            "documents"
        )
    )
    statuses: dict[str, int] = {}
    for r in stored:
        for d in r.documents.all():
            statuses[d.signature_status] = statuses.get(d.signature_status, 0) + 1
    valid = [r for r in stored if all(d.signature_status == "valid" for d in r.documents.all())]
    load_after = os.getloadavg()
    print()
    print(f"conclusions            {len(agreed)} arrived within {args.window:.0f} s ({what})")
    print(f"stored                 {len(stored)} (all files valid: {len(valid)})")
    print(f"signature statuses     {statuses}")
    if stored:
        end = max(r.stored_at for r in stored)
        total = (end - first).total_seconds()
        latencies = sorted(
            (r.stored_at - agreed[r.pk]).total_seconds() for r in stored if r.pk in agreed
        )
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        print(
            f"first agreement → last stored {total:.0f} s (target ≤ {args.deadline:.0f} s) "
            f"{'✓' if total <= args.deadline and len(valid) == args.count else '✗'}"
        )
        print(
            f"agreement → stored     p50 {statistics.median(latencies):.1f} s, "
            f"p95 {p95:.1f} s, max {latencies[-1]:.1f} s"
        )
        print(f"worker rate            {len(stored) / max(total, 1) * 60:.1f} conclusions/min")
    print(
        f"load average           before {load_before[0]:.1f}, after {load_after[0]:.1f} "
        f"(1 min); {os.cpu_count()} CPUs; worker concurrency {args.concurrency}"
    )
    return len(valid) == args.count and not errors


if __name__ == "__main__":
    main()
