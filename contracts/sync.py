"""Following every contract in signing: the incremental sweep, the per-document safety net, the
immediate re-read after a webhook, and reminders before the 10-day links expire."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts import services, wakeups
from contracts.constants import RequestStatus, SignerState
from contracts.models import Signer, SigningRequest, SyncState
from core import audit
from core.mail import send_mail_on_commit
from esign.errors import CloudSignError, GatewayTimeout, NotFound
from esign.factory import get_client

logger = logging.getLogger(__name__)
PROVIDER = "cloudsign"
# Requests the sweep and the reconcile follow (a concluded one until its files are stored).
FOLLOWED = Q(status=RequestStatus.WAITING) | Q(
    status=RequestStatus.CONCLUDED, stored_at__isnull=True, store_failed_at__isnull=True
)


@dataclass
class SweepResult:
    calls: int
    pages: int
    changed: int
    applied: int


def sync_signing_status(*, client=None) -> SweepResult:
    """One sweep of GET /documents from the watermark (minus an overlap), page by page.

    API calls grow with the documents changed since the watermark, not with those in flight.
    Each page's documents that belong to our requests are applied together through
    ``signing_requests_apply_remote_states`` (idempotent, so the overlap is harmless). The
    watermark moves to the sweep's start only after every page has been applied.
    """
    client = client or get_client()
    state, _ = SyncState.objects.get_or_create(name=PROVIDER)
    started = timezone.now()
    calls_before = client.calls
    since = (
        state.watermark - dt.timedelta(seconds=settings.SYNC_OVERLAP_SECONDS)
        if state.watermark
        else None
    )
    pages = changed = applied = 0
    page = 1
    try:
        while True:
            listing = client.list_documents(page=page, from_=since, with_files=False)
            pages += 1
            changed += len(listing.documents)
            # One transaction per page, a bounded number of statements (not per document).
            applied += services.signing_requests_apply_remote_states(documents=listing.documents)
            if len(listing.documents) < 100:
                break
            page += 1
    except CloudSignError as exc:
        SyncState.objects.filter(pk=state.pk).update(last_error=str(exc)[:2000])
        raise
    SyncState.objects.filter(pk=state.pk).update(
        watermark=started,
        last_sweep_at=timezone.now(),
        last_sweep_calls=client.calls - calls_before,
        last_sweep_documents=changed,
        last_error="",
    )
    _store_pending()
    return SweepResult(client.calls - calls_before, pages, changed, applied)


def _store_pending() -> None:
    """Concluded requests whose files are not stored yet (a lost task) get another go; those
    that failed permanently wait for staff (再取得) instead of looping."""
    for pk in SigningRequest.objects.filter(
        status=RequestStatus.CONCLUDED, stored_at__isnull=True, store_failed_at__isnull=True
    ).values_list("pk", flat=True)[:50]:
        wakeups.wake(wakeups.STORE_SIGNED_DOCUMENTS, pk)


def refresh_signing_request(*, request_id: int, client=None) -> SigningRequest | None:
    """Re-read one document (after a webhook, or 今すぐ同期) and apply it."""
    signing_request = SigningRequest.objects.filter(pk=request_id).first()
    if signing_request is None or not signing_request.document_id:
        return None
    client = client or get_client()
    try:
        document = client.get_document(signing_request.document_id)
    except NotFound:
        logger.warning(
            "signing request %s: document %s is gone", request_id, signing_request.document_id
        )
        return signing_request
    return services.signing_request_apply_remote_state(
        signing_request=signing_request, document=document
    )


def reconcile_signing_requests(*, client=None) -> int:
    """The safety net: GET each followed request not synced for a long time (bounded per run)."""
    client = client or get_client()
    cutoff = timezone.now() - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    stale = (
        SigningRequest.objects.filter(FOLLOWED)
        .filter(Q(last_synced_at__isnull=True) | Q(last_synced_at__lt=cutoff))
        .exclude(document_id=None)
        .order_by("last_synced_at")[: settings.RECONCILE_BATCH]
    )
    done = 0
    for signing_request in stale:
        refresh_signing_request(request_id=signing_request.pk, client=client)
        done += 1
    return done


def remind_signers(*, client=None) -> dict:
    """Remind a waiting signer whose link expires within N days (at most REMINDER_MAX times);
    tell staff once when a link has expired."""
    client = client or get_client()
    now = timezone.now()
    soon = now + dt.timedelta(days=settings.REMINDER_DAYS_BEFORE_EXPIRY)
    reminded = alerted = 0
    waiting = Signer.objects.filter(
        state=SignerState.WAITING,
        signing_request__status=RequestStatus.WAITING,
        link_expires_at__isnull=False,
    ).select_related("signing_request", "signing_request__contract__case")
    for signer in waiting.filter(link_expires_at__gt=now, link_expires_at__lte=soon).filter(
        reminders_sent__lt=settings.REMINDER_MAX
    ):
        signing_request = signer.signing_request
        try:
            document = client.remind(signing_request.document_id)
        except GatewayTimeout:
            document = client.get_document(signing_request.document_id)
        with transaction.atomic():
            Signer.objects.filter(pk=signer.pk).update(
                reminders_sent=signer.reminders_sent + 1, last_reminded_at=now
            )
            audit.record(
                "signing_request.auto_reminded",
                target=signing_request,
                payload={"signer": signer.email, "count": signer.reminders_sent + 1},
            )
        services.signing_request_apply_remote_state(
            signing_request=signing_request, document=document
        )
        reminded += 1
    for signer in waiting.filter(link_expires_at__lte=now, expired_alerted_at__isnull=True):
        with transaction.atomic():
            updated = Signer.objects.filter(pk=signer.pk, expired_alerted_at__isnull=True).update(
                expired_alerted_at=now
            )
            if not updated:
                continue
            case = signer.signing_request.contract.case
            audit.record(
                "signing_request.link_expired",
                target=signer.signing_request,
                payload={"signer": signer.email},
            )
            from accounts.selectors import reviewer_emails

            send_mail_on_commit(
                "signing_link_expired",
                {"signer": signer, "contract": signer.signing_request.contract, "case": case},
                reviewer_emails(case),
            )
        alerted += 1
    return {"reminded": reminded, "alerted": alerted}


def sync_lag_seconds() -> float | None:
    """Seconds since the last completed sweep (None before the first): the metrics' sync lag."""
    last = SyncState.objects.filter(name=PROVIDER).values_list("last_sweep_at", flat=True).first()
    return None if last is None else (timezone.now() - last).total_seconds()
