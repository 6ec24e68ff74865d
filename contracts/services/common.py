"""What the contract services share: the error, the claim on a signing request."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db import connection as db_connection
from django.utils import timezone

from contracts.models import SigningRequest
from core.errors import DomainError
from esign.errors import CloudSignError

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


@contextlib.contextmanager
def lease_renewed(request_id: int) -> Iterator[None]:
    """Keep this worker's claim on the row alive while the work inside runs.

    The claim is a short lease (SIGNING_CLAIM_SECONDS); a heartbeat thread pushes its end
    forward every SIGNING_LEASE_RENEW_SECONDS. A worker that dies (SIGKILL, OOM, power) stops
    renewing, its lease ends within SIGNING_CLAIM_SECONDS and the redrive job hands the work to
    another worker — a long download of a live worker is never taken from it."""
    stop = threading.Event()
    interval = settings.SIGNING_LEASE_RENEW_SECONDS

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    SigningRequest.objects.filter(
                        pk=request_id, claimed_until__isnull=False
                    ).update(claimed_until=timezone.now() + dt.timedelta(seconds=_claim_seconds()))
                except DatabaseError as exc:  # the database away: the lease may lapse, that is all
                    logger.warning("lease %s not renewed: %s", request_id, exc)
        finally:
            db_connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"lease-{request_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


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


def _record_error(signing_request: SigningRequest, exc: CloudSignError, *, release: bool) -> None:
    fields = {
        "last_error_code": f"{exc.status or '-'} {exc.code or exc.__class__.__name__}"[:100],
        "last_error_message": str(exc)[:2000],
        "last_error_at": timezone.now(),
    }
    if release:
        fields["claimed_until"] = None
    SigningRequest.objects.filter(pk=signing_request.pk).update(**fields)
