"""The client against the live sandbox over real HTTP: every call the portal uses."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core import mail

from esign.client import CloudSignClient
from esign.errors import (
    GatewayTimeout,
    NotAcceptable,
    NotFound,
    PermanentError,
    RateLimited,
    TransientError,
    Unauthorized,
)
from esign.types import DocumentStatus, ParticipantStatus
from esign_sandbox import pki, testing
from tests.esign.helpers import prepared, signature_status
from tests.pdfs import make_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_token_is_cached_and_the_service_returns_the_same_one(cs, sandbox_url):
    first = cs.token()
    assert len(first) == 36
    assert cs.token() == first
    other = CloudSignClient(sandbox_url, cs.client_id)
    assert other.token() == first  # the same token until it expires


@pytest.mark.parametrize(
    ("client_id", "code"), [("", "invalid_request"), ("nope", "invalid_client")]
)
def test_token_errors(sandbox_url, client_id, code):
    with pytest.raises(PermanentError) as exc_info:
        CloudSignClient(sandbox_url, client_id).token()
    assert exc_info.value.status == 400 and exc_info.value.code == code


def test_the_whole_signing_flow(cs):
    doc, f, people, reportee = prepared(cs)
    assert doc.status == DocumentStatus.DRAFT and doc.sent_at is None
    assert f.name == "建設工事請負契約書.pdf" and f.total_pages == 3
    assert [p.order for p in doc.participants] == [0, 1, 2]
    assert doc.participants[0].is_sender
    assert [p.email for p in people] == ["signer1@example.jp", "signer2@example.jp"]
    assert reportee.email == "tanto@example.jp"
    doc, widget = cs.add_widget(
        doc.id, f.id, participant_id=people[0].id, widget_type=0, page=0, x=400, y=700
    )
    assert widget is not None and widget.participant_id == people[0].id

    doc = cs.send_document(doc.id)
    assert doc.status == DocumentStatus.WAITING and doc.sent_at is not None
    first, second = doc.recipients
    assert first.status == ParticipantStatus.WAITING and first.access_expires_at is not None
    assert second.status == ParticipantStatus.QUEUED
    assert doc.participants[0].status == ParticipantStatus.SENT
    request_mail = mail.outbox[-1]
    assert request_mail.to == ["signer1@example.jp"]
    assert "確認依頼" in request_mail.subject
    old_link = testing.current_link(doc.id)
    assert old_link in request_mail.body

    reminded = cs.remind(doc.id)  # POST on a sent document reminds
    assert reminded.status == DocumentStatus.WAITING
    assert mail.outbox[-1].subject.startswith("【再送】")
    assert testing.current_link(doc.id) != old_link

    testing.agree(doc.id)
    doc = cs.get_document(doc.id)
    assert doc.recipients[0].status == ParticipantStatus.CONFIRMED
    assert doc.recipients[1].status == ParticipantStatus.WAITING
    assert mail.outbox[-1].to == ["signer2@example.jp"]
    testing.agree(doc.id)
    doc = cs.get_document(doc.id)
    assert doc.status == DocumentStatus.CONCLUDED
    completed = [m for m in mail.outbox if m.subject.startswith("締結完了")]
    assert sorted(m.to[0] for m in completed) == [
        "keiyaku@city.ashikaga.example",
        "signer1@example.jp",
        "signer2@example.jp",
        "tanto@example.jp",
    ]
    assert completed[0].attachments[0][0] == "建設工事請負契約書.pdf"

    signed = cs.download_file(doc.id, f.id)
    status = signature_status(signed, str(pki.ca_pem_path()))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    certificate = cs.download_certificate(doc.id)
    assert certificate.startswith(b"%PDF-")
    assert signature_status(certificate, str(pki.ca_pem_path())).intact


def test_signed_pdf_fails_after_one_byte_changes(cs):
    doc, f, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    testing.agree_all(doc.id)
    signed = bytearray(cs.download_file(doc.id, f.id))
    at = signed.index(b"stream") + 20  # inside the first content stream: covered by the signature
    signed[at] ^= 0x01
    status = signature_status(bytes(signed), str(pki.ca_pem_path()))
    assert not status.intact and not status.bottom_line


def test_list_filters_on_last_processed_at(cs):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    doc, _, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    listed = cs.list_documents(from_=before)
    assert [d.id for d in listed.documents] == [doc.id]
    assert listed.total == 1 and listed.page == 1
    assert listed.documents[0].reportees == ()  # with_reportees defaults to n
    assert cs.list_documents(from_=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).total == 0
    assert cs.list_documents(status=2).total == 0
    assert cs.list_documents(page=2).documents == ()
    with_r = cs.list_documents(with_reportees=True, with_files=False)
    assert with_r.documents[0].reportees and with_r.documents[0].files == ()


def test_list_pages_by_100(cs):
    for i in range(101):
        cs.create_document(title=f"書類{i}")
    assert len(cs.list_documents().documents) == 100
    second = cs.list_documents(page=2)
    assert second.total == 101 and len(second.documents) == 1


def test_update_decline_delete_and_me(cs):
    doc = cs.create_document(title="旧")
    doc = cs.update_document(doc.id, title="新", can_transfer=True)
    assert doc.title == "新" and doc.can_transfer is True
    cs.delete_document(doc.id)
    with pytest.raises(NotFound):
        cs.get_document(doc.id)

    doc, _, people, _ = prepared(cs, recipients=1)
    doc = cs.update_participant(doc.id, people[0].id, name="変更後")
    assert doc.recipients[0].name == "変更後"
    cs.send_document(doc.id)
    declined = cs.decline_document(doc.id, "金額の誤りのため取り消します")
    assert declined.status == DocumentStatus.CANCELED
    assert declined.decline_comment == "金額の誤りのため取り消します"
    assert declined.recipients[0].status == ParticipantStatus.CANCELED
    me = cs.me()
    assert me["organization"] == "足利市役所" and "team" in me


def test_remove_participant_and_file(cs):
    doc, f, people, _ = prepared(cs, recipients=2)
    doc = cs.remove_participant(doc.id, people[0].id)
    assert [(p.order, p.email) for p in doc.recipients] == [(1, "signer2@example.jp")]
    doc = cs.delete_file(doc.id, f.id)
    assert doc.files == ()


def test_token_is_reused_until_a_few_seconds_before_it_expires(cs, monkeypatch):
    """The spec: a valid token is not re-issued — so the client does not ask for one while it
    holds a valid one (formerly it asked before every call of the last minute)."""
    import esign.client as client_module

    now = [1000.0]
    monkeypatch.setattr(client_module.time, "monotonic", lambda: now[0])
    token = cs.token()
    assert cs.calls == 1
    now[0] += 3600 - 30  # 30 s left: still used, no new request
    cs.me()
    cs.me()
    assert cs.calls == 3 and cs.token() == token
    now[0] += 26  # 4 s left: renewed before it can expire in flight
    cs.token()
    assert cs.calls == 4


def test_read_timeout_outlasts_cloudsigns_180_second_gateway(settings):
    from esign.factory import get_client

    assert settings.CLOUDSIGN_READ_TIMEOUT >= 180
    assert get_client().timeout[1] >= 180


# --- every error class, over HTTP -----------------------------------------------------------


def test_invalid_token_is_refreshed_once_then_unauthorized(cs, monkeypatch):
    cs.token()
    cs._token = "0" * 36  # a token the service does not know
    assert cs.get_document  # the client refreshes on 401 and succeeds
    doc = cs.create_document(title="再取得")
    assert doc.id
    monkeypatch.setattr(cs, "token", lambda: "0" * 36)
    with pytest.raises(Unauthorized) as exc_info:
        cs.me()
    assert exc_info.value.status == 401 and exc_info.value.code == "unauthorized"


def test_missing_token_is_400_bad_request(sandbox_url):
    import requests

    response = requests.get(sandbox_url + "/documents", timeout=10)
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "message": "access token is not set properly",
    }


def test_changes_to_a_sent_document_are_not_acceptable(cs):
    doc, f, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    for call in (
        lambda: cs.add_participant(doc.id, name="追加", email="late@example.jp"),
        lambda: cs.add_file(doc.id, name="追加.pdf", data=make_pdf()),
        lambda: cs.add_reportee(doc.id, name="追加", email="late2@example.jp"),
        lambda: cs.update_document(doc.id, title="変更"),
    ):
        with pytest.raises(NotAcceptable) as exc_info:
            call()
        assert exc_info.value.status == 403 and exc_info.value.code == "not_acceptable"
    with pytest.raises(PermanentError) as exc_info:
        cs.delete_document(doc.id)
    assert exc_info.value.status == 400 and exc_info.value.code == "bad_request"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"name": "", "email": "a@example.jp"}, 400, "bad_request"),
        ({"name": "x", "email": "not-an-email"}, 400, "bad_request"),
        ({"name": "x", "email": "x@nowhere.invalid"}, 400, "bad_request"),
        ({"name": "x" * 65, "email": "a@example.jp"}, 400, "bad_request"),
    ],
)
def test_invalid_participants(cs, kwargs, status, code):
    doc = cs.create_document(title="t")
    with pytest.raises(PermanentError) as exc_info:
        cs.add_participant(doc.id, **kwargs)
    assert (exc_info.value.status, exc_info.value.code) == (status, code)


@pytest.mark.slow
def test_duplicate_email_and_the_128_recipient_limit(cs):
    doc = cs.create_document(title="t")
    cs.add_participant(doc.id, name="a", email="dup@example.jp")
    with pytest.raises(PermanentError) as exc_info:
        cs.add_participant(doc.id, name="b", email="DUP@example.jp")
    assert (exc_info.value.status, exc_info.value.code) == (400, "bad_request")
    with pytest.raises(PermanentError) as exc_info:
        cs.add_reportee(doc.id, name="b", email="dup@example.jp")
    assert exc_info.value.status == 400
    for i in range(127):
        cs.add_participant(doc.id, name=f"p{i}", email=f"p{i}@example.jp")
    with pytest.raises(PermanentError) as exc_info:
        cs.add_participant(doc.id, name="129", email="over@example.jp")
    assert (exc_info.value.status, exc_info.value.code) == (409, "conflict")


def test_send_needs_recipients_and_files(cs):
    doc = cs.create_document(title="t")
    with pytest.raises(PermanentError) as exc_info:
        cs.send_document(doc.id)
    assert (exc_info.value.status, exc_info.value.code) == (400, "bad_request")
    cs.add_participant(doc.id, name="a", email="a@example.jp")
    with pytest.raises(PermanentError) as exc_info:
        cs.send_document(doc.id)
    assert "files" in exc_info.value.message


def test_decline_of_a_draft_and_certificate_before_conclusion(cs):
    doc = cs.create_document(title="t")
    with pytest.raises(PermanentError) as exc_info:
        cs.decline_document(doc.id, "x")
    assert (exc_info.value.status, exc_info.value.code) == (400, "bad_request")
    with pytest.raises(NotFound) as exc_info:
        cs.download_certificate(doc.id)
    assert exc_info.value.code == "not_found"
    with pytest.raises(NotFound):
        cs.get_document("0" * 32)


def test_file_checks(cs, sandbox_url):
    import requests

    doc = cs.create_document(title="t")
    headers = {"Authorization": f"Bearer {cs.token()}"}
    url = f"{sandbox_url}/documents/{doc.id}/files"

    def upload(data, content_type="application/pdf"):
        return requests.post(
            url,
            headers=headers,
            data={"name": "x.pdf"},
            files={"uploadfile": ("x.pdf", data, content_type)},
            timeout=30,
        )

    assert upload(b"").json()["error"] == "bad_request"
    assert upload(b"GIF89a....").status_code == 400  # no %PDF- header
    assert upload(make_pdf()[:-10]).status_code == 400  # no %%EOF at the end
    png = upload(b"\x89PNG\r\n", content_type="image/png")
    assert (png.status_code, png.json()["error"]) == (415, "unsupported_media_type")
    not_multipart = requests.post(url, headers=headers, data={"name": "x"}, timeout=30)
    assert (not_multipart.status_code, not_multipart.json()["error"]) == (
        415,
        "unsupported_media_type",
    )
    big = upload(b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF")
    assert (big.status_code, big.json()["error"]) == (413, "too_large_request")
    # 20,000,001 bytes of body: over the limit, although under 20 MiB
    just_over = upload(b"%PDF-1.4\n" + b"0" * 20_000_000 + b"\n%%EOF")
    assert (just_over.status_code, just_over.json()["error"]) == (413, "too_large_request")
    assert cs.get_document(doc.id).files == ()


def test_go_style_booleans(cs, sandbox_url):
    import requests

    headers = {"Authorization": f"Bearer {cs.token()}"}
    ok = requests.post(
        f"{sandbox_url}/documents",
        headers=headers,
        data={"title": "t", "can_transfer": "T"},
        timeout=10,
    )
    assert ok.json()["can_transfer"] is True
    bad = requests.post(
        f"{sandbox_url}/documents",
        headers=headers,
        data={"title": "t", "can_transfer": "yes"},
        timeout=10,
    )
    assert (bad.status_code, bad.json()["error"]) == (400, "bad_request")
    as_json = requests.post(
        f"{sandbox_url}/documents", headers=headers, json={"title": "t"}, timeout=10
    )
    assert as_json.status_code == 400
    wrong_method = requests.patch(f"{sandbox_url}/documents", headers=headers, timeout=10)
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "method_not_allowed")
    bad_status = requests.get(f"{sandbox_url}/documents?status=9", headers=headers, timeout=10)
    assert bad_status.status_code == 400


def test_rate_limit_then_429_for_a_minute(cs, settings):
    settings.ESIGN_SANDBOX_RATE_LIMIT = 5
    cs.token()
    for _ in range(5):
        cs.me()
    with pytest.raises(RateLimited) as exc_info:
        cs.me()
    assert exc_info.value.status == 429 and exc_info.value.code == "too_many_requests"
    assert exc_info.value.retry_after == 60 and exc_info.value.transient


def test_injected_500_and_429_are_transient(cs):
    cs.token()
    testing.inject("500", path_regex="^/me$", remaining=1)
    with pytest.raises(TransientError) as exc_info:
        cs.me()
    assert exc_info.value.status == 500 and exc_info.value.code == "internal_server_error"
    testing.inject("429", path_regex="^/me$", remaining=1)
    with pytest.raises(RateLimited):
        cs.me()
    assert cs.me()["organization"]  # the faults were used up


def test_504_after_commit_means_reread(cs):
    doc, _, _, _ = prepared(cs, recipients=1)
    testing.inject("504", method="POST", path_regex=r"^/documents/[^/]+$", remaining=1)
    with pytest.raises(GatewayTimeout) as exc_info:
        cs.send_document(doc.id)
    assert exc_info.value.transient and exc_info.value.maybe_committed
    assert cs.get_document(doc.id).status == DocumentStatus.WAITING  # it was sent after all


def test_read_timeout_is_transient(sandbox_url):
    client = CloudSignClient(sandbox_url, "00000000-0000-4000-8000-000000000000", read_timeout=0.5)
    client.token()
    testing.inject("delay", path_regex="^/me$", delay_seconds=2, remaining=1)
    with pytest.raises(TransientError):
        client.me()


def test_connection_error_is_transient():
    client = CloudSignClient("http://127.0.0.1:9", "x", connect_timeout=0.5)
    with pytest.raises(TransientError) as exc_info:
        client.token()
    assert exc_info.value.status is None


def test_logs_never_show_the_token(cs, caplog):
    caplog.set_level("INFO", logger="esign.client")
    token = cs.token()
    cs.me()
    assert "GET /me 200" in caplog.text
    assert token not in caplog.text


def test_recipient_link_in_the_mail_opens_the_signing_page(cs, client):
    doc, _, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc.id)
    link = testing.current_link(doc.id)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "書類の内容に同意" in page.content.decode()


def test_document_limits_100_files_and_50mb(cs, monkeypatch):
    from esign_sandbox.api import limits

    small = make_pdf()
    doc = cs.create_document(title="上限")
    monkeypatch.setattr(limits, "MAX_FILES", 3)
    for i in range(3):
        cs.add_file(doc.id, name=f"{i}.pdf", data=small)
    with pytest.raises(PermanentError) as exc_info:
        cs.add_file(doc.id, name="4.pdf", data=small)
    assert (exc_info.value.status, exc_info.value.code) == (400, "bad_request")
    assert limits.MAX_FILES == 3 and len(cs.get_document(doc.id).files) == 3

    other = cs.create_document(title="容量")
    monkeypatch.setattr(limits, "MAX_DOCUMENT_BYTES", len(small) * 2)
    cs.add_file(other.id, name="1.pdf", data=small)
    cs.add_file(other.id, name="2.pdf", data=small)
    with pytest.raises(PermanentError) as exc_info:
        cs.add_file(other.id, name="3.pdf", data=small)
    assert "50MB" in exc_info.value.message


def test_the_real_limits_are_those_of_the_specification():
    from esign_sandbox.api import limits

    assert limits.MAX_FILES == 100
    # "50MB" / "20MB" read as decimal megabytes (the smaller): exactly these byte counts
    assert limits.MAX_DOCUMENT_BYTES == 50_000_000
    assert limits.MAX_REQUEST_BYTES == 20_000_000
    from esign import limits as portal_limits

    assert portal_limits.MAX_DOCUMENT_BYTES == limits.MAX_DOCUMENT_BYTES
    assert portal_limits.MAX_REQUEST_BYTES == limits.MAX_REQUEST_BYTES
    assert limits.MAX_RECIPIENTS == 128
    assert limits.PAGE_SIZE == 100
