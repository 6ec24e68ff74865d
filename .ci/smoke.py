"""Smoke test of `make run`: the login page answers, a demo contractor logs in over real HTTP."""

import re
import sys
import time

import requests

base = sys.argv[1].rstrip("/")
deadline = time.monotonic() + 240
while True:
    try:
        if requests.get(f"{base}/accounts/login/", timeout=5).status_code == 200:
            break
    except requests.RequestException:
        pass
    if time.monotonic() > deadline:
        sys.exit("smoke: the login page never answered 200")
    time.sleep(1)

session = requests.Session()
page = session.get(f"{base}/accounts/login/", timeout=10)
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
response = session.post(
    f"{base}/accounts/login/",
    data={
        "csrfmiddlewaretoken": token,
        "username": "user@ashikaga-test.example",
        "password": "demo-pass-2025",
    },
    headers={"Referer": f"{base}/accounts/login/"},
    timeout=10,
)
assert response.status_code == 200, response.status_code
assert "案件一覧" in response.text, "contractor home not shown after login"
assert "市道1234号線道路改良工事" in response.text, "demo case missing"
print("smoke: login page 200, demo contractor logged in and sees the demo cases")
