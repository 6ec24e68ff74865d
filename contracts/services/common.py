"""What the contract services share: the error, the claim on a signing request."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
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


def wake(task_name: str, request_id: int) -> None:
    """After commit, wake a worker for a signing request. The intent is already in the row (its
    status); a message that cannot be sent (broker down) is logged and left for the redrive job,
    never turned into an error for the person who pressed the button."""

    def send() -> None:
        from contracts import tasks

        try:
            getattr(tasks, task_name).delay(request_id)
        except Exception:  # noqa: BLE001 - any broker failure; the redrive job takes over
            logger.warning("%s %s: broker unavailable, left for redrive", task_name, request_id)

    transaction.on_commit(send)
