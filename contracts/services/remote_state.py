"""Applying what CloudSign says about a document to its signing request and signers."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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
        update_rows(
            Contract.objects.filter(pk=contract.pk, status=ContractStatus.SIGNING),
            status=ContractStatus.REJECTED if rejected else ContractStatus.CANCELED,
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
