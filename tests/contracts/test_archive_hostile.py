"""Hostile and unlucky files in the archive, over real HTTP to the sandbox: each gets the right
state and a Japanese reason, and nothing stored is lost."""

import base64

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from contracts import services, sync
from contracts.constants import DocumentKind, SignatureStatus
from contracts.integrity import signed_documents_reverify
from contracts.models import SignedDocument
from contracts.services import archive, storing
from contracts.verify import verify_pdf
from core.models import AuditEvent
from esign_sandbox import pki, testing
from esign_sandbox.models import Document as SandboxDocument
from tests.contracts import pades

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox(settings, tmp_path, use_sandbox):
    """A CA of this test's own (a revocation must not leak into other tests)."""
    settings.ESIGN_SANDBOX_PKI_DIR = str(tmp_path / "pki")
    return use_sandbox


def concluded(contract, user):
    signing_request = services.contract_send_for_signature(contract=contract, user=user)
    signing_request = services.signing_request_push(request_id=signing_request.pk)
    testing.agree_all(signing_request.document_id)
    sync.sync_signing_status()  # concluded
    storing.signed_documents_store(request_id=signing_request.pk)
    return SignedDocument.objects.filter(
        signing_request=signing_request, kind=DocumentKind.SIGNED
    ).first()


def read(document) -> bytes:
    with document.stored_file.file.open("rb") as fh:
        return fh.read()


def test_revoked_signer_is_invalid_with_crl_and_ocsp_reachable(
    ready_contract, section_staff, sandbox, live_server
):
    document = concluded(ready_contract, section_staff)
    assert document.signature_status == SignatureStatus.VALID, document.signature_detail
    data = read(document)
    serial = testing.revoke_signer()
    # the CA's OCSP responder says so too, over HTTP
    signer = x509.load_pem_x509_certificate((pki.pki_dir() / "signer.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((pki.pki_dir() / "ca.pem").read_bytes())
    request = ocsp.OCSPRequestBuilder().add_certificate(signer, ca, hashes.SHA256()).build()
    der = request.public_bytes(serialization.Encoding.DER)
    url = f"{live_server.url}/sandbox/cloudsign/pki/ocsp"
    answer = requests.post(
        url, data=der, headers={"Content-Type": "application/ocsp-request"}, timeout=10
    )
    response = ocsp.load_der_ocsp_response(answer.content)
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.serial_number == serial
    by_get = requests.get(f"{url}/{base64.b64encode(der).decode()}", timeout=10)
    assert ocsp.load_der_ocsp_response(by_get.content).certificate_status == (
        ocsp.OCSPCertStatus.REVOKED
    )
    # the verifier fetches the CRL: 無効（失効）
    result = verify_pdf(data)
    assert result.status == SignatureStatus.INVALID
    assert "証明書が失効しています" in result.detail
    # and the nightly re-verification notices it, audited; the stored file is untouched
    problems = signed_documents_reverify()
    document.refresh_from_db()
    assert document.signature_status == SignatureStatus.INVALID
    assert "失効" in document.signature_detail
    assert any(kind == "signature" for _, kind in problems)
    assert AuditEvent.objects.filter(
        action="signed_document.reverified", target_id=str(document.pk)
    ).exists()
    assert read(document) == data


def test_without_reachable_revocation_data_the_state_is_not_yet_confirmed(
    ready_contract, section_staff, sandbox, settings
):
    settings.ESIGN_REVOCATION_HOSTS = []  # e.g. the CA's host is not on the allow-list
    document = concluded(ready_contract, section_staff)
    assert document.signature_status == SignatureStatus.UNCONFIRMED
    assert document.signature_detail.startswith("未確認（")
    assert "失効情報を確認できません" in document.signature_detail
    assert document.get_signature_status_display().startswith("未確認")


def test_refetched_file_with_changed_earlier_bytes_is_refused_and_the_original_kept(
    ready_contract, section_staff, sandbox
):
    document = concluded(ready_contract, section_staff)
    original = read(document)
    remote = SandboxDocument.objects.get(pk=document.signing_request.document_id)
    testing.add_long_term(remote.id)
    sandbox_file = remote.files.get(pk=document.remote_file_id)
    served = bytes(sandbox_file.signed_data)
    assert served.startswith(original)
    # CloudSign (or someone on the way) now serves a file whose earlier bytes differ
    changed = bytearray(served)
    position = served.index(b"/Producer") if b"/Producer" in served else 200
    changed[position + 2] ^= 0x01
    sandbox_file.signed_data = bytes(changed)
    sandbox_file.save(update_fields=["signed_data"])
    assert archive.signed_document_refetch(document_id=document.pk) is None
    document.refresh_from_db()
    assert document.versions.count() == 1 and read(document) == original
    assert not document.long_term
    event = AuditEvent.objects.get(action="signed_document.refetch_refused")
    assert "保存済みのファイルの続きではありません" in event.payload["reason"]
    assert document.next_refetch_at is not None  # tried again later


def test_refetched_file_with_more_than_dss_and_timestamps_is_refused(
    ready_contract, section_staff, sandbox
):
    document = concluded(ready_contract, section_staff)
    original = read(document)
    remote = SandboxDocument.objects.get(pk=document.signing_request.document_id)
    sandbox_file = remote.files.get(pk=document.remote_file_id)
    # the stored bytes are a prefix, but the added revision redefines the page content
    sandbox_file.signed_data = pades.append_page_text(original)
    sandbox_file.save(update_fields=["signed_data"])
    assert archive.signed_document_refetch(document_id=document.pk) is None
    document.refresh_from_db()
    assert document.versions.count() == 1 and read(document) == original
    reason = AuditEvent.objects.get(action="signed_document.refetch_refused").payload["reason"]
    assert "以外の変更が追加されています" in reason or "無効" in reason


def test_refetch_gives_up_after_the_window_and_the_work_queue_shows_it(
    ready_contract, section_staff, sandbox, settings, admin_user
):
    from portal.queue import work_queue

    settings.ESIGN_REFETCH_DAYS = 0  # the window has passed at the first attempt
    document = concluded(ready_contract, section_staff)
    assert archive.signed_document_refetch(document_id=document.pk) is None  # unchanged
    document.refresh_from_db()
    assert document.refetch_gave_up_at is not None and document.next_refetch_at is None
    assert AuditEvent.objects.filter(action="signed_document.refetch_same").exists()
    box = next(b for b in work_queue(admin_user) if b.key == "long_term")
    assert box.count >= 1
    assert any("文書タイムスタンプ（長期署名）が付与されていません" in i.note for i in box.items)


def test_appended_bytes_after_conclusion_are_invalid(ready_contract, section_staff, sandbox):
    document = concluded(ready_contract, section_staff)
    data = read(document)
    assert verify_pdf(data).status == SignatureStatus.VALID
    # bytes after the final %%EOF that form no revision
    garbage = verify_pdf(data + b"\n1 0 obj\n(9000000 JPY)\nendobj\n")
    assert garbage.status == SignatureStatus.INVALID
    assert "署名されていないデータが追記されています" in garbage.detail
    # an incremental update that redefines the page content
    redrawn = verify_pdf(pades.append_page_text(data))
    assert redrawn.status == SignatureStatus.INVALID
    assert "署名後に許されない変更があります" in redrawn.detail


def test_sandbox_answers_ocsp_for_unknown_certificates_and_rejects_garbage(sandbox, live_server):
    answer = requests.post(
        f"{live_server.url}/sandbox/cloudsign/pki/ocsp",
        data=b"not a request",
        headers={"Content-Type": "application/ocsp-request"},
        timeout=10,
    )
    response = ocsp.load_der_ocsp_response(answer.content)
    assert response.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    tsa = requests.post(
        f"{live_server.url}/sandbox/cloudsign/pki/tsa",
        data=b"garbage",
        headers={"Content-Type": "application/timestamp-query"},
        timeout=10,
    )
    assert tsa.status_code == 400
