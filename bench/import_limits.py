"""案件の取込み limits over real HTTP (gunicorn): how fast an oversized file is refused, and how
fast a large file is handed to the background job.

    .venv/bin/python bench/import_limits.py

Posts to /admin/cases/case/import/ as a signed-in 契約管財課 user: a 48 MB file of 1,000,000 rows,
a 100 MB file, and a 10,000-row file (under the limits: it goes to the background job, so the
request only stores it). Prints the status and the wall time of each request, and the Japanese
message shown.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import ROOT, portal_server  # noqa: E402

HEADER = "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"
EMAIL, PASSWORD = "bench-keiyaku@city.example", "bench-pass-2026-import"
SETUP = f"""
from accounts.models import Company, Department, User
Department.objects.get_or_create(code="doboku", defaults={{"name": "土木課"}})
Company.objects.get_or_create(vendor_number="A-1001", defaults={{"name": "足利テスト建設"}})
User.objects.create_superuser(email="{EMAIL}", password="{PASSWORD}", name="計測")
"""


def rows(count: int, size: int) -> bytes:
    """A header and ``count`` rows, padded to about ``size`` bytes in all."""
    width = max(size // count - 25, 1)
    body = "".join(f"R8-{n:07d},{'t' * width},p,c,d,m,,,,,\n" for n in range(count))
    return (HEADER + body).encode()


def cases(count: int) -> bytes:
    body = "".join(
        f"R8-{n:07d},市道{n}号線舗装工事,足利市,建設工事,土木課,一般競争入札,2026/4/1,A-1001,"
        "1000000,2026/5/1～2026/9/30,有\n"
        for n in range(count)
    )
    return (HEADER + body).encode()


def login(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    session.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": EMAIL, "password": PASSWORD},
        headers={"Referer": base + "/accounts/login/"},
    )
    return session


def post(session: requests.Session, base: str, name: str, data: bytes) -> None:
    url = base + "/admin/cases/case/import/"
    page = session.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.perf_counter()
    response = session.post(
        url,
        data={"csrfmiddlewaretoken": token, "format": "0"},
        files={"import_file": (name, data, "text/csv")},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    message = re.search(r'<ul class="errorlist"[^>]*><li>([^<]+)</li>', response.text)
    shown = message.group(1) if message else response.headers.get("Location", "")
    size = len(data) / 1_000_000
    print(f"  {name:<24} {size:6.1f} MB  HTTP {response.status_code}  {elapsed:6.2f} s  {shown}")


def main() -> None:
    extra = {"STAFF_REQUIRE_2FA": "False"}
    with portal_server(workers=1, threads=2, extra_env=extra) as (base, env):
        python = sys.executable
        subprocess.run([python, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True)
        session = login(base)
        assert "一括取込み" in session.get(base + "/admin/cases/case/import/").text, "login failed"
        print("gunicorn (1 worker, 2 threads), loopback, POST /admin/cases/case/import/")
        post(session, base, "1,000,000 rows.csv", rows(1_000_000, 48_000_000))
        post(session, base, "100 MB.csv", rows(1_000_000, 100_000_000))
        post(session, base, "400,000 rows.csv", rows(400_000, 9_000_000))
        post(session, base, "10,000 cases.csv", cases(10_000))
        started = time.perf_counter()
        session.get(base + "/admin/")
        print(f"  the worker answers the next request in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
