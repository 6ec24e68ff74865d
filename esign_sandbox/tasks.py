"""Webhook delivery: asynchronous, with retries, like the real service's Hook URLs."""

from __future__ import annotations

import requests
from celery import shared_task
from django.utils import timezone

from esign_sandbox.models import WebhookDelivery

MAX_ATTEMPTS = 6


def deliver(delivery: WebhookDelivery) -> bool:
    delivery.attempts += 1
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=delivery.body.encode(),
            headers={"Content-Type": "application/json", "User-Agent": "CloudSignWebHook"},
            timeout=(5, 10),
        )
        delivery.last_status = response.status_code
        delivery.last_error = "" if response.ok else response.text[:500]
        if response.ok:
            delivery.delivered_at = timezone.now()
    except requests.RequestException as exc:
        delivery.last_error = str(exc)[:500]
    delivery.save()
    return delivery.delivered_at is not None


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> bool:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return True
    if deliver(delivery):
        return True
    raise self.retry(countdown=min(2**delivery.attempts, 60))


@shared_task(bind=True, max_retries=10, acks_late=True)
def add_long_term_signatures(self, document_id: str) -> bool:
    """The delayed long-term signature (DSS and document timestamp) of a concluded document."""
    from esign_sandbox import long_term
    from esign_sandbox.models import Document

    if long_term.add_long_term(document_id):
        return True
    doc = Document.objects.filter(pk=document_id).first()
    due = long_term.long_term_due_at(doc) if doc is not None else None
    if doc is None or doc.long_term_at is not None or due is None:
        return False
    # woken early (a redelivered message): wait for the rest of the delay
    raise self.retry(countdown=max(1, int((due - timezone.now()).total_seconds()) + 1))
