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


def test_a_nul_character_is_a_bad_request_not_a_server_error(cs):
    """Found by schemathesis on PostgreSQL (which cannot store NUL): 400, nothing stored."""
    doc, _, _, _ = prepared(cs, recipients=0)
    reportees = len(cs.get_document(doc.id).reportees)
    with pytest.raises(PermanentError) as exc_info:
        cs.add_reportee(doc.id, name="山田\x00太郎", email="yamada@ashikaga-kensetsu.co.jp")
    assert exc_info.value.status == 400 and exc_info.value.code == "bad_request"
    with pytest.raises(PermanentError) as exc_info:
        cs.add_participant(doc.id, name="山田 太郎", email="yamada@ashikaga-kensetsu.co.jp\x00")
    assert exc_info.value.status == 400
    document = cs.get_document(doc.id)
    assert len(document.participants) == 1 and len(document.reportees) == reportees
    with pytest.raises(PermanentError) as exc_info:
        cs._call("GET", "/documents", params={"status": "1\x00"})
    assert exc_info.value.status == 400 and exc_info.value.code == "bad_request"


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
    paths = [
        "/templates",
        "/documents/x/attachments",
        "/imported_documents",
        "/nope/deep",
        "/documents%0A",  # a newline in the path
        "/foo%0Abar/baz",
        "/%0A",
    ]
    for path in paths:
        response = requests.get(sandbox_url + path, headers=headers, timeout=10)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"error": "not_found", "message": "not found"}, path


def test_wrong_method_answers_405_with_allow_and_the_json_error_body(cs, sandbox_url):
    headers = {"Authorization": f"Bearer {cs.token()}"}
    for method, path, allow in [
        ("DELETE", "/documents", "GET, POST"),
        ("PATCH", "/documents/x", "DELETE, GET, POST, PUT"),
        ("GET", "/documents/x/decline", "PUT"),
        ("PUT", "/token", "GET, POST"),
    ]:
        response = requests.request(method, sandbox_url + path, headers=headers, timeout=10)
        assert response.status_code == 405, path
        assert response.headers["Allow"] == allow, path
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["error"] == "method_not_allowed"


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
