"""Applying what CloudSign says about a document to its signing request and signers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cases.signals import cases_changed
from contracts.constants import (
    ContractStatus,
    RequestStatus,
    SignerState,
)
from contracts.models import (
    Contract,
    Signer,
    SigningRequest,
)
from contracts.services.storing import _enqueue_store
from core import audit
from core.db import update_rows
from esign.types import Document, DocumentStatus, ParticipantStatus

_SIGNER_STATE = {
    ParticipantStatus.WAITING: SignerState.WAITING,
    ParticipantStatus.CONFIRMED: SignerState.AGREED,
    ParticipantStatus.SEALED: SignerState.AGREED,
    ParticipantStatus.REJECTED: SignerState.REJECTED,
    ParticipantStatus.CANCELED: SignerState.CANCELED,
}
# Requests the sweep applies documents to (a concluded one until its files are stored).
APPLIED_STATUSES = (RequestStatus.WAITING, RequestStatus.CONCLUDED)


@transaction.atomic
def signing_request_apply_remote_state(
    *, signing_request: SigningRequest, document: Document
) -> SigningRequest:
    """Bring a request, its signers and its contract up to what the service says.

    Idempotent: applying the same document twice changes nothing the second time.
    """
    locked = (
        SigningRequest.objects.select_for_update(of=("self",))
        .select_related("contract")
        .prefetch_related("signers")
        .get(pk=signing_request.pk)
    )
    _apply([(locked, document)])
    locked.refresh_from_db()
    return locked


@transaction.atomic
def signing_requests_apply_remote_states(*, documents: Iterable[Document]) -> int:
    """Apply a page of documents (the sweep's ``GET /documents``) to our requests at once.

    A bounded number of statements whatever the page holds: one locking SELECT of the requests,
    one of their signers, then at most one UPDATE of the signers, one of the requests, one per
    contract outcome and one INSERT of the audit events. Documents that are not ours (or whose
    request is no longer followed) are skipped. Returns how many requests were applied.
    Idempotent, like the one-document version.
    """
    by_id = {d.id: d for d in documents}
    if not by_id:
        return 0
    locked = list(
        SigningRequest.objects.select_for_update(of=("self",))
        .filter(document_id__in=by_id, status__in=APPLIED_STATUSES)
        .select_related("contract")
        .prefetch_related("signers")
        .order_by("pk")  # a fixed lock order: two sweeps never deadlock
    )
    _apply([(r, by_id[r.document_id]) for r in locked])
    return len(locked)


def _signer_changes(signer: Signer, document: Document, now) -> dict:
    remote = {p.id: p for p in document.participants}.get(
        signer.remote_id
    ) or document.participant_by_email(signer.email)
    if remote is None:
        return {}
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
    return changed


def _apply(pairs: list[tuple[SigningRequest, Document]]) -> None:
    """The writes for locked requests (signers prefetched), batched per kind of write."""
    now = timezone.now()
    signers: list[Signer] = []
    signer_fields: set[str] = set()
    requests_: list[SigningRequest] = []
    request_fields: set[str] = set()
    contract_outcomes: dict[str, list[int]] = defaultdict(list)
    events: list[tuple[str, SigningRequest, dict]] = []
    for signing_request, document in pairs:
        for signer in signing_request.signers.all():
            changed = _signer_changes(signer, document, now)
            if changed:
                for field, value in changed.items():
                    setattr(signer, field, value)
                signer_fields.update(changed)
                signers.append(signer)
        status = document.status
        fields = {
            "remote_status": int(status),
            "remote_processed_at": document.last_processed_at,
            "last_synced_at": now,
        }
        transition = None
        if status == DocumentStatus.CONCLUDED and signing_request.status != RequestStatus.CONCLUDED:
            fields.update(
                status=RequestStatus.CONCLUDED, concluded_at=document.last_processed_at or now
            )
            transition = "signing_request.concluded"
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
            transition = "signing_request.rejected" if rejected else "signing_request.canceled"
            outcome = ContractStatus.REJECTED if rejected else ContractStatus.CANCELED
            contract_outcomes[outcome].append(signing_request.contract_id)
        for field, value in fields.items():
            setattr(signing_request, field, value)
        request_fields.update(fields)
        requests_.append(signing_request)
        if transition:
            events.append(
                (
                    transition,
                    signing_request,
                    {"document_id": document.id, "comment": document.decline_comment},
                )
            )
    if signers:
        Signer.objects.bulk_update(signers, sorted(signer_fields))
    if requests_:
        SigningRequest.objects.bulk_update(requests_, sorted(request_fields))
    for outcome, contract_ids in contract_outcomes.items():
        update_rows(
            Contract.objects.filter(pk__in=contract_ids, status=ContractStatus.SIGNING),
            status=outcome,
        )
    if signers or events:
        # What the contractor must do next moved (signer turns, conclusions, rejections).
        cases_changed.send(
            sender=SigningRequest,
            case_ids=set(
                Contract.objects.filter(pk__in={r.contract_id for r, _ in pairs}).values_list(
                    "case_id", flat=True
                )
            ),
        )
    audit.record_many(events)
