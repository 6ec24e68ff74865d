"""Background work of contracts: the remote side of sending for signature."""

from __future__ import annotations

import logging
import random

from celery import shared_task

from contracts import services, sync
from contracts.models import SigningRequest
from esign.errors import TransientError

logger = logging.getLogger(__name__)
MAX_RETRIES = 8


def backoff(retries: int, *, base: float = 5.0, cap: float = 600.0) -> float:
    """Exponential backoff with jitter: ~5 s, 10 s, 20 s … up to 10 minutes."""
    return min(cap, base * 2**retries) * random.uniform(0.5, 1.5)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_signing_request(self, request_id: int) -> str:
    """Create, fill and send the CloudSign document of a signing request (resumable)."""
    try:
        result = services.signing_request_push(request_id=request_id)
    except services.ClaimHeld as exc:
        raise self.retry(countdown=exc.retry_after + 1, max_retries=None) from None
    except TransientError as exc:
        if self.request.retries >= self.max_retries:
            logger.error("signing request %s: giving up after %s retries", request_id, exc)
            signing_request = SigningRequest.objects.get(pk=request_id)
            services.signing_request_fail(signing_request=signing_request, error=exc)
            return "failed"
        countdown = exc.retry_after or backoff(self.request.retries)
        logger.warning(
            "signing request %s: transient error, retry in %.0fs: %s", request_id, countdown, exc
        )
        raise self.retry(exc=exc, countdown=countdown) from None
    return "skipped" if result is None else result.status


@shared_task(acks_late=True)
def sync_signing_status() -> dict:
    result = sync.sync_signing_status()
    return {"calls": result.calls, "changed": result.changed, "applied": result.applied}


@shared_task(acks_late=True)
def reconcile_signing_requests() -> int:
    return sync.reconcile_signing_requests()


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def refresh_signing_request(self, request_id: int) -> str:
    try:
        result = sync.refresh_signing_request(request_id=request_id)
    except TransientError as exc:
        raise self.retry(
            exc=exc, countdown=exc.retry_after or backoff(self.request.retries)
        ) from None
    return "missing" if result is None else result.status


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def store_signed_documents(self, request_id: int) -> str:
    """Download, verify and store the signed PDFs and the certificate (idempotent)."""
    try:
        result = services.signed_documents_store(request_id=request_id)
    except services.ClaimHeld as exc:
        # Another worker is storing (or died doing it): look again when its lease ends.
        raise self.retry(countdown=exc.retry_after + 1, max_retries=None) from None
    except TransientError as exc:
        raise self.retry(
            exc=exc, countdown=exc.retry_after or backoff(self.request.retries)
        ) from None
    return "skipped" if result is None else "stored"


@shared_task(acks_late=True)
def remind_signers() -> dict:
    return sync.remind_signers()
