"""One base for every refused action: a Japanese message for people and a code for programs."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the city's process said no. ``message`` is shown as is; ``code`` names the rule."""

    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
