"""Background work of contracts: the remote side of sending for signature, following and storing.

Every task on a signing request has the same shape (:class:`SigningRequestTask`): acks late, a held
claim means "another worker has it, look again when its lease ends" (not a failure), a transient
error (or the database gone for a moment) retries with backoff and jitter, and after
``max_failures`` the task gives up (its ``give_up`` step records the failure for staff, or the error
is raised). A message lost on the way (broker down at enqueue, a task that died with the database)
is not a lost send: the row keeps the intent and ``redrive_signing_requests`` wakes it again.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from django.db import DatabaseError

from contracts import services, sync
from contracts.models import SigningRequest
from core.uploads import StorageUnavailable
from esign.errors import PermanentError, TransientError

logger = logging.getLogger(__name__)
MAX_FAILURES = 8


def backoff(failures: int, *, base: float = 5.0, cap: float = 600.0) -> float:
    """Exponential backoff with jitter: ~5 s, 10 s, 20 s … up to 10 minutes."""
    return min(cap, base * 2**failures) * random.uniform(0.5, 1.5)


class SigningRequestTask(Task):
    """A task on one signing request, run through :meth:`step`."""

    abstract = True
    acks_late = True
    max_retries = None  # transient failures are counted in ``failures``, claims never count
    max_failures = MAX_FAILURES

    def step(
        self,
        work: Callable[[], Any],
        *,
        request_id: int,
        failures: int,
        give_up: Callable[[TransientError], Any] | None = None,
    ) -> Any:
        try:
            return work()
        except services.ClaimHeld as exc:
            # Another worker holds the row (or died holding it): look again when its lease ends.
            raise self.retry(
                args=(request_id,), kwargs={"failures": failures}, countdown=exc.retry_after + 1
            ) from None
        except (TransientError, DatabaseError, StorageUnavailable) as exc:
            # DatabaseError: the database is unreachable for a moment (the row keeps the intent);
            # StorageUnavailable: so is the file storage (nothing was recorded).
            if failures >= self.max_failures:
                logger.error("%s %s: giving up after %s: %s", self.name, request_id, failures, exc)
                if give_up is None or not isinstance(exc, TransientError):
                    raise
                return give_up(exc)
            countdown = getattr(exc, "retry_after", None) or backoff(failures)
            # Without the database the redrive job may wake it early: harmless (idempotent push).
            with contextlib.suppress(DatabaseError):
                services.signing_request_defer(request_id=request_id, seconds=countdown)
            logger.warning(
                "%s %s: transient error, retry in %.0fs: %s", self.name, request_id, countdown, exc
            )
            raise self.retry(
                args=(request_id,), kwargs={"failures": failures + 1}, countdown=countdown, exc=exc
            ) from None


@shared_task(bind=True, base=SigningRequestTask)
def send_signing_request(self, request_id: int, failures: int = 0) -> str:
    """Create, fill and send the CloudSign document of a signing request (resumable)."""

    def fail(exc: TransientError) -> str:
        signing_request = SigningRequest.objects.get(pk=request_id)
        services.signing_request_fail(signing_request=signing_request, error=exc)
        return "failed"

    result = self.step(
        lambda: services.signing_request_push(request_id=request_id),
        request_id=request_id,
        failures=failures,
        give_up=fail,
    )
    if result == "failed":
        return result
    return "skipped" if result is None else result.status


@shared_task(acks_late=True)
def sync_signing_status() -> dict:
    result = sync.sync_signing_status()
    return {"calls": result.calls, "changed": result.changed, "applied": result.applied}


@shared_task(acks_late=True)
def redrive_signing_requests() -> int:
    """Wake every send whose message was lost (see contracts.services.signing_requests_redrive)."""
    return services.signing_requests_redrive()


@shared_task(acks_late=True)
def reconcile_signing_requests() -> int:
    return sync.reconcile_signing_requests()


@shared_task(bind=True, base=SigningRequestTask)
def refresh_signing_request(self, request_id: int, failures: int = 0) -> str:
    result = self.step(
        lambda: sync.refresh_signing_request(request_id=request_id),
        request_id=request_id,
        failures=failures,
    )
    return "missing" if result is None else result.status


@shared_task(bind=True, base=SigningRequestTask)
def store_signed_documents(self, request_id: int, failures: int = 0) -> str:
    """Download, verify and store the signed PDFs and the certificate (idempotent). A permanent
    error (e.g. 400 on GET /files/{id} on LGWAN) marks the request 締結書類の取得失敗 for staff
    instead of being re-queued by every sweep; transient ones are retried (and re-queued)."""
    try:
        result = self.step(
            lambda: services.signed_documents_store(request_id=request_id),
            request_id=request_id,
            failures=failures,
        )
    except PermanentError as exc:
        logger.error("signing request %s: cannot store the signed files: %s", request_id, exc)
        services.signing_request_store_fail(
            signing_request=SigningRequest.objects.get(pk=request_id), error=exc
        )
        return "failed"
    return "skipped" if result is None else "stored"


@shared_task(acks_late=True)
def remind_signers() -> dict:
    return sync.remind_signers()


@shared_task(acks_late=True)
def refetch_signed_documents() -> int:
    """Beat (hourly): download again the signed files still waiting for CloudSign's document
    timestamp (first after ESIGN_REFETCH_FIRST_HOURS, then daily for ESIGN_REFETCH_DAYS)."""
    from contracts.services import archive
    from esign.errors import CloudSignError

    stored = 0
    for document_id in archive.signed_documents_refetch_due():
        try:
            if archive.signed_document_refetch(document_id=document_id) is not None:
                stored += 1
        except CloudSignError as exc:
            archive.signed_document_refetch_failed(document_id=document_id, error=exc)
    return stored


@shared_task(acks_late=True)
def renew_archive_timestamps() -> int:
    """Beat (daily): add the city's archive timestamp to every document whose newest timestamp
    certificate expires within ESIGN_ARCHIVE_RENEWAL_MARGIN_DAYS."""
    from contracts.services import archive

    renewed = 0
    for document_id in archive.signed_documents_renew_due():
        try:
            if archive.signed_document_renew(document_id=document_id) is not None:
                renewed += 1
        except Exception:  # one document's failure must not stop the others; logged
            logger.exception("archive timestamp renewal failed for signed document %s", document_id)
    return renewed
