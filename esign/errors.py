"""Errors of the e-signature service, split by what the caller should do about them."""

from __future__ import annotations


class CloudSignError(Exception):
    """Any failure talking to CloudSign. ``status`` is the HTTP status (None: no response)."""

    transient = False

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", method="", path=""
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        head = f"[{self.status or '-'} {self.code or '-'}]"
        return f"{head} {self.message}" + (f" ({where})" if where else "")


class TransientError(CloudSignError):
    """Worth retrying later: 429, 5xx, 504, timeouts, connection errors."""

    transient = True
    retry_after: float | None = None


class RateLimited(TransientError):
    """429 too_many_requests: the service blocks the token for 60 seconds."""

    retry_after = 60.0


class GatewayTimeout(TransientError):
    """504 (or a read timeout) on a write: the service may have done it anyway.

    The caller must re-read the document before retrying the write.
    """

    maybe_committed = True


class PermanentError(CloudSignError):
    """A 4xx other than 429: retrying the same request will not help. Record and show it."""


class Unauthorized(PermanentError):
    """401: the token is invalid or expired (the client refreshes it once by itself)."""


class NotFound(PermanentError):
    """404 not_found."""


class NotAcceptable(PermanentError):
    """403 not_acceptable: the document is not in a state that allows the change."""
