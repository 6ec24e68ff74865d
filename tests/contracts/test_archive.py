"""The ten-year archive, end to end over real HTTP with a real worker: CloudSign's PAdES-T at
conclusion, its document timestamp a "day" later, the re-fetch that keeps every version, the
city's archive timestamp, and the clock moved forward 11 years."""

import datetime as dt
import hashlib
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker

from ashikaga_portal.celery import app as celery_app
from contracts import services, sync, tasks
from contracts.constants import DocumentKind, SignatureStatus
from contracts.models import SignedDocument, SignedDocumentVersion, SigningRequest
from contracts.services import archive
from contracts.verify import verify_pdf
from core.models import AuditEvent
from esign_sandbox import testing
from esign_sandbox.models import Document as SandboxDocument

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def read(version: SignedDocumentVersion) -> bytes:
    with version.stored_file.file.open("rb") as fh:
        return fh.read()


@pytest.fixture
def fresh_sandbox_ca(settings, tmp_path, use_sandbox):
    """A sandbox CA created now (CA 20 years; signer and TSA certificates 10 years), named at
    the live server (CRL and OCSP reachable)."""
    settings.ESIGN_SANDBOX_PKI_DIR = str(tmp_path / "pki")
    return use_sandbox


@pytest.mark.slow
@pytest.mark.waits
def test_conclusion_refetch_and_renewal_over_eleven_years(
    ready_contract, section_staff, contractor, fresh_sandbox_ca, settings, client
):
    settings.ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS = 15  # CloudSign: about 24 hours
    settings.ESIGN_REFETCH_FIRST_HOURS = 3 / 3600  # the portal: first re-fetch after 25 h
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        signing_request = services.contract_send_for_signature(
            contract=ready_contract, user=section_staff
        )
        signing_request = services.signing_request_push(request_id=signing_request.pk)
        testing.agree_all(signing_request.document_id)  # contractor, then the city
        sync.sync_signing_status()  # concluded → the worker stores
        assert wait_for(
            lambda: SigningRequest.objects.get(pk=signing_request.pk).stored_at is not None
        )
        # 1. stored within seconds: PAdES-T, 有効 (revocation fetched from the CA's CRL), and
        #    shown as not yet long-term
        document = SignedDocument.objects.filter(
            signing_request=signing_request, kind=DocumentKind.SIGNED
        ).first()
        assert document.signature_status == SignatureStatus.VALID, document.signature_detail
        assert not document.long_term and document.next_refetch_at is not None
        assert "長期署名はまだありません" in document.signature_detail
        first = document.versions.get()
        original = read(first)
        assert b"/DocTimeStamp" not in original
        client.force_login(contractor)
        page = client.get(f"/contracts/{ready_contract.pk}/").content.decode()
        assert "長期署名はまだありません" in page
        # 2. the sandbox adds its document timestamp after the delay (its own delayed task)
        assert wait_for(
            lambda: (
                SandboxDocument.objects.get(pk=signing_request.document_id).long_term_at is not None
            )
        )
        # 3. the re-fetch (the beat's hourly task, on the worker) stores the new version
        time.sleep(max(0, (document.next_refetch_at - dt.datetime.now(dt.UTC)).total_seconds()))
        tasks.refetch_signed_documents.delay()
        assert wait_for(
            lambda: SignedDocumentVersion.objects.filter(document=document).count() == 2
        )
    document.refresh_from_db()
    second = document.versions.get(number=2)
    refetched = read(second)
    assert second.source == "refetch" and second.long_term
    assert refetched.startswith(original) and len(refetched) > len(original)
    assert document.long_term and document.next_refetch_at is None
    assert document.stored_file_id == second.stored_file_id
    assert document.signature_status == SignatureStatus.VALID, document.signature_detail
    # the original is kept untouched
    first.refresh_from_db()
    assert read(first) == original
    assert hashlib.sha256(original).hexdigest() == first.sha256 == first.stored_file.sha256
    event = AuditEvent.objects.get(action="signed_document.refetched", target_id=str(document.pk))
    assert event.payload["version"] == 2 and event.payload["previous_size"] == len(original)
    # renewal is due a year before the sandbox TSA's certificate expires (10 years)
    assert document.renew_due_at is not None
    years = (document.renew_due_at - dt.datetime.now(dt.UTC)).days / 365.25
    assert 8.5 < years < 9.5
    assert archive.signed_documents_renew_due() == []

    # 4. 9 years and 4 months later: the scheduled job adds the city's archive timestamp
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now + dt.timedelta(days=int(365.25 * 9 + 120)), tick=True):
        assert set(archive.signed_documents_renew_due()) >= {document.pk}
        assert tasks.renew_archive_timestamps() >= 1
        assert tasks.renew_archive_timestamps() == 0  # not due again
    document.refresh_from_db()
    third = document.versions.get(number=3)
    renewed = read(third)
    assert third.source == "renewal" and renewed.startswith(refetched)
    assert read(document.versions.get(number=2)) == refetched  # every version kept
    assert AuditEvent.objects.filter(
        action="signed_document.renewed", target_id=str(document.pk)
    ).exists()
    assert document.renew_due_at > now + dt.timedelta(days=365 * 15)

    # 5. 11 years after conclusion: the signer's and CloudSign's TSA certificates have expired
    with time_machine.travel(now + dt.timedelta(days=int(365.25 * 11)), tick=True):
        with_renewal = verify_pdf(renewed)
        without_renewal = verify_pdf(refetched)
    assert with_renewal.status == SignatureStatus.VALID, with_renewal.detail
    assert "文書タイムスタンプ2件" in with_renewal.detail
    assert without_renewal.status == SignatureStatus.INVALID
    assert "証明書の有効期限が切れています" in without_renewal.detail
