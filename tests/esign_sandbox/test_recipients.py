"""The recipients' side of the sandbox: signing pages, links, webhooks."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

import pytest
from django.core import mail

from esign.types import DocumentStatus, ParticipantStatus
from esign_sandbox import testing
from esign_sandbox.models import WebhookDelivery
from tests.esign.helpers import prepared

pytestmark = pytest.mark.django_db(transaction=True)


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_agree_on_the_signing_page_passes_the_turn(cs, client):
    doc, _, _, _ = prepared(cs)
    cs.send_document(doc.id)
    link = path_of(testing.current_link(doc.id))
    page = client.get(link).content.decode()
    assert "R7-KE-0001 市道1234号線道路改良工事" in page and "同意せず却下" in page
    assert "転送" not in page  # can_transfer is off
    done = client.post(link, {"action": "agree"})
    assert "書類の内容に同意しました。" in done.content.decode()
    assert client.get(link).status_code == 404  # used
    doc = cs.get_document(doc.id)
    assert [p.status for p in doc.recipients] == [
        ParticipantStatus.CONFIRMED,
        ParticipantStatus.WAITING,
    ]


def test_reject_needs_a_reason_and_cancels_the_document(cs, client):
    doc, _, _, _ = prepared(cs)
    cs.send_document(doc.id)
    link = path_of(testing.current_link(doc.id))
    empty = client.post(link, {"action": "reject", "reason": ""})
    assert empty.status_code == 200 and "このフィールドは必須です。" in empty.content.decode()
    assert cs.get_document(doc.id).status == DocumentStatus.WAITING
    client.post(link, {"action": "reject", "reason": "工期の記載誤り"})
    doc = cs.get_document(doc.id)
    assert doc.status == DocumentStatus.CANCELED and doc.decline_comment == "工期の記載誤り"
    assert [p.status for p in doc.recipients] == [
        ParticipantStatus.REJECTED,
        ParticipantStatus.CANCELED,
    ]
    assert mail.outbox[-1].subject.startswith("却下")


def test_transfer_when_allowed(cs, client):
    doc, _, _, _ = prepared(cs, recipients=1)
    cs.update_document(doc.id, can_transfer=True)
    cs.send_document(doc.id)
    link = path_of(testing.current_link(doc.id))
    assert "この書類を転送する" in client.get(link).content.decode()
    client.post(link, {"action": "transfer", "name": "代理 人", "email": "dairi@example.jp"})
    assert client.get(link).status_code == 404  # the old link no longer works
    assert mail.outbox[-1].to == ["dairi@example.jp"]
    assert cs.get_document(doc.id).recipients[0].email == "dairi@example.jp"


def test_expired_link_and_remind(cs, client):
    doc, _, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    link = path_of(testing.current_link(doc.id))
    testing.expire_link(doc.id)
    expired = client.get(link)
    assert expired.status_code == 410 and "有効期限が切れています" in expired.content.decode()
    cs.remind(doc.id)
    new_link = path_of(testing.current_link(doc.id))
    assert new_link != link
    assert client.get(new_link).status_code == 200
    assert client.get(link).status_code == 404


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver.received
    server.shutdown()


def test_webhooks_for_completion_cancel_and_bounce(cs, receiver):
    url, received = receiver
    testing.add_webhook(url)
    doc, _, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    testing.bounce(doc.id)
    testing.agree_all(doc.id)
    other, _, _, _ = prepared(cs, title="取消する書類", recipients=1)
    cs.send_document(other.id)
    cs.decline_document(other.id, "取消")
    assert testing.deliver_pending_webhooks() == 3
    bodies = [json.loads(body) for _, body in received]
    assert [b["text"].split(" : ")[0] for b in bodies] == ["BOUNCED", "COMPLETED", "CANCELED"]
    assert [b["status"] for b in bodies] == [1, 2, 3]
    assert bodies[1]["documentID"] == doc.id
    assert "for signer1@example.jp" in bodies[0]["text"]
    assert set(bodies[0]) == {"documentID", "status", "userID", "email", "text"}
    headers, raw = received[0]
    assert headers["User-Agent"] == "CloudSignWebHook"
    assert headers["Content-Type"] == "application/json"
    assert b", " not in raw and b'": ' not in raw  # compact JSON
    assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() == 0


def test_failed_webhook_is_kept_for_retry(cs):
    testing.add_webhook("http://127.0.0.1:9/unreachable")
    doc, _, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    testing.agree_all(doc.id)
    assert testing.deliver_pending_webhooks() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.delivered_at is None and delivery.last_error
