"""The CI deploy job's checks (.ci/deploy): over HTTP through nginx, on the logs, on a restore."""

import json
import os
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
PDF = Path(__file__).resolve().parent.parent / "portal" / "demo" / "contract-construction.pdf"


class FormFields(HTMLParser):
    """The named fields of the form that posts to ``action`` (text inputs, selects, textareas)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.fields[self._select] = a.get("value", "")
            return
        if tag == "input" and a.get("type") not in ("file", "submit", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.fields[a["name"]] = a.get("value", "on")
        elif tag == "select":
            self._select = a["name"]
            self.fields.setdefault(a["name"], "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(html: str, action: str) -> dict:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


def web(host: str, http_port: str, https_port: str, metrics_token: str) -> None:
    # A load balancer probing by address, over plain HTTP: readiness and liveness answer 200.
    deadline = time.monotonic() + 60
    while True:
        try:
            ready = requests.get(f"http://127.0.0.1:{http_port}/healthz", timeout=5)
            if ready.status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"/healthz never answered 200 through nginx: {ready.status_code} {ready.text}")
        time.sleep(0.5)
    assert ready.json()["status"] == "ok", ready.text
    assert set(ready.json()["checks"]) == {"database", "broker", "storage"}, ready.text
    live = requests.get(f"http://127.0.0.1:{http_port}/livez", timeout=5)
    assert live.status_code == 200 and live.json() == {"status": "ok"}, live.text
    other = requests.get(
        f"http://127.0.0.1:{http_port}/accounts/login/", allow_redirects=False, timeout=5
    )
    assert other.status_code == 301 and other.headers["Location"].startswith(f"https://{host}/")
    print("health: /healthz and /livez 200 through nginx by address; other HTTP paths 301")

    base = f"https://127.0.0.1:{https_port}"
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
    session.verify = False  # noqa: S501 — the job's self-signed certificate
    session.headers.update({"Host": host})

    def referer(path):
        return {"Referer": f"https://{host}{path}"}

    secure = session.get(f"{base}/healthz", timeout=5)
    assert secure.status_code == 200 and secure.json()["status"] == "ok", secure.text
    assert secure.headers.get("Strict-Transport-Security"), secure.headers

    page = session.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    home = session.post(
        f"{base}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "ci-user@ashikaga-test.example",
            "password": os.environ["DEPLOY_PASSWORD"],
        },
        headers=referer("/accounts/login/"),
        timeout=10,
    )
    assert home.status_code == 200 and "案件一覧" in home.text, (home.status_code, home.url)
    print("login: the demo contractor is signed in through nginx (HTTPS)")

    # A filing with a PDF: 工程表 for R7-KE-0001 (the demo's returned 下書き, or a new one).
    case_link = re.search(
        r'href="(/cases/(\d+)/)"[^>]*>[^<]*R7-KE-0001|href="/cases/(\d+)/"', home.text
    )
    case_pk = next(g for g in (case_link.group(2), case_link.group(3)) if g)
    new = session.get(f"{base}/cases/{case_pk}/applications/new/schedule/", timeout=10)
    assert new.status_code == 200, (new.status_code, new.url)
    action = re.search(r'<form method="post" action="([^"]+)" enctype', new.text).group(1)
    fields = form_of(new.text, action)
    fields.update({"purpose": "schedule", "action": "confirm"})
    for name in list(fields):
        if name.startswith("note") or name.endswith("note"):
            fields[name] = "実施工程表（CIデプロイ確認）"
    posted = session.post(
        f"{base}{action}",
        data=fields,
        files={"upload": ("工程表.pdf", PDF.read_bytes(), "application/pdf")},
        headers=referer(action),
        timeout=30,
    )
    assert "/confirm/" in posted.url, (posted.status_code, posted.url, posted.text[-2000:])
    confirm_action = re.search(r'<form method="post" action="([^"]+/submit/)"', posted.text).group(
        1
    )
    confirm = form_of(posted.text, confirm_action)
    done = session.post(
        f"{base}{confirm_action}",
        data=confirm,
        headers=referer(urlsplit(posted.url).path),
        timeout=30,
    )
    assert "/done/" in done.url and "到達番号" in done.text, (done.status_code, done.url)
    detail = session.get(done.url.replace("/done/", "/"), timeout=10)
    links = re.findall(r'href="(/applications/\d+/attachments/\d+/)"', detail.text)
    assert links, "no attachment link on the filed application"
    download = session.get(f"{base}{links[-1]}", timeout=30)
    assert download.status_code == 200 and download.content == PDF.read_bytes(), (
        download.status_code
    )
    print(
        f"filing: 工程表 filed ({done.url.rsplit('/', 3)[-3]}), its PDF stored in S3 and read back"
    )

    metrics = session.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {metrics_token}"}, timeout=10
    )
    assert metrics.status_code == 200 and "keiyaku_http_requests_total" in metrics.text, (
        metrics.status_code
    )
    assert "keiyaku_celery_queue_length" in metrics.text
    stranger = requests.Session()
    stranger.trust_env, stranger.verify = False, False
    anonymous = stranger.get(f"{base}/metrics", headers={"Host": host}, timeout=10)
    assert anonymous.status_code == 403, anonymous.status_code
    print("metrics: /metrics with the token 200 (requests, queue length); without it 403")


def logs(folder: str) -> None:
    offset = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")
    for name in ("keiyaku-web", "keiyaku-worker", "keiyaku-beat"):
        lines = [line for line in Path(folder, f"{name}.log").read_text().splitlines() if line]
        parsed = []
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                sys.exit(f"{name}: a log line that is not JSON: {line!r}")
        assert parsed, f"{name}: no log lines"
        for record in parsed:
            assert offset.match(record["time"]), (name, record["time"])
        print(f"logs: {name}: {len(parsed)} lines, all JSON with an ISO time and its offset")


def hook(host: str, https_port: str, secret: str, document_id: str, worker_log: str) -> None:
    """A webhook through nginx: the task it enqueues logs under the request's id (X-Request-ID)."""
    session = requests.Session()
    session.trust_env, session.verify = False, False  # noqa: S501 — self-signed certificate
    response = session.post(
        f"https://127.0.0.1:{https_port}/hooks/cloudsign/{secret}/",
        json={"documentID": document_id, "status": 1, "text": "CI"},
        headers={"Host": host},
        timeout=10,
    )
    assert response.status_code == 200 and response.json() == {"ok": True}, response.text
    request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in Path(worker_log).read_text().splitlines() if line]
        tagged = [line for line in lines if line.get("request_id") == request_id]
        if any("refresh_signing_request" in line["message"] for line in tagged):
            print(f"request id: the webhook's id {request_id} is on {len(tagged)} worker line(s)")
            return
        time.sleep(0.5)
    sys.exit(f"no worker line carries the webhook's request id {request_id}")


def compare(before_path: str, after_path: str, backup: str) -> None:
    # The last line is the JSON (manage.py shell may print a line about its imports first).
    before = json.loads(Path(before_path).read_text().splitlines()[-1])
    after = json.loads(Path(after_path).read_text().splitlines()[-1])
    manifest = json.loads(Path(backup, "manifest.json").read_text())["files"]
    differing = {
        label: (count, after["rows"].get(label))
        for label, count in before["rows"].items()
        if after["rows"].get(label) != count
    }
    assert not differing, f"row counts differ after the restore: {differing}"
    assert before["files"] == after["files"] == manifest, "file hashes differ after the restore"
    assert before["files"], "no files were backed up"
    rows = sum(before["rows"].values())
    print(
        f"restore: {rows} rows in {len(before['rows'])} tables and {len(manifest)} files identical"
    )


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"web": web, "logs": logs, "hook": hook, "compare": compare}[command](*arguments)
