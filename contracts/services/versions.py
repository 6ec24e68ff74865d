"""What a stored signed-document version records, shared by storing at conclusion and the
archive's later versions (re-fetch, renewal, upload)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from contracts.models import SignedDocument

MAX_SIGNED_BYTES = 100 * 1024 * 1024


def renew_due_at(expires_at: dt.datetime | None) -> dt.datetime | None:
    if expires_at is None:
        return None
    return expires_at - dt.timedelta(days=settings.ESIGN_ARCHIVE_RENEWAL_MARGIN_DAYS)


def first_refetch_at(concluded_at: dt.datetime) -> dt.datetime:
    return concluded_at + dt.timedelta(hours=settings.ESIGN_REFETCH_FIRST_HOURS)


def apply_verification(document: SignedDocument, verification) -> None:
    document.signature_status = verification.status
    document.signature_detail = verification.detail
    document.signature_checks = verification.checks
    document.signer_subject = verification.signer
    document.signed_at = verification.signed_at
    document.timestamp_at = verification.timestamp_at
    document.verified_at = timezone.now()
    document.long_term = verification.long_term
    document.renew_due_at = renew_due_at(verification.timestamp_expires_at)
    if verification.long_term:
        document.next_refetch_at = None
