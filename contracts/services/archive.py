"""The archive over the retention period: every version of a signed document kept.

- ``signed_document_refetch``: about a day after conclusion CloudSign adds a document timestamp
  (long-term signature) to its copy; the portal downloads the file again and accepts it only as an
  append-only extension of the stored bytes whose added revisions hold nothing but DSS data and
  document timestamps. Refused files are never stored; the reason is audited.
- ``signed_document_renew``: before the newest timestamp certificate in the file expires, the
  city's archive TSA (``ESIGN_ARCHIVE_TSA_URL``) adds a new document timestamp over the file and
  the validation data of the previous one (PAdES-LTA), with pyHanko's
  ``PdfTimeStamper.update_archival_timestamp_chain``.
- ``signed_document_upload``: when CloudSign refuses the download (LGWAN), staff upload the PDF
  they saved from CloudSign's web screen; it is verified, and checked to be this document.

Each new version is a new ``SignedDocumentVersion`` (a new stored file); the document row points
to the newest one.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from contracts.constants import DocumentKind, SignatureStatus
from contracts.models import (
    SignedDocument,
    SignedDocumentVersion,
    SigningRequest,
    VersionSource,
)
from contracts.services.common import ContractError
from contracts.services.versions import (
    MAX_SIGNED_BYTES,
    apply_verification,
)
from core import audit
from core.uploads import store_pdf, validate_pdf_bytes
from esign.factory import get_client

logger = logging.getLogger(__name__)
NOT_A_PREFIX = (
    "再取得したファイルは保存済みのファイルの続きではありません（署名済みの部分が変わっています）"
)
OTHER_CHANGES = "再取得したファイルに、長期検証情報・文書タイムスタンプ以外の変更が追加されています"


def _read(document: SignedDocument) -> bytes:
    with document.stored_file.file.open("rb") as fh:
        return fh.read()


def add_version(
    document: SignedDocument,
    *,
    data: bytes,
    verification,
    source: str,
    user=None,
    name: str = "",
) -> SignedDocumentVersion:
    """Store ``data`` as the document's next version and make it the current one (in the
    caller's transaction). The earlier versions and their files stay as they are."""
    pdf = validate_pdf_bytes(
        data,
        name=name or document.stored_file.original_name,
        max_bytes=MAX_SIGNED_BYTES,
        max_pages=10_000,
    )
    contract = document.signing_request.contract
    stored = store_pdf(pdf, kind=f"signed-{document.kind}", company=contract.case.awarded_company)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = SignedDocumentVersion.objects.create(
        document=document,
        number=last + 1,
        source=source,
        stored_file=stored,
        sha256=stored.sha256,
        size=stored.size,
        signature_status=verification.status,
        signature_detail=verification.detail,
        long_term=verification.long_term,
        created_by=user,
    )
    document.stored_file = stored
    document.sha256 = stored.sha256
    document.size = stored.size
    document.page_count = stored.page_count
    apply_verification(document, verification)
    document.save()
    return version


# --- re-fetch --------------------------------------------------------------------------------


def extension_problem(old: bytes, new: bytes, verification) -> str:
    """Why ``new`` is not an acceptable extension of ``old`` (Japanese), or ""."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not new.startswith(old):
        return NOT_A_PREFIX
    try:
        before = PdfFileReader(io.BytesIO(old), strict=False).embedded_signatures
        after = PdfFileReader(io.BytesIO(new), strict=False).embedded_signatures
    except Exception as exc:  # unreadable
        return f"再取得したファイルを読み取れません（{exc.__class__.__name__}）"
    added = after[len(before) :]
    if any(sig.sig_object_type != "/DocTimeStamp" for sig in added):
        return "再取得したファイルに、文書タイムスタンプ以外の署名が追加されています"
    checks = verification.checks
    allowed = {"", "NONE", "LTA_UPDATES"}
    last_approval = max(
        (c for c in checks if c["kind"] == "signature"), key=lambda c: c["index"], default=None
    )
    for check in [last_approval, *checks[len(before) :]]:
        if check is not None and check["modification_level"] not in allowed:
            return OTHER_CHANGES
    if verification.status == SignatureStatus.INVALID:
        return f"再取得したファイルの検証結果が無効です: {verification.detail}"
    return ""


def _schedule_next(document: SignedDocument, now: dt.datetime) -> None:
    concluded = document.signing_request.concluded_at or document.created_at
    give_up = concluded + dt.timedelta(days=settings.ESIGN_REFETCH_DAYS)
    document.refetch_attempts += 1
    following = now + dt.timedelta(hours=settings.ESIGN_REFETCH_INTERVAL_HOURS)
    if following > give_up:
        document.next_refetch_at = None
        document.refetch_gave_up_at = now
    else:
        document.next_refetch_at = following


def signed_document_refetch(*, document_id: int, client=None) -> SignedDocumentVersion | None:
    """Download the signed file again; store it as a new version if it is the stored one plus
    a DSS and document timestamp(s). Returns the new version, or None (unchanged or refused;
    both audited, the next attempt scheduled)."""
    from contracts.verify import verify_pdf

    document = SignedDocument.objects.select_related(
        "signing_request", "signing_request__contract__case__awarded_company", "stored_file"
    ).get(pk=document_id)
    if document.kind != DocumentKind.SIGNED or not document.remote_file_id:
        raise ContractError("再取得できるのは締結済み契約書だけです。", code="not_refetchable")
    client = client or get_client()
    stored_sha256 = document.sha256
    new = client.download_file(document.signing_request.document_id, document.remote_file_id)
    old = _read(document)
    now = timezone.now()
    if new == old:
        problem, verification = "", None
    else:
        verification = verify_pdf(new)
        problem = extension_problem(old, new, verification)
    with transaction.atomic():
        document = SignedDocument.objects.select_for_update().get(pk=document.pk)
        if document.sha256 != stored_sha256:
            return None  # another run stored a new version meanwhile
        if new == old or problem:
            _schedule_next(document, now)
            document.save(
                update_fields=["refetch_attempts", "next_refetch_at", "refetch_gave_up_at"]
            )
            audit.record(
                "signed_document.refetch_refused" if problem else "signed_document.refetch_same",
                target=document,
                payload={
                    "reason": problem or "文書タイムスタンプはまだ付与されていません",
                    "attempt": document.refetch_attempts,
                    "sha256_received": _sha256(new),
                    "gave_up": document.refetch_gave_up_at is not None,
                },
            )
            return None
        version = add_version(
            document, data=new, verification=verification, source=VersionSource.REFETCH
        )
        document.refetch_attempts += 1
        document.refetch_gave_up_at = None
        if not verification.long_term:
            _schedule_next(document, now)
        document.save()
        audit.record(
            "signed_document.refetched",
            target=document,
            payload={
                "version": version.number,
                "sha256": version.sha256,
                "previous_size": len(old),
                "size": version.size,
                "long_term": verification.long_term,
                "signature": verification.status,
            },
        )
        return version


@transaction.atomic
def signed_document_refetch_failed(*, document_id: int, error: Exception) -> SignedDocument:
    """The download failed (the service refused it or was unreachable): audited, and the next
    attempt scheduled (until ``ESIGN_REFETCH_DAYS`` have passed)."""
    document = (
        SignedDocument.objects.select_for_update()
        .select_related("signing_request")
        .get(pk=document_id)
    )
    _schedule_next(document, timezone.now())
    document.save(update_fields=["refetch_attempts", "next_refetch_at", "refetch_gave_up_at"])
    audit.record(
        "signed_document.refetch_failed",
        target=document,
        payload={
            "reason": f"再取得できませんでした（{error}）"[:500],
            "attempt": document.refetch_attempts,
            "gave_up": document.refetch_gave_up_at is not None,
        },
    )
    return document


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def signed_documents_refetch_due(*, limit: int = 200) -> list[int]:
    """The documents whose next re-fetch is due (ids)."""
    return list(
        SignedDocument.objects.filter(
            kind=DocumentKind.SIGNED,
            long_term=False,
            next_refetch_at__lte=timezone.now(),
            refetch_gave_up_at__isnull=True,
        )
        .order_by("next_refetch_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- renewal ---------------------------------------------------------------------------------


def _archive_timestamper():
    from pyhanko.sign.timestamps import HTTPTimeStamper

    if not settings.ESIGN_ARCHIVE_TSA_URL:
        raise ContractError(
            "アーカイブタイムスタンプの発行元（ESIGN_ARCHIVE_TSA_URL）が設定されていません。",
            code="no_tsa",
        )
    return HTTPTimeStamper(settings.ESIGN_ARCHIVE_TSA_URL, timeout=30)


def signed_document_renew(
    *, document_id: int, force: bool = False, user=None, request: HttpRequest | None = None
) -> SignedDocumentVersion | None:
    """Add the city's archive timestamp (PAdES-LTA renewal) when it is due (``force``: now).
    The file must verify 有効 first; the result is stored as a new version and audited."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers

    from contracts.verify import archive_validation_context, verify_pdf

    document = SignedDocument.objects.select_related(
        "signing_request__contract__case__awarded_company", "stored_file"
    ).get(pk=document_id)
    now = timezone.now()
    if not force and (document.renew_due_at is None or document.renew_due_at > now):
        return None
    data = _read(document)
    before = verify_pdf(data)
    if before.status != SignatureStatus.VALID:
        audit.record(
            "signed_document.renew_refused",
            actor=user,
            target=document,
            request=request,
            payload={"reason": f"検証結果が有効ではないため更新しません: {before.detail}"},
        )
        return None
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    output = io.BytesIO()
    signers.PdfTimeStamper(_archive_timestamper()).update_archival_timestamp_chain(
        reader, archive_validation_context(data), in_place=False, output=output
    )
    renewed = output.getvalue()
    after = verify_pdf(renewed)
    problem = "" if renewed.startswith(data) else NOT_A_PREFIX
    problem = problem or ("" if after.status == SignatureStatus.VALID else after.detail)
    with transaction.atomic():
        document = SignedDocument.objects.select_for_update().get(pk=document.pk)
        if problem:
            audit.record(
                "signed_document.renew_refused",
                actor=user,
                target=document,
                request=request,
                payload={"reason": problem},
            )
            return None
        version = add_version(
            document,
            data=renewed,
            verification=after,
            source=VersionSource.RENEWAL,
            user=user,
        )
        audit.record(
            "signed_document.renewed",
            actor=user,
            target=document,
            request=request,
            payload={
                "version": version.number,
                "sha256": version.sha256,
                "tsa": settings.ESIGN_ARCHIVE_TSA_URL,
                "next_due": document.renew_due_at.isoformat() if document.renew_due_at else None,
            },
        )
        return version


def signed_documents_renew_due(*, limit: int = 200) -> list[int]:
    return list(
        SignedDocument.objects.filter(renew_due_at__lte=timezone.now())
        .order_by("renew_due_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- staff upload (LGWAN) --------------------------------------------------------------------


@transaction.atomic
def signed_document_upload(
    *,
    signing_request: SigningRequest,
    data: bytes,
    name: str,
    user,
    request: HttpRequest | None = None,
) -> SignedDocument:
    """Staff store the signed PDF they downloaded from CloudSign's web screen (when the API
    refuses the download, as on LGWAN). It must verify (not 無効), carry this document's
    書類ID in its signatures and have the contract file's page count; only then is it stored."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from contracts.services.storing import _store_one
    from contracts.verify import verify_pdf

    pdf = validate_pdf_bytes(data, name=name, max_bytes=MAX_SIGNED_BYTES, max_pages=10_000)
    verification = verify_pdf(data)
    if verification.status == SignatureStatus.INVALID:
        raise ValidationError(f"電子署名を確認できないため保存しません: {verification.detail}")
    try:
        sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        texts = " ".join(
            str(s.sig_object.get("/Reason", "")) + str(s.sig_object.get("/Name", "")) for s in sigs
        )
    except Exception:  # validated above; defensive
        texts = ""
    if signing_request.document_id not in texts:
        raise ValidationError(
            "この署名依頼の書類IDがファイルの署名にありません。"
            "クラウドサインの画面からこの書類のファイルをダウンロードしてください。"
        )
    stored = set(
        signing_request.documents.filter(kind=DocumentKind.SIGNED).values_list(
            "remote_file_id", flat=True
        )
    )
    candidates = [
        r
        for r in signing_request.remote_files.select_related("contract_file__file")
        if r.remote_id not in stored and r.contract_file.file.page_count == pdf.page_count
    ]
    if not candidates:
        raise ValidationError(
            "この署名依頼で未保存の契約書ファイルに、ページ数が一致するものがありません。"
        )
    remote = candidates[0]
    document = _store_one(
        signing_request,
        kind=DocumentKind.SIGNED,
        remote_file_id=remote.remote_id,
        name=remote.contract_file.file.original_name,
        data=data,
        contract_file=remote.contract_file,
        source=VersionSource.UPLOAD,
        user=user,
    )
    remaining = signing_request.remote_files.exclude(
        remote_id__in=signing_request.documents.filter(kind=DocumentKind.SIGNED).values(
            "remote_file_id"
        )
    )
    complete = not remaining.exists()
    if complete:  # every contract file is here: no longer 取得不可
        SigningRequest.objects.filter(pk=signing_request.pk, stored_at__isnull=True).update(
            stored_at=timezone.now(), claimed_until=None
        )
    audit.record(
        "signed_document.uploaded",
        actor=user,
        target=document,
        request=request,
        payload={
            "sha256": document.sha256,
            "signature": document.signature_status,
            "all_files_stored": complete,
        },
    )
    return document
