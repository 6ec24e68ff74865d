"""requests/s for GET /documents/{id} through CloudSignClient against the local sandbox.

    .venv/bin/python bench/esign_roundtrip.py [N]

Starts gunicorn (gthread, keep-alive) on a temporary SQLite database, creates one document, then
times N (default 1,000) reads over one keep-alive session. The sandbox serves the same API and
JSON as the real service, so this measures the client + HTTP + serialisation path.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import portal_server  # noqa: E402
from bench._smoke import smoke_mode  # noqa: E402
from esign.client import CloudSignClient  # noqa: E402

DEMO_CLIENT_ID = "00000000-0000-4000-8000-000000000000"


def main() -> None:
    smoke = smoke_mode()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else (20 if smoke else 1000)
    # The sandbox enforces CloudSign's 800 requests/minute; lift it to measure throughput.
    with portal_server(threads=4, extra_env={"ESIGN_SANDBOX_RATE_LIMIT": "1000000"}) as (base, _):
        client = CloudSignClient(base + "/sandbox/cloudsign", DEMO_CLIENT_ID)
        doc = client.create_document(title="ベンチマーク用書類")
        client.add_participant(doc.id, name="受信者", email="bench@example.jp")
        client.get_document(doc.id)  # warm up
        durations = []
        started = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            client.get_document(doc.id)
            durations.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        pool = client.session.get_adapter(base).poolmanager
        connections = sum(p.num_connections for p in pool.pools._container.values())
    durations.sort()
    print(f"GET /documents/{{id}} through CloudSignClient, n={n}, keep-alive session")
    print(f"  total      {elapsed:.2f} s")
    print(f"  throughput {n / elapsed:.0f} requests/s")
    print(
        f"  latency    p50 {statistics.median(durations) * 1000:.1f} ms, "
        f"p95 {durations[int(n * 0.95) - 1] * 1000:.1f} ms"
    )
    print(f"  TCP connections opened: {connections}")


if __name__ == "__main__":
    main()
