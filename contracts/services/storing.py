"""Storing what was signed: download, verify, hash and keep the signed PDF and its
合意締結証明書 exactly once, then mark the contract 締結済."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.selectors import company_emails, reviewer_emails
from contracts import wakeups
from contracts.changes import case_follow_change
from contracts.constants import (
    ContractStatus,
    DocumentKind,
    RequestStatus,
)
from contracts.models import (
    Contract,
    ContractCorrection,
    SignedDocument,
    SignedDocumentVersion,
    SigningRequest,
    VersionSource,
)
from contracts.services.common import (
    ContractError,
    _claim_seconds,
    _raise_if_claimed,
    _record_error,
    lease_renewed,
)
from contracts.services.versions import apply_verification
from core import audit
from core.mail import send_mail_on_commit
from core.uploads import store_pdf
from esign.errors import CloudSignError
from esign.factory import get_client


def _enqueue_store(request_id: int) -> None:
    wakeups.wake(wakeups.STORE_SIGNED_DOCUMENTS, request_id)


def _claim_for_storage(request_id: int) -> bool:
    now = timezone.now()
    return bool(
        SigningRequest.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=request_id,
            status=RequestStatus.CONCLUDED,
            stored_at__isnull=True,
            store_failed_at__isnull=True,
        ).update(claimed_until=now + dt.timedelta(seconds=_claim_seconds()))
    )


def _store_one(
    signing_request: SigningRequest,
    *,
    kind: str,
    remote_file_id: str,
    name: str,
    data: bytes,
    contract_file=None,
    source: str = VersionSource.CONCLUSION,
    user=None,
) -> SignedDocument:
    from contracts.services.versions import MAX_SIGNED_BYTES, first_refetch_at
    from contracts.verify import verify_pdf
    from core.uploads import validate_pdf_bytes

    pdf = validate_pdf_bytes(data, name=name, max_bytes=MAX_SIGNED_BYTES, max_pages=10_000)
    verification = verify_pdf(data)
    contract = signing_request.contract
    with transaction.atomic():
        existing = SignedDocument.objects.filter(
            signing_request=signing_request, kind=kind, remote_file_id=remote_file_id
        ).first()
        if existing is not None:
            return existing
        stored = store_pdf(pdf, kind=f"signed-{kind}", company=contract.case.awarded_company)
        document = SignedDocument(
            signing_request=signing_request,
            kind=kind,
            remote_file_id=remote_file_id,
            contract_file=contract_file,
            stored_file=stored,
            sha256=stored.sha256,
            size=stored.size,
            page_count=stored.page_count,
        )
        apply_verification(document, verification)
        if kind == DocumentKind.SIGNED and not verification.long_term and remote_file_id:
            # CloudSign adds its document timestamp about a day later: fetch it again then
            document.next_refetch_at = first_refetch_at(
                signing_request.concluded_at or timezone.now()
            )
        document.save()
        SignedDocumentVersion.objects.create(
            document=document,
            number=1,
            source=source,
            stored_file=stored,
            sha256=stored.sha256,
            size=stored.size,
            signature_status=verification.status,
            signature_detail=verification.detail,
            long_term=verification.long_term,
            created_by=user,
        )
        return document


def signed_documents_store(*, request_id: int, client=None) -> SigningRequest | None:
    """On conclusion: download every signed file and the 合意締結証明書, verify, hash and store
    them, mark the contract 締結済 with its 契約日 and notify. Idempotent (stores once)."""
    if not _claim_for_storage(request_id):
        _raise_if_claimed(request_id, status=RequestStatus.CONCLUDED, stored_at__isnull=True)
        return None
    signing_request = SigningRequest.objects.select_related(
        "contract",
        "contract__case",
        "contract__case__awarded_company",
        "contract__case__department",
    ).get(pk=request_id)
    client = client or get_client()
    try:
        with lease_renewed(request_id):
            _download_and_store(signing_request, client)
    except CloudSignError as exc:
        _record_error(signing_request, exc, release=True)
        raise
    except Exception:
        SigningRequest.objects.filter(pk=request_id).update(claimed_until=None)
        raise
    return _mark_concluded(signing_request)


def _download_and_store(signing_request: SigningRequest, client) -> None:
    """Download and store every file not stored yet (the lease held by the caller)."""
    have = set(signing_request.documents.values_list("kind", "remote_file_id"))
    for remote in signing_request.remote_files.select_related("contract_file__file"):
        if (DocumentKind.SIGNED, remote.remote_id) in have:
            continue
        data = client.download_file(signing_request.document_id, remote.remote_id)
        _store_one(
            signing_request,
            kind=DocumentKind.SIGNED,
            remote_file_id=remote.remote_id,
            name=remote.contract_file.file.original_name,
            data=data,
            contract_file=remote.contract_file,
        )
    if (DocumentKind.CERTIFICATE, "") not in have:
        data = client.download_certificate(signing_request.document_id)
        _store_one(
            signing_request,
            kind=DocumentKind.CERTIFICATE,
            remote_file_id="",
            name=f"合意締結証明書_{signing_request.contract.case.number}.pdf",
            data=data,
        )


@transaction.atomic
def _mark_concluded(signing_request: SigningRequest) -> SigningRequest:
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    if signing_request.stored_at is not None:
        return signing_request
    now = timezone.now()
    signing_request.stored_at = now
    signing_request.claimed_until = None
    signing_request.save(update_fields=["stored_at", "claimed_until"])
    _conclude_contract(signing_request, now=now)
    return signing_request


def _conclude_contract(signing_request: SigningRequest, *, now, files_pending: bool = False):
    """The contract becomes 締結済 with its 契約日 (once), announced to both sides. CloudSign's
    conclusion is what counts: on LGWAN the files may still be to come (``files_pending``)."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("case", "case__awarded_company", "case__department")
        .get(pk=signing_request.contract_id)
    )
    if contract.status == ContractStatus.CONCLUDED:
        return contract  # stored again after a lost run: announced once already
    concluded_on = timezone.localtime(signing_request.concluded_at or now).date()
    contract.status = ContractStatus.CONCLUDED
    contract.contract_date = contract.contract_date or concluded_on
    contract.save(update_fields=["status", "contract_date", "updated_at"])
    case_follow_change(contract)  # a 変更契約 becomes the case's current amount and 工期
    documents = list(signing_request.documents.all())
    audit.record(
        "contract.concluded",
        target=contract,
        payload={
            "signing_request": signing_request.pk,
            "documents": [
                {"kind": d.kind, "sha256": d.sha256, "signature": d.signature_status}
                for d in documents
            ],
            "files_pending": files_pending,
        },
    )
    context = {
        "contract": contract,
        "case": contract.case,
        "documents": documents,
        "files_pending": files_pending,
    }
    send_mail_on_commit(
        "contract_concluded_contractor", context, company_emails(contract.case.awarded_company)
    )
    send_mail_on_commit("contract_concluded_staff", context, reviewer_emails(contract.case))
    return contract


@transaction.atomic
def signing_request_refetch(
    *, signing_request: SigningRequest, user, request: HttpRequest | None = None
) -> None:
    """Staff ask for a concluded request's documents again (e.g. after a storage fault, or
    once the cause of a permanent failure — 締結書類の取得失敗 — is fixed): the failure mark and
    the claim are cleared and the store task queued; storing stays idempotent."""
    SigningRequest.objects.filter(pk=signing_request.pk).update(
        claimed_until=None, store_failed_at=None
    )
    audit.record(
        "signing_request.refetch",
        actor=user,
        target=signing_request,
        request=request,
        payload={"after_failure": signing_request.store_failed_at is not None},
    )
    _enqueue_store(signing_request.pk)


@transaction.atomic
def signing_request_store_fail(
    *, signing_request: SigningRequest, error: CloudSignError
) -> SigningRequest:
    """A permanent error while fetching the signed files (e.g. 400 on LGWAN): stop trying,
    record it and tell the department's staff (管理画面 → 署名依頼 → 再取得 after fixing)."""
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    if signing_request.stored_at is not None or signing_request.store_failed_at is not None:
        return signing_request
    _record_error(signing_request, error, release=True)
    SigningRequest.objects.filter(pk=signing_request.pk).update(store_failed_at=timezone.now())
    signing_request.refresh_from_db()
    audit.record(
        "signing_request.store_failed",
        target=signing_request,
        payload={"code": error.code, "status": error.status, "message": error.message},
    )
    # CloudSign concluded it: 締結済 with its 契約日 now; the file is 取得不可 until staff
    # upload it (or a 再取得 succeeds).
    _conclude_contract(signing_request, now=timezone.now(), files_pending=True)
    contract = signing_request.contract
    send_mail_on_commit(
        "signed_documents_store_failed",
        {"signing_request": signing_request, "contract": contract, "case": contract.case},
        reviewer_emails(contract.case),
    )
    return signing_request


@transaction.atomic
def contract_record_correction(
    *,
    contract: Contract,
    field: str,
    new_value: str,
    reason: str,
    user,
    old_value: str = "",
    request: HttpRequest | None = None,
) -> ContractCorrection:
    """訂正: a correction of a concluded contract's record, kept beside it (never an edit)."""
    if contract.status != ContractStatus.CONCLUDED:
        raise ContractError("訂正記録は締結済の契約にだけ追加できます。", code="not_concluded")
    correction = ContractCorrection.objects.create(
        contract=contract,
        field=field,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        created_by=user,
    )
    audit.record(
        "contract.corrected",
        actor=user,
        target=contract,
        request=request,
        payload={"field": field, "old": old_value, "new": new_value, "reason": reason},
    )
    return correction
