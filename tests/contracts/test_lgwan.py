"""LGWAN: the service answers 400 on file downloads and sends no webhooks. Storing must end in a
staff-visible failure, not in an endless re-queue; 再取得 after the cause is fixed stores."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from ashikaga_portal.celery import app as celery_app
from contracts import services, sync
from contracts.models import SigningRequest
from contracts.services import storing
from core.models import AuditEvent
from esign.errors import PermanentError
from esign.factory import get_client
from esign_sandbox import testing
from esign_sandbox.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def sent(contract, user):
    signing_request = services.contract_send_for_signature(contract=contract, user=user)
    return services.signing_request_push(request_id=signing_request.pk)


def wait_for(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_lgwan_sandbox_answers_400_on_download_and_sends_no_webhook(
    ready_contract, section_staff, use_sandbox, live_server
):
    testing.add_webhook(f"{live_server.url}/hooks/cloudsign/x/")
    testing.behave_like_lgwan()
    signing_request = sent(ready_contract, section_staff)
    testing.agree_all(signing_request.document_id)
    file_id = signing_request.remote_files.first().remote_id
    with pytest.raises(PermanentError) as exc_info:
        get_client().download_file(signing_request.document_id, file_id)
    assert exc_info.value.status == 400 and exc_info.value.code == "bad_request"
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.slow
@pytest.mark.waits
def test_lgwan_store_ends_in_a_staff_visible_failure_without_a_loop(
    ready_contract, section_staff, use_sandbox, admin_client, settings
):
    testing.behave_like_lgwan()
    signing_request = sent(ready_contract, section_staff)
    testing.agree_all(signing_request.document_id)
    # a zero-second "delay" fault on file downloads: its counter counts the download attempts
    counter = testing.inject("delay", method="GET", path_regex=r"/files/[^/]+$", remaining=1000)
    mail.outbox.clear()
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        sync.sync_signing_status()  # concluded → the store task is queued
        assert wait_for(
            lambda: SigningRequest.objects.get(pk=signing_request.pk).store_failed_at is not None
        ), "the permanent error was not recorded"
        counter.refresh_from_db()
        attempts = 1000 - counter.remaining
        assert attempts == 1  # a permanent error is not retried
        # further sweeps no longer re-queue it: no download is attempted again
        for _ in range(3):
            sync.sync_signing_status()
        time.sleep(1.5)
    counter.refresh_from_db()
    assert 1000 - counter.remaining == attempts
    signing_request.refresh_from_db()
    assert signing_request.status == "concluded" and signing_request.stored_at is None
    assert signing_request.last_error_code == "400 bad_request"
    assert signing_request.documents.count() == 0
    ready_contract.refresh_from_db()
    # CloudSign concluded it: 締結済 with its 契約日, although the file is not here (取得不可)
    assert ready_contract.status == "concluded" and ready_contract.contract_date is not None
    concluded = AuditEvent.objects.get(action="contract.concluded")
    assert concluded.payload["files_pending"] is True
    assert AuditEvent.objects.filter(action="signing_request.store_failed").count() == 1
    alerts = [m for m in mail.outbox if "締結済み書類を取得できません" in m.subject]
    assert alerts and alerts[0].to == [section_staff.email]
    assert "LGWAN" in alerts[0].body
    assert not storing._claim_for_storage(signing_request.pk)  # a stray task does nothing
    # staff see it in the admin list, filtered as failed
    page = admin_client.get("/admin/contracts/signingrequest/?store_failed_at__isempty=0")
    assert page.status_code == 200 and signing_request.document_id in page.content.decode()

    # the cause is fixed (here: the sandbox serves files again) → 再取得 stores it
    testing.behave_like_lgwan(False)
    testing.clear_faults()
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        response = admin_client.post(
            "/admin/contracts/signingrequest/",
            {"action": "refetch_documents", "_selected_action": [signing_request.pk]},
        )
        assert response.status_code == 302
        assert wait_for(
            lambda: SigningRequest.objects.get(pk=signing_request.pk).stored_at is not None
        )
    signing_request.refresh_from_db()
    assert signing_request.store_failed_at is None
    assert signing_request.documents.count() == 3
    ready_contract.refresh_from_db()
    assert ready_contract.status == "concluded"
    assert AuditEvent.objects.filter(action="contract.concluded").count() == 1  # announced once
    refetch = AuditEvent.objects.get(action="signing_request.refetch")
    assert refetch.payload == {"after_failure": True}


def test_lgwan_staff_upload_is_verified_before_it_is_stored(
    ready_contract, section_staff, use_sandbox, settings, tmp_path, admin_client
):
    """CloudSign concluded, the API refuses the file (LGWAN): staff upload the PDF saved from
    CloudSign's web screen. Only a verified file of this very document is stored."""
    from django.core.exceptions import ValidationError

    from contracts.services import archive
    from contracts.services.common import ContractError
    from esign_sandbox.models import File as SandboxFile
    from tests.contracts import pades
    from tests.pdfs import make_pdf

    settings.ESIGN_SANDBOX_PKI_DIR = str(tmp_path / "pki")
    testing.behave_like_lgwan()
    signing_request = sent(ready_contract, section_staff)
    testing.agree_all(signing_request.document_id)
    sync.sync_signing_status()
    with pytest.raises(PermanentError) as refused:
        storing.signed_documents_store(request_id=signing_request.pk)
    storing.signing_request_store_fail(signing_request=signing_request, error=refused.value)
    ready_contract.refresh_from_db()
    assert ready_contract.status == "concluded" and ready_contract.contract_date is not None
    signing_request.refresh_from_db()
    assert signing_request.stored_at is None  # 取得不可: in the work queue
    remote = signing_request.remote_files.order_by("pk")
    files = {
        r.remote_id: bytes(SandboxFile.objects.get(pk=r.remote_id).signed_data) for r in remote
    }

    def upload(data):
        return archive.signed_document_upload(
            signing_request=signing_request, data=data, name="web.pdf", user=section_staff
        )

    # not signed at all
    with pytest.raises(ValidationError) as exc_info:
        upload(make_pdf())
    assert "電子署名を確認できない" in exc_info.value.messages[0]
    # signed, but another document (its 書類ID is not this request's)
    other = pades.cloudsign_like(pades.make_pki(tmp_path / "other"))
    with pytest.raises(ValidationError) as exc_info:
        upload(other)
    assert "電子署名を確認できない" in exc_info.value.messages[0] or (
        "書類ID" in exc_info.value.messages[0]
    )
    # this document's file with its amount altered
    first = next(iter(files.values()))
    with pytest.raises(ValidationError) as exc_info:
        upload(first.replace(b"/Producer", b"/Producex", 1) + b"\n% x\n")
    assert "電子署名を確認できない" in exc_info.value.messages[0]
    assert signing_request.documents.count() == 0  # nothing stored
    # through the admin page: a hostile file is refused with the reason on the page ...
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/admin/contracts/signingrequest/{signing_request.pk}/upload-signed/"
    listing = admin_client.get("/admin/contracts/signingrequest/?stored_at__isempty=1")
    assert listing.status_code == 200 and "取得不可: アップロード" in listing.content.decode()
    page = admin_client.post(url, {"file": SimpleUploadedFile("x.pdf", other)})
    assert page.status_code == 200 and "保存できません" in page.content.decode()
    assert signing_request.documents.count() == 0
    # ... the real files: stored, verified, as version 1 "職員によるアップロード", audited
    for data in files.values():
        response = admin_client.post(url, {"file": SimpleUploadedFile("web.pdf", data)})
        assert response.status_code == 302, response.content.decode()[-2000:]
    for document in signing_request.documents.all():
        assert document.versions.get().source == "upload"
        assert document.signature_status == "valid", document.signature_detail
    signing_request.refresh_from_db()
    assert signing_request.stored_at is not None
    assert AuditEvent.objects.filter(action="signed_document.uploaded").count() == len(files)
    with pytest.raises((ValidationError, ContractError)):
        upload(first)  # already stored: no second copy
