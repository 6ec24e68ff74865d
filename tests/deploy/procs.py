"""Helpers for the tests that start real processes (web nodes, beats, an S3 stand-in)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def database_url() -> str:
    """The test database, for the processes the test starts (they see what the test commits)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def base_env(**extra: str) -> dict[str, str]:
    """The test's environment less what would point a started process elsewhere (an xdist
    worker's own broker database among them: the process gets exactly what the test names)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DATABASE_URL", "CELERY_", "MEDIA_", "S3_", "SENTRY_", "ENV_FILE", "PYTEST_XDIST")
        )
    }
    env.update({"DJANGO_SETTINGS_MODULE": "ashikaga_portal.settings", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        args,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_s3(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    """moto's server on a free port: the S3-compatible storage every node shares."""
    port = free_port()
    process = start(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        base_env(),
        tmp_path / "moto.log",
    )
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(endpoint, timeout=1).ok, what="moto server")
    return process, endpoint
