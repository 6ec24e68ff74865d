"""Sending a contract for e-signature and the staff actions while it waits: the send
transition, the resumable push to CloudSign, failure and retry, remind, cancel."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from applications.selectors import econtract_signers
from contracts import wakeups
from contracts.constants import (
    REQUEST_ACTIVE,
    RETRYABLE,
    ContractKind,
    ContractStatus,
    RequestStatus,
    SignerRole,
    SignerState,
)
from contracts.models import (
    Contract,
    RemoteFile,
    Reportee,
    Signer,
    SigningRequest,
)
from contracts.pdf_check import PdfCheck, check_contract
from contracts.selectors import gate_problems, latest_econtract
from contracts.services.common import (
    CITY_ORGANIZATION,
    ContractError,
    _claim_seconds,
    _raise_if_claimed,
    _record_error,
    lease_renewed,
)
from contracts.services.remote_state import signing_request_apply_remote_state
from core import audit
from core.db import update_rows
from esign.errors import CloudSignError, GatewayTimeout, PermanentError, TransientError
from esign.factory import get_client
from esign.types import Document, DocumentStatus


def _enqueue_push(request_id: int) -> None:
    wakeups.wake(wakeups.SEND_SIGNING_REQUEST, request_id)


# ``check`` not given: the send reads the contract PDF itself.
UNREAD = object()


@transaction.atomic
def contract_send_for_signature(
    *,
    contract: Contract,
    user,
    request: HttpRequest | None = None,
    check_reason: str = "",
    check: PdfCheck | None | object = UNREAD,
) -> SigningRequest:
    """送信 (and 再送 after 却下 or 取消): check the gate and the contract PDF against the case,
    then queue the remote work. A PDF that says something else than the case (不一致) is sent
    only with a reason from staff, which is audited.

    ``check``: the PDF check the caller already made in this operation (the send page shows it),
    so that the PDF is read once per send; without it the send reads the PDF."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("case", "case__department", "case__awarded_company")
        .get(pk=contract.pk)
    )
    failed = contract.signing_requests.filter(status=RequestStatus.FAILED).first()
    if failed is not None and contract.status == ContractStatus.PREPARING:
        return signing_request_retry(signing_request=failed, user=user, request=request)
    problems = gate_problems(contract)
    if problems:
        raise ContractError("送信できません。", code="gate", problems=problems)
    if check is UNREAD:
        check = check_contract(contract)
    if check is not None and check.mismatches:
        if not check_reason.strip():
            raise ContractError(
                "契約書PDFの記載が案件と一致しません。",
                code="pdf_mismatch",
                problems=[
                    f"契約書PDFの{i.name}が一致しません（案件: {i.expected}、PDF: {i.found}）。"
                    "内容を確認し、このまま送信する理由を入力してください。"
                    for i in check.mismatches
                ],
            )
        audit.record(
            "contract.check_confirmed",
            actor=user,
            target=contract,
            request=request,
            payload={**check.summary(), "reason": check_reason.strip()},
        )
    econtract = latest_econtract(contract.case)
    (signer_name, signer_email), staff = econtract_signers(econtract)
    company = contract.case.awarded_company
    department = contract.case.department
    try:
        with transaction.atomic():
            signing_request = SigningRequest.objects.create(contract=contract, created_by=user)
    except IntegrityError:
        raise ContractError("この契約には進行中の署名依頼があります。", code="active") from None
    Signer.objects.create(
        signing_request=signing_request,
        order=1,
        role=SignerRole.CONTRACTOR,
        name=signer_name[:64],
        email=signer_email,
        organization=company.name[:64],
    )
    Signer.objects.create(
        signing_request=signing_request,
        order=2,
        role=SignerRole.CITY,
        name=department.signer_name[:64],
        email=department.signer_email,
        organization=CITY_ORGANIZATION,
    )
    taken = {signer_email.lower(), department.signer_email.lower()}
    for name, email in staff:
        if email.lower() not in taken:
            Reportee.objects.create(
                signing_request=signing_request,
                name=name[:64],
                email=email,
                organization=company.name[:64],
            )
            taken.add(email.lower())
    contract.status = ContractStatus.SIGNING
    contract.save(update_fields=["status", "updated_at"])
    audit.record(
        "contract.sent",
        actor=user,
        target=contract,
        request=request,
        payload={"signing_request": signing_request.pk, "econtract": econtract.pk},
    )
    _enqueue_push(signing_request.pk)
    return signing_request


def _claim(request_id: int) -> bool:
    """Take the row for this worker (a conditional UPDATE: two workers never both win)."""
    now = timezone.now()
    return bool(
        SigningRequest.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=request_id,
            status__in=[RequestStatus.QUEUED, RequestStatus.SENDING],
        ).update(
            status=RequestStatus.SENDING,
            claimed_until=now + dt.timedelta(seconds=_claim_seconds()),
            attempts=F("attempts") + 1,
        )
    )


def _document_title(contract: Contract) -> str:
    title = f"{contract.case.number} {contract.title}"
    if contract.kind == ContractKind.CHANGE:
        title += "（変更契約）"
    return title[:500]


def _message(contract: Contract) -> str:
    return (
        f"足利市です。「{contract.title}」の契約書をお送りします。\n"
        "内容をご確認のうえ、「書類の内容に同意」を押してください。"
        "受注者様の同意の後、足利市が同意して契約締結となります。\n"
        "締結後、電子署名済みのPDFがメールで届きます。PDFファイルが原本となりますので保管してください。"
    )


def document_marker(signing_request: SigningRequest) -> str:
    """A reference unique to this request and this installation, written into the document's
    note (an internal memo recipients do not see), by which a draft created behind a 504 is
    found again — without comparing clocks."""
    from django.utils.crypto import salted_hmac

    digest = salted_hmac("esign-document-marker", str(signing_request.pk)).hexdigest()[:16]
    return f"ポータル参照番号 {signing_request.pk}-{digest}"


def _find_created_draft(client, signing_request: SigningRequest, marker: str):
    """After a create that may have happened (504), find the draft it made, if any: the drafts
    carrying this request's marker (a second create that also went through is deleted)."""
    found = []
    page = 1
    while True:
        listing = client.list_documents(page=page, status=0, with_files=False)
        found += [d for d in listing.documents if marker in (d.note or "").splitlines()]
        if len(listing.documents) < 100:
            break
        page += 1
    found.sort(key=lambda d: (d.created_at or timezone.now(), d.id))
    for extra in found[1:]:
        client.delete_document(extra.id)
    return found[0] if found else None


def _add_once(client, add, find, document_id: str, **person):
    """Add a recipient or 共有先; when the service refuses it (400: the address is already on the
    document) because a worker that died mid-request got its same request through meanwhile,
    adopt the one that request added."""
    try:
        return add(document_id, **person)
    except PermanentError as refused:
        if refused.status != 400:
            raise
        try:
            doc = client.get_document(document_id)
        except CloudSignError:
            raise refused from None
        remote = find(doc, person["email"])
        if remote is None:
            raise
        return doc, remote


def _push(client, signing_request: SigningRequest) -> Document:
    contract = signing_request.contract
    title = _document_title(contract)
    marker = document_marker(signing_request)
    note = f"{contract.case.awarded_company.name}\n{marker}"
    # 1. The document: created once; its id is stored at once.
    if not signing_request.document_id:
        found = None
        if signing_request.create_attempted_at:
            found = _find_created_draft(client, signing_request, marker)
        if found is None:
            signing_request.create_attempted_at = timezone.now()
            SigningRequest.objects.filter(pk=signing_request.pk).update(
                create_attempted_at=signing_request.create_attempted_at
            )
            found = client.create_document(title=title, note=note, message=_message(contract))
        signing_request.document_id = found.id
        SigningRequest.objects.filter(pk=signing_request.pk).update(document_id=found.id)
    doc = client.get_document(signing_request.document_id)
    if doc.status != DocumentStatus.DRAFT:
        return doc  # already sent (a previous run's send went through)
    # 2. Files, in order; a file the service already has (504 after upload) is adopted.
    remote_files = sorted(doc.files, key=lambda f: f.order)
    mapped = dict(
        RemoteFile.objects.filter(signing_request=signing_request).values_list(
            "contract_file_id", "remote_id"
        )
    )
    for index, contract_file in enumerate(contract.files.select_related("file")):
        if contract_file.pk in mapped:
            continue
        unmapped = [f for f in remote_files if f.id not in mapped.values()]
        if index < len(remote_files) and remote_files[index] in unmapped:
            remote_id = remote_files[index].id
        else:
            with contract_file.file.file.open("rb") as fh:
                data = fh.read()
            doc, added = client.add_file(
                signing_request.document_id, name=contract_file.file.original_name, data=data
            )
            remote_id = added.id
        RemoteFile.objects.create(
            signing_request=signing_request, contract_file=contract_file, remote_id=remote_id
        )
        mapped[contract_file.pk] = remote_id
    # 3. Recipients in signing order, then 共有先; matched by e-mail (unique on a document).
    for signer in signing_request.signers.order_by("order"):
        remote = doc.participant_by_email(signer.email)
        if remote is None:
            doc, remote = _add_once(
                client,
                client.add_participant,
                Document.participant_by_email,
                signing_request.document_id,
                name=signer.name,
                email=signer.email,
                organization=signer.organization,
            )
        if signer.remote_id != remote.id:
            Signer.objects.filter(pk=signer.pk).update(remote_id=remote.id)
    for reportee in signing_request.reportees.all():
        remote = doc.reportee_by_email(reportee.email)
        if remote is None:
            doc, remote = _add_once(
                client,
                client.add_reportee,
                Document.reportee_by_email,
                signing_request.document_id,
                name=reportee.name,
                email=reportee.email,
                organization=reportee.organization,
            )
        if reportee.remote_id != remote.id:
            Reportee.objects.filter(pk=reportee.pk).update(remote_id=remote.id)
    # 4. Send. After a 504 the next run re-reads: status 1 means it was sent.
    return client.send_document(signing_request.document_id)


def signing_request_push(*, request_id: int, client=None) -> SigningRequest | None:
    """Do (or finish) the remote work of a queued request. Safe to run again after any failure:
    no second document, no file or participant twice. Raises TransientError to be retried."""
    if not _claim(request_id):
        _raise_if_claimed(request_id, status__in=[RequestStatus.QUEUED, RequestStatus.SENDING])
        return None
    signing_request = SigningRequest.objects.select_related(
        "contract", "contract__case", "contract__case__awarded_company"
    ).get(pk=request_id)
    client = client or get_client()
    try:
        with lease_renewed(request_id):
            doc = _push(client, signing_request)
    except TransientError as exc:
        _record_error(signing_request, exc, release=True)
        raise
    except PermanentError as exc:
        signing_request_fail(signing_request=signing_request, error=exc)
        signing_request.refresh_from_db()
        return signing_request
    with transaction.atomic():
        signing_request = SigningRequest.objects.select_for_update().get(pk=request_id)
        signing_request.claimed_until = None
        signing_request.status = RequestStatus.WAITING
        signing_request.sent_at = doc.sent_at or timezone.now()
        signing_request.last_error_code = ""
        signing_request.last_error_message = ""
        signing_request.save()
        audit.record(
            "signing_request.sent",
            target=signing_request,
            payload={"document_id": doc.id, "attempts": signing_request.attempts},
        )
    signing_request_apply_remote_state(signing_request=signing_request, document=doc)
    return signing_request


@transaction.atomic
def signing_request_fail(*, signing_request: SigningRequest, error: CloudSignError) -> None:
    """A permanent error: record it, show it to staff (再試行), put the contract back."""
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    _record_error(signing_request, error, release=True)
    signing_request.refresh_from_db()
    signing_request.status = RequestStatus.FAILED
    signing_request.save(update_fields=["status"])
    update_rows(
        Contract.objects.filter(pk=signing_request.contract_id), status=ContractStatus.PREPARING
    )
    audit.record(
        "signing_request.failed",
        target=signing_request,
        payload={"code": error.code, "status": error.status, "message": error.message},
    )


@transaction.atomic
def signing_request_retry(
    *, signing_request: SigningRequest, user, request: HttpRequest | None = None
) -> SigningRequest:
    """再試行: a failed send carries on where it stopped; a send still queued or sending (e.g. stuck
    after an outage) is woken at once. The same request, never a second document."""
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    if signing_request.status not in RETRYABLE:
        raise ContractError(
            "送信待ち・送信中・送信失敗の署名依頼だけを再試行できます。", code="not_retryable"
        )
    was = signing_request.status
    if was == RequestStatus.FAILED:
        signing_request.status = RequestStatus.QUEUED
    signing_request.claimed_until = None
    signing_request.next_check_at = None
    signing_request.save(update_fields=["status", "claimed_until", "next_check_at"])
    update_rows(
        Contract.objects.filter(pk=signing_request.contract_id), status=ContractStatus.SIGNING
    )
    audit.record(
        "signing_request.retried",
        actor=user,
        target=signing_request,
        request=request,
        payload={"from": was},
    )
    _enqueue_push(signing_request.pk)
    return signing_request


def signing_request_defer(*, request_id: int, seconds: float) -> None:
    """A transient failure: the next attempt is due in ``seconds`` (the redrive job waits too)."""
    SigningRequest.objects.filter(pk=request_id).update(
        next_check_at=timezone.now() + dt.timedelta(seconds=seconds)
    )


def stores_redrive(*, now) -> int:
    """Wake the stores whose worker died holding the lease (the sync sweep wakes the others)."""
    ids = list(
        SigningRequest.objects.filter(
            status=RequestStatus.CONCLUDED,
            stored_at__isnull=True,
            store_failed_at__isnull=True,
            claimed_until__lt=now,
        ).values_list("pk", flat=True)[:200]
    )
    SigningRequest.objects.filter(pk__in=ids, claimed_until__lt=now).update(claimed_until=None)
    for pk in ids:
        wakeups.wake(wakeups.STORE_SIGNED_DOCUMENTS, pk)
    return len(ids)


def signing_requests_redrive() -> int:
    """Wake the sends whose message was lost (worker, database or broker down): every request
    still queued or sending whose lease has expired and whose next attempt is due."""
    now = timezone.now()
    grace = dt.timedelta(seconds=settings.SIGNING_REDRIVE_AFTER_SECONDS)
    sends = SigningRequest.objects.filter(status__in=[RequestStatus.QUEUED, RequestStatus.SENDING])
    # A lapsed lease: its worker died in the middle (a live one renews it): at once.
    dead = sends.filter(claimed_until__lt=now)
    # A message lost before any worker took it: after the grace period since the last wake-up.
    lost = (
        sends.filter(claimed_until__isnull=True)
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lt=now))
        .filter(created_at__lt=now - grace)
    )
    ids = list(dead.values_list("pk", flat=True)[:200])
    ids += list(lost.values_list("pk", flat=True)[: 200 - len(ids)])
    # Not again before the grace period: one wake-up per lost message.
    SigningRequest.objects.filter(pk__in=ids).update(claimed_until=None, next_check_at=now + grace)
    for pk in ids:
        wakeups.wake(wakeups.SEND_SIGNING_REQUEST, pk)
    return len(ids) + stores_redrive(now=now)


def _waiting(signing_request: SigningRequest) -> SigningRequest:
    signing_request = SigningRequest.objects.select_related("contract").get(pk=signing_request.pk)
    if signing_request.status != RequestStatus.WAITING or not signing_request.document_id:
        raise ContractError("署名待ちの署名依頼ではありません。", code="not_waiting")
    return signing_request


def signing_request_remind(
    *, signing_request: SigningRequest, user=None, request: HttpRequest | None = None
) -> SigningRequest:
    """リマインド: the service re-sends the 確認依頼 with a new 10-day link."""
    signing_request = _waiting(signing_request)
    try:
        doc = get_client().remind(signing_request.document_id)
    except GatewayTimeout:
        doc = get_client().get_document(signing_request.document_id)
    except CloudSignError as exc:
        raise ContractError(f"リマインドできませんでした: {exc.message}", code="remote") from None
    with transaction.atomic():
        Signer.objects.filter(signing_request=signing_request, state=SignerState.WAITING).update(
            reminders_sent=F("reminders_sent") + 1
        )
        audit.record(
            "signing_request.reminded", actor=user, target=signing_request, request=request
        )
    signing_request_apply_remote_state(signing_request=signing_request, document=doc)
    return signing_request


def contract_cancel(
    *, contract: Contract, user, comment: str, request: HttpRequest | None = None
) -> Contract:
    """取消: decline the document awaiting signatures, with a required comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ContractError("取消の理由を入力してください。", code="comment_required")
    if len(comment) > 1000:
        raise ContractError("取消の理由は1000文字以内で入力してください。", code="comment_long")
    signing_request = contract.signing_requests.filter(status__in=REQUEST_ACTIVE).first()
    if signing_request is None:
        raise ContractError("取り消す署名依頼がありません。", code="none")
    if signing_request.status != RequestStatus.WAITING:
        raise ContractError(
            "送信処理中の署名依頼は取り消せません。送信が終わってから取り消してください。",
            code="sending",
        )
    client = get_client()
    try:
        doc = client.decline_document(signing_request.document_id, comment)
    except GatewayTimeout:
        doc = client.get_document(signing_request.document_id)
    except CloudSignError as exc:
        raise ContractError(f"取り消せませんでした: {exc.message}", code="remote") from None
    with transaction.atomic():
        audit.record(
            "contract.canceled",
            actor=user,
            target=contract,
            request=request,
            payload={"comment": comment, "document_id": signing_request.document_id},
        )
    signing_request_apply_remote_state(signing_request=signing_request, document=doc)
    contract.refresh_from_db()
    return contract
