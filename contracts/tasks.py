"""Background work of contracts: the remote side of sending for signature."""

from __future__ import annotations

import logging
import random

from celery import shared_task

from contracts import services
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
