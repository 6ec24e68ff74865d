"""Contracts and their signing: prepare, check the gate, send through CloudSign, remind, cancel,
resend, 変更契約. One function per transition, atomic and audited; the remote work runs in a Celery
task that calls :func:`signing_request_push`, which is resumable and idempotent."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.selectors import company_emails, reviewer_emails
from applications.constants import Status as ApplicationStatus
from applications.kinds import ECONTRACT, EContractForm
from applications.models import Application
from contracts.constants import (
    REQUEST_ACTIVE,
    SENDABLE,
    ContractKind,
    ContractStatus,
    DocumentKind,
    RequestStatus,
    SignerRole,
    SignerState,
)
from contracts.models import (
    Contract,
    ContractFile,
    RemoteFile,
    Reportee,
    SignedDocument,
    Signer,
    SigningRequest,
)
from core import audit
from core.errors import DomainError
from core.mail import send_mail_on_commit
from core.uploads import store_pdf, validate_pdf_upload
from esign.errors import CloudSignError, GatewayTimeout, PermanentError, TransientError
from esign.factory import get_client
from esign.types import Document, DocumentStatus, ParticipantStatus

logger = logging.getLogger(__name__)
CITY_ORGANIZATION = "足利市"


class ClaimHeld(Exception):
    """Another worker holds the row; try again after ``retry_after`` seconds (its lease ends
    then, also when that worker died)."""

    def __init__(self, retry_after: float):
        super().__init__(f"claimed for {retry_after:.0f}s more")
        self.retry_after = retry_after


def _claim_seconds() -> int:
    return settings.SIGNING_CLAIM_SECONDS


def _raise_if_claimed(request_id: int, **conditions) -> None:
    until = (
        SigningRequest.objects.filter(pk=request_id, **conditions)
        .values_list("claimed_until", flat=True)
        .first()
    )
    now = timezone.now()
    if until is not None and until > now:
        raise ClaimHeld((until - now).total_seconds())


class ContractError(DomainError):
    """A refused action, with every reason in Japanese."""

    def __init__(self, message: str, *, code: str | None = None, problems: list[str] | None = None):
        super().__init__(message, code=code)
        self.problems = problems or [message]


# --- preparing ------------------------------------------------------------------------------


@transaction.atomic
def contract_create(
    *,
    case,
    user,
    title: str = "",
    amount: int | None = None,
    tax_amount: int | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Contract:
    """A 当初契約 for a case, by default with the case's title, amount and period."""
    contract = Contract(
        case=case,
        kind=ContractKind.INITIAL,
        title=title or case.title,
        amount=amount if amount is not None else case.amount,
        tax_amount=tax_amount,
        period_start=period_start or case.period_start,
        period_end=period_end or case.period_end,
        created_by=user,
    )
    contract.full_clean()
    contract.save()
    audit.record("contract.created", actor=user, target=contract, request=request)
    return contract


@transaction.atomic
def contract_add_file(
    *, contract: Contract, user, upload, request: HttpRequest | None = None
) -> ContractFile:
    """Attach a PDF to sign (validated before anything is stored)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in SENDABLE:
        raise ContractError("署名依頼中・締結済の契約のファイルは変更できません。", code="locked")
    try:
        pdf = validate_pdf_upload(upload)
    except ValidationError as exc:
        raise ContractError(exc.messages[0], code=exc.code or "pdf") from None
    stored = store_pdf(
        pdf, kind="contract", company=contract.case.awarded_company, uploaded_by=user
    )
    last = contract.files.order_by("-order").values_list("order", flat=True).first()
    contract_file = ContractFile.objects.create(
        contract=contract, file=stored, order=0 if last is None else last + 1
    )
    audit.record(
        "contract.file_added",
        actor=user,
        target=contract,
        request=request,
        payload={"name": stored.original_name, "sha256": stored.sha256, "pages": stored.page_count},
    )
    return contract_file


@transaction.atomic
def contract_create_change(
    *, original: Contract, user, request: HttpRequest | None = None
) -> Contract:
    """変更契約: a new contract linked to a concluded one (which stays 締結済)."""
    if original.status != ContractStatus.CONCLUDED:
        raise ContractError("締結済の契約だけを変更できます。", code="not_concluded")
    change = Contract.objects.create(
        case=original.case,
        kind=ContractKind.CHANGE,
        original=original,
        title=original.title,
        amount=original.amount,
        tax_amount=original.tax_amount,
        period_start=original.period_start,
        period_end=original.period_end,
        created_by=user,
    )
    audit.record(
        "contract.change_created",
        actor=user,
        target=change,
        request=request,
        payload={"original": original.pk},
    )
    return change


# --- the gate -------------------------------------------------------------------------------


def latest_econtract(case) -> Application | None:
    """The case's latest 電子契約利用申出書 (withdrawn ones do not count)."""
    return (
        Application.objects.filter(case=case, company_id=case.awarded_company_id, kind=ECONTRACT)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("-created_at", "-id")
        .first()
    )


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def gate_problems(contract: Contract) -> list[str]:
    """Why the contract cannot be sent now (empty: it can)."""
    problems = []
    case = contract.case
    if contract.status not in SENDABLE:
        problems.append(f"「{contract.get_status_display()}」の契約は送信できません。")
    if case.awarded_company_id is None:
        problems.append("案件に落札者が登録されていません。")
    econtract = latest_econtract(case)
    if econtract is None:
        problems.append("電子契約利用申出書が提出されていません。")
    elif econtract.status != ApplicationStatus.ACCEPTED:
        problems.append(
            f"最新の電子契約利用申出書（到達番号 {econtract.receipt_number or '未提出'}）が"
            f"受理されていません（{econtract.get_status_display()}）。"
        )
    if not contract.files.exists():
        problems.append("署名するPDFがありません。契約書のPDFを登録してください。")
    if contract.period_start and contract.period_end:
        limit = _add_years(contract.period_start, settings.CONTRACT_MAX_TERM_YEARS)
        if contract.period_end > limit:
            problems.append(
                f"契約期間が{settings.CONTRACT_MAX_TERM_YEARS}年を超えるため、電子契約の対象外です。"
            )
    threshold = settings.CONTRACT_COUNCIL_THRESHOLD
    if contract.amount >= threshold:
        problems.append(f"契約金額が{threshold:,}円以上の議決案件のため、電子契約の対象外です。")
    if contract.signing_requests.filter(status__in=REQUEST_ACTIVE).exists():
        problems.append("この契約には進行中の署名依頼があります。")
    from surety.services import performance_gate_problems

    problems += performance_gate_problems(contract)
    department = case.department
    if not (department.signer_name and department.signer_email):
        problems.append(
            f"担当課「{department.name}」に市の署名者（氏名・メールアドレス）が設定されていません。"
        )
    return problems


# --- sending --------------------------------------------------------------------------------


def _enqueue_store(request_id: int) -> None:
    from contracts.tasks import store_signed_documents

    transaction.on_commit(lambda: store_signed_documents.delay(request_id))


def _enqueue_push(request_id: int) -> None:
    from contracts.tasks import send_signing_request

    transaction.on_commit(lambda: send_signing_request.delay(request_id))


@transaction.atomic
def contract_send_for_signature(
    *, contract: Contract, user, request: HttpRequest | None = None
) -> SigningRequest:
    """送信 (and 再送 after 却下 or 取消): check the gate, then queue the remote work."""
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
    econtract = latest_econtract(contract.case)
    (signer_name, signer_email), staff = EContractForm.signers_of(econtract.data)
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


def _find_created_draft(client, signing_request: SigningRequest, title: str, note: str):
    """After a create that may have happened (504), find the draft it made, if any."""
    since = signing_request.create_attempted_at - dt.timedelta(seconds=5)
    used = set(
        SigningRequest.objects.exclude(document_id=None).values_list("document_id", flat=True)
    )
    found = []
    page = 1
    while True:
        listing = client.list_documents(page=page, status=0, from_=since, with_files=False)
        found += [
            d
            for d in listing.documents
            if d.title == title
            and d.note == note
            and d.id not in used
            and (d.created_at is None or d.created_at >= since.replace(microsecond=0))
        ]
        if len(listing.documents) < 100:
            break
        page += 1
    found.sort(key=lambda d: (d.created_at or since, d.id))
    for extra in found[1:]:  # a second create that also went through: remove it
        client.delete_document(extra.id)
    return found[0] if found else None


def _push(client, signing_request: SigningRequest) -> Document:
    contract = signing_request.contract
    title = _document_title(contract)
    note = contract.case.awarded_company.name
    # 1. The document: created once; its id is stored at once.
    if not signing_request.document_id:
        found = None
        if signing_request.create_attempted_at:
            found = _find_created_draft(client, signing_request, title, note)
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
            doc, remote = client.add_participant(
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
            doc, remote = client.add_reportee(
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


def _record_error(signing_request: SigningRequest, exc: CloudSignError, *, release: bool) -> None:
    fields = {
        "last_error_code": f"{exc.status or '-'} {exc.code or exc.__class__.__name__}"[:100],
        "last_error_message": str(exc)[:2000],
        "last_error_at": timezone.now(),
    }
    if release:
        fields["claimed_until"] = None
    SigningRequest.objects.filter(pk=signing_request.pk).update(**fields)


@transaction.atomic
def signing_request_fail(*, signing_request: SigningRequest, error: CloudSignError) -> None:
    """A permanent error: record it, show it to staff (再試行), put the contract back."""
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    _record_error(signing_request, error, release=True)
    signing_request.refresh_from_db()
    signing_request.status = RequestStatus.FAILED
    signing_request.save(update_fields=["status"])
    Contract.objects.filter(pk=signing_request.contract_id).update(status=ContractStatus.PREPARING)
    audit.record(
        "signing_request.failed",
        target=signing_request,
        payload={"code": error.code, "status": error.status, "message": error.message},
    )


@transaction.atomic
def signing_request_retry(
    *, signing_request: SigningRequest, user, request: HttpRequest | None = None
) -> SigningRequest:
    """再試行 of a failed send: the same request carries on where it stopped."""
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    if signing_request.status != RequestStatus.FAILED:
        raise ContractError("送信に失敗した署名依頼だけを再試行できます。", code="not_failed")
    signing_request.status = RequestStatus.QUEUED
    signing_request.claimed_until = None
    signing_request.save(update_fields=["status", "claimed_until"])
    Contract.objects.filter(pk=signing_request.contract_id).update(status=ContractStatus.SIGNING)
    audit.record("signing_request.retried", actor=user, target=signing_request, request=request)
    _enqueue_push(signing_request.pk)
    return signing_request


# --- following the remote document ----------------------------------------------------------

_SIGNER_STATE = {
    ParticipantStatus.WAITING: SignerState.WAITING,
    ParticipantStatus.CONFIRMED: SignerState.AGREED,
    ParticipantStatus.SEALED: SignerState.AGREED,
    ParticipantStatus.REJECTED: SignerState.REJECTED,
    ParticipantStatus.CANCELED: SignerState.CANCELED,
}


@transaction.atomic
def signing_request_apply_remote_state(
    *, signing_request: SigningRequest, document: Document
) -> SigningRequest:
    """Bring a request, its signers and its contract up to what the service says.

    Idempotent: applying the same document twice changes nothing the second time.
    """
    signing_request = (
        SigningRequest.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=signing_request.pk)
    )
    now = timezone.now()
    by_id = {p.id: p for p in document.participants}
    for signer in signing_request.signers.all():
        remote = by_id.get(signer.remote_id) or document.participant_by_email(signer.email)
        if remote is None:
            continue
        changed = {}
        state = _SIGNER_STATE.get(remote.status, signer.state)
        if remote.status == ParticipantStatus.QUEUED:
            state = SignerState.PENDING
        if state != signer.state:
            changed["state"] = state
        if remote.status != signer.remote_status:
            changed["remote_status"] = int(remote.status)
        if state == SignerState.AGREED and signer.agreed_at is None:
            changed["agreed_at"] = remote.processed_at or now
        if state == SignerState.REJECTED and signer.rejected_at is None:
            changed["rejected_at"] = remote.processed_at or now
        if remote.access_expires_at != signer.link_expires_at and remote.access_expires_at:
            changed["link_expires_at"] = remote.access_expires_at
        if changed:
            Signer.objects.filter(pk=signer.pk).update(**changed)
    transitions = []
    status = document.status
    fields = {
        "remote_status": int(status),
        "remote_processed_at": document.last_processed_at,
        "last_synced_at": now,
    }
    contract = signing_request.contract
    if status == DocumentStatus.CONCLUDED and signing_request.status != RequestStatus.CONCLUDED:
        fields.update(
            status=RequestStatus.CONCLUDED, concluded_at=document.last_processed_at or now
        )
        transitions.append("signing_request.concluded")
        _enqueue_store(signing_request.pk)
    elif status == DocumentStatus.CANCELED and signing_request.status not in (
        RequestStatus.REJECTED,
        RequestStatus.CANCELED,
    ):
        rejected = any(p.status == ParticipantStatus.REJECTED for p in document.participants)
        fields.update(
            status=RequestStatus.REJECTED if rejected else RequestStatus.CANCELED,
            closed_at=document.last_processed_at or now,
            decline_comment=document.decline_comment,
        )
        transitions.append("signing_request.rejected" if rejected else "signing_request.canceled")
        Contract.objects.filter(pk=contract.pk, status=ContractStatus.SIGNING).update(
            status=ContractStatus.REJECTED if rejected else ContractStatus.CANCELED
        )
    SigningRequest.objects.filter(pk=signing_request.pk).update(**fields)
    for action in transitions:
        audit.record(
            action,
            target=signing_request,
            payload={"document_id": document.id, "comment": document.decline_comment},
        )
    signing_request.refresh_from_db()
    return signing_request


# --- staff actions while waiting -------------------------------------------------------------


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


# --- storing what was signed ----------------------------------------------------------------


def _claim_for_storage(request_id: int) -> bool:
    now = timezone.now()
    return bool(
        SigningRequest.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=request_id,
            status=RequestStatus.CONCLUDED,
            stored_at__isnull=True,
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
) -> SignedDocument:
    from contracts.verify import verify_pdf
    from core.uploads import validate_pdf_bytes

    pdf = validate_pdf_bytes(data, name=name, max_bytes=100 * 1024 * 1024, max_pages=10_000)
    verification = verify_pdf(data)
    contract = signing_request.contract
    with transaction.atomic():
        existing = SignedDocument.objects.filter(
            signing_request=signing_request, kind=kind, remote_file_id=remote_file_id
        ).first()
        if existing is not None:
            return existing
        stored = store_pdf(pdf, kind=f"signed-{kind}", company=contract.case.awarded_company)
        return SignedDocument.objects.create(
            signing_request=signing_request,
            kind=kind,
            remote_file_id=remote_file_id,
            contract_file=contract_file,
            stored_file=stored,
            sha256=stored.sha256,
            size=stored.size,
            page_count=stored.page_count,
            signature_status=verification.status,
            signature_detail=verification.detail,
            signer_subject=verification.signer,
            signed_at=verification.signed_at,
            timestamp_at=verification.timestamp_at,
            verified_at=timezone.now(),
        )


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
    except CloudSignError as exc:
        _record_error(signing_request, exc, release=True)
        raise
    except Exception:
        SigningRequest.objects.filter(pk=request_id).update(claimed_until=None)
        raise
    return _mark_concluded(signing_request)


@transaction.atomic
def _mark_concluded(signing_request: SigningRequest) -> SigningRequest:
    signing_request = SigningRequest.objects.select_for_update().get(pk=signing_request.pk)
    if signing_request.stored_at is not None:
        return signing_request
    now = timezone.now()
    signing_request.stored_at = now
    signing_request.claimed_until = None
    signing_request.save(update_fields=["stored_at", "claimed_until"])
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("case", "case__awarded_company", "case__department")
        .get(pk=signing_request.contract_id)
    )
    if contract.status == ContractStatus.CONCLUDED:
        return signing_request  # stored again after a lost run: announced once already
    concluded_on = timezone.localtime(signing_request.concluded_at or now).date()
    contract.status = ContractStatus.CONCLUDED
    contract.contract_date = contract.contract_date or concluded_on
    contract.save(update_fields=["status", "contract_date", "updated_at"])
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
        },
    )
    context = {"contract": contract, "case": contract.case, "documents": documents}
    send_mail_on_commit(
        "contract_concluded_contractor", context, company_emails(contract.case.awarded_company)
    )
    send_mail_on_commit("contract_concluded_staff", context, reviewer_emails(contract.case))
    return signing_request
