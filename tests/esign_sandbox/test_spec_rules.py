"""The sandbox follows the specification where it used to be kinder: e-mail domains,
last_processed_at, JSON errors on every route, a sliding 60-second rate window."""

import datetime as dt

import pytest
import requests

from esign.errors import PermanentError, RateLimited
from esign_sandbox import testing
from esign_sandbox.models import AccessToken
from tests.esign.helpers import prepared

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "email",
    [
        "yamada@ashikaga-test",  # no dot: a bare host name
        "yamada@[192.0.2.1]",  # an address literal
        "yamada@example.invalid",
        "yamada@mail.test",
        "yamada@localhost",
        "yamada@printer.local",
        "yamada@example.com",  # null MX (RFC 7505)
        "yamada@mail.example.org",
        "yamada@@ashikaga.jp",
        "山田 太郎 <yamada@ashikaga.jp>",
        "yamada@ashikaga..jp",
    ],
)
def test_participant_email_refused(cs, email):
    doc, _, _, _ = prepared(cs, recipients=0)
    with pytest.raises(PermanentError) as exc_info:
        cs.add_participant(doc.id, name="山田 太郎", email=email)
    assert exc_info.value.status == 400 and exc_info.value.code == "bad_request"
    with pytest.raises(PermanentError):
        cs.add_reportee(doc.id, name="山田 太郎", email=email)
    assert len(cs.get_document(doc.id).participants) == 1  # only the sender


@pytest.mark.parametrize(
    "email", ["yamada@ashikaga-kensetsu.co.jp", "Yamada.Taro@city.ashikaga.example"]
)
def test_participant_email_accepted(cs, email):
    doc, _, _, _ = prepared(cs, recipients=0)
    doc, participant = cs.add_participant(doc.id, name="山田 太郎", email=email)
    assert participant.email == email


def test_last_processed_at_follows_the_latest_participant_processing(cs):
    doc, _, people, _ = prepared(cs, recipients=2)
    draft = cs.get_document(doc.id)
    assert draft.last_processed_at is not None  # a draft: its last update
    sent = cs.send_document(doc.id)
    sender = sent.participants[0]
    assert sent.last_processed_at == sender.processed_at  # sending is the sender's processing
    reminded = cs.remind(doc.id)  # not a participant's processing
    assert reminded.last_processed_at == sent.last_processed_at
    testing.agree(doc.id)
    agreed = cs.get_document(doc.id)
    assert agreed.last_processed_at == agreed.recipients[0].processed_at > sent.last_processed_at
    declined = cs.decline_document(doc.id, "金額訂正のため取り消します")
    assert declined.status == 3
    assert declined.last_processed_at == agreed.last_processed_at  # nobody processed anything


def test_unimplemented_routes_answer_the_json_error_body(cs, sandbox_url):
    headers = {"Authorization": f"Bearer {cs.token()}"}
    for path in ["/templates", "/documents/x/attachments", "/imported_documents", "/nope/deep"]:
        response = requests.get(sandbox_url + path, headers=headers, timeout=10)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"error": "not_found", "message": "not found"}


def test_rate_window_slides_instead_of_resetting_on_the_minute(cs, settings):
    settings.ESIGN_SANDBOX_RATE_LIMIT = 5
    cs.token()
    token = AccessToken.objects.get()
    now = int(dt.datetime.now(dt.UTC).timestamp())
    # 4 requests 40 seconds ago: in a fixed window that began 61 s ago they would be forgotten
    AccessToken.objects.filter(pk=token.pk).update(recent_requests=[[now - 40, 4]])
    cs.me()  # the 5th in the last 60 s
    with pytest.raises(RateLimited):
        cs.me()
    # requests older than 60 s no longer count
    AccessToken.objects.filter(pk=token.pk).update(
        recent_requests=[[now - 61, 5]], blocked_until=None
    )
    assert cs.me()["organization"]
