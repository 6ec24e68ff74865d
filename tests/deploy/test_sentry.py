"""Errors reach Sentry (a local HTTP collector stands in for it) with nothing secret in them:
認証キー, passwords, tokens, session cookies and the contractor's personal fields are scrubbed."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.observe import FILTERED, before_send
from tests.deploy import secrets_for_sentry as s
from tests.deploy.procs import ROOT, base_env


class Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def events(bodies: list[bytes]) -> list[dict]:
    """The event items of the envelopes (one JSON header line, then item header/payload pairs)."""
    found = []
    for body in bodies:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


@pytest.mark.slow
def test_an_error_reaches_the_collector_without_secrets(tmp_path):
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "tests" / "deploy" / "sentry_probe.py")],
            cwd=ROOT,
            env=base_env(SENTRY_DSN=dsn, VAR_DIR=str(tmp_path)),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    raw = b"\n".join(Collector.received).decode("utf-8")
    captured = events(Collector.received)
    exceptions = [e for e in captured if e.get("exception")]
    assert exceptions, raw[:2000]
    assert exceptions[0]["exception"]["values"][-1]["type"] == "RuntimeError"
    # The request's form arrived, every field of it filtered.
    assert exceptions[0]["request"]["data"] == dict.fromkeys(
        ["password", "auth_key", "name", "email"], FILTERED
    )
    logged = [e for e in captured if e.get("logger") == "surety"]
    assert logged, [e.get("logger") for e in captured]
    for secret in s.ALL:
        assert secret not in raw, secret
        assert json.dumps(secret)[1:-1] not in raw, secret  # nor \\u-escaped
    assert FILTERED in raw


def test_before_send_scrubs_keys_values_and_the_user():
    event = {
        "request": {
            "data": {"auth_key": s.AUTH_KEY, "note": f"認証キー: {s.AUTH_KEY}"},
            "headers": [["Authorization", f"Bearer {s.TOKEN}"], ["Accept", "text/html"]],
            "cookies": {"sessionid": s.SESSION},
        },
        "user": {"id": 7, "email": s.EMAIL, "username": s.NAME},
        "extra": {"signer": {"name": s.NAME, "tel": s.PHONE}, "message": f"mail to {s.EMAIL}"},
        "level": "error",
    }
    scrubbed = before_send(event)
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["request"]["headers"] == [["Authorization", FILTERED], ["Accept", "text/html"]]
    assert scrubbed["level"] == "error"
    text = json.dumps(scrubbed, ensure_ascii=False)
    for secret in s.ALL:
        assert secret not in text, secret
