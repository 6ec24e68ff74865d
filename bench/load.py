"""Requests/s and p95 of a trivial view vs the contractor's home page, under gunicorn (2 workers).

    .venv/bin/python bench/load.py [SECONDS]

Needs wrk (Debian: apt-get install -y wrk). Serves the portal with gunicorn (2 sync workers,
DEBUG off) on a temporary SQLite database with the demo data, logs a demo contractor in, then runs
wrk on loopback for SECONDS (default 20) against a trivial view (/robots.txt, through the whole
middleware stack) and against the contractor's home page. Prints req/s and p95 of both, and their
ratio (target >= 0.5).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import free_port  # noqa: E402
from bench._smoke import smoke_mode  # noqa: E402


def wrk(url: str, seconds: int, cookie: str | None) -> tuple[float, float]:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p90 = re.search(r"(?m)^\s+90%\s+([\d.]+)(\w+)", out)
    p99 = re.search(r"(?m)^\s+99%\s+([\d.]+)(\w+)", out)

    def ms(m):
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    # wrk prints 50/75/90/99: p95 is taken between p90 and p99 (linear interpolation)
    p95 = ms(p90) + (ms(p99) - ms(p90)) * 5 / 9
    return rps, p95


def main() -> None:
    smoke = smoke_mode()
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else (1 if smoke else 20)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    var = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "ESIGN_SANDBOX_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
        # With DEBUG off the secrets' keys are required (bench-only values).
        "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW8=",
        "FIELD_HASH_KEY": "bench-only-hash-key-not-for-production-use-0123456789",
    }
    env.pop("DATABASE_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "ashikaga_portal.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/accounts/login/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        session = requests.Session()
        page = session.get(base + "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        session.post(
            base + "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "user@ashikaga-test.example",
                "password": "demo-pass-2025",
            },
            headers={"Referer": base + "/accounts/login/"},
        )
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        assert "市道1234号線" in session.get(base + "/").text, "login failed"
        trivial = wrk(base + "/robots.txt", seconds, None)
        home = wrk(base + "/", seconds, cookie)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"gunicorn, 2 sync workers, wrk -t2 -c16 for {seconds}s each, loopback")
    print(f"  trivial view (/robots.txt):       {trivial[0]:8.0f} req/s  p95 {trivial[1]:6.1f} ms")
    print(f"  contractor home page (demo data): {home[0]:8.0f} req/s  p95 {home[1]:6.1f} ms")
    print(f"  ratio home / trivial: {home[0] / trivial[0]:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
