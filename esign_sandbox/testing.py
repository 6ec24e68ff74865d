"""Test helpers: act as a recipient, make the service misbehave. Only in the sandbox."""

from __future__ import annotations

from esign_sandbox import engine
from esign_sandbox.models import (
    Account,
    Document,
    Fault,
    FaultKind,
    Participant,
    WebhookDelivery,
    WebhookEndpoint,
)
from esign_sandbox.tasks import deliver


def agree(document_id: str) -> Document:
    """The recipient whose turn it is agrees."""
    return engine.agree(document_id)


def agree_all(document_id: str) -> Document:
    doc = Document.objects.get(pk=document_id)
    while engine.current_recipient(doc) is not None:
        doc = engine.agree(document_id)
    return doc


def reject(document_id: str, comment: str = "内容に誤りがあります") -> Document:
    return engine.reject(document_id, comment)


def expire_link(document_id: str) -> Participant:
    return engine.expire_link(document_id)


def bounce(document_id: str, email: str | None = None) -> None:
    engine.bounce(document_id, email)


def current_link(document_id: str) -> str:
    doc = Document.objects.get(pk=document_id)
    participant = engine.current_recipient(doc)
    assert participant is not None, "no recipient is waiting"
    return engine.link_for(participant)


def inject(
    kind: str,
    *,
    path_regex: str = ".*",
    method: str = "*",
    rate: float = 1.0,
    remaining: int | None = None,
    delay_seconds: float = 0,
) -> Fault:
    assert kind in FaultKind.values, kind
    return Fault.objects.create(
        kind=kind,
        path_regex=path_regex,
        method=method,
        rate=rate,
        remaining=remaining,
        delay_seconds=delay_seconds,
    )


def behave_like_lgwan(on: bool = True) -> None:
    """Every API client answers 400 on file downloads and sends no webhooks (or stops)."""
    from esign_sandbox.api import DEMO_CLIENT_ID

    Account.objects.get_or_create(client_id=DEMO_CLIENT_ID)
    Account.objects.update(lgwan=on)


def add_long_term(document_id: str) -> bool:
    """CloudSign's long-term signature now, without waiting for the delay."""
    from esign_sandbox import long_term

    return long_term.add_long_term(document_id, force=True)


def revoke_signer() -> int:
    """A fault: the sandbox CA revokes its signing certificate (CRL and OCSP)."""
    from esign_sandbox import pki

    return pki.revoke_signer()


def clear_faults() -> None:
    Fault.objects.all().delete()


def add_webhook(url: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url)


def deliver_pending_webhooks() -> int:
    """Deliver queued webhooks now, in this process (for tests without a worker)."""
    delivered = 0
    pending = WebhookDelivery.objects.filter(delivered_at__isnull=True).select_related("endpoint")
    for delivery in pending.order_by("created_at", "id"):
        delivered += deliver(delivery)
    return delivered
