"""Start the portal (with the sandbox) on a free port in a fresh VAR_DIR, for the benches."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def portal_server(*, workers: int = 1, threads: int = 4, extra_env: dict | None = None):
    """Yields the base URL of gunicorn serving the portal on SQLite in a temporary folder."""
    var = Path(tempfile.mkdtemp(prefix="bench-"))
    port = free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "DJANGO_ENV": "development",
        "DEBUG": "True",  # the sandbox runs only with DEBUG (a system check refuses it otherwise)
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ESIGN_SANDBOX_ENABLED": "True",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None) if "DATABASE_URL" not in (extra_env or {}) else None
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "ashikaga_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/accounts/login/", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextlib.contextmanager
def celery_worker(env: dict, *, concurrency: int = 2):
    """One Celery worker (threads pool, no beat) for the benches, stopped on exit."""
    worker = subprocess.Popen(  # noqa: S603 - a fixed command
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ashikaga_portal",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)  # the worker connects to the broker
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=60)
