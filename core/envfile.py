"""The environment, read and checked: a value that does not parse is recorded with its name.

Settings read every variable through :class:`CheckedEnv`; ``core.checks`` reports what was
recorded (``manage.py check``) and the web, worker and beat refuse to start with it
(:func:`refuse_malformed`). Nothing here imports Django's settings: it runs while they load.
"""

from __future__ import annotations

import os
import re

import environ

# A value followed by spaces and '#': an inline comment that systemd and django-environ both keep.
_INLINE_COMMENT = re.compile(r"\s#")
_BOOL_WORDS = {w.lower() for w in environ.Env.BOOLEAN_TRUE_STRINGS} | {
    "false",
    "off",
    "no",
    "n",
    "0",
    "",
}


class CheckedEnv(environ.Env):
    """django-environ's reader that records malformed values instead of failing on the first."""

    def __init__(self, **scheme) -> None:
        super().__init__(**scheme)
        self.errors: list[tuple[str, str]] = []

    def _record(self, var: str, problem: str) -> None:
        if all(name != var for name, _ in self.errors):
            self.errors.append((var, problem))

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        raw = os.environ.get(var)
        if raw is not None and _INLINE_COMMENT.search(raw):
            self._record(var, f"an inline comment is part of the value ({raw!r})")
        try:
            value = super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except (ValueError, TypeError) as exc:
            self._record(var, f"{raw!r} is not a valid {getattr(cast, '__name__', cast)}: {exc}")
            if default is environ.Env.NOTSET:
                raise environ.ImproperlyConfigured(f"{var}: {raw!r} cannot be read.") from exc
            return default
        if cast is bool and raw is not None and raw.strip().lower() not in _BOOL_WORDS:
            self._record(var, f"{raw!r} is neither true nor false")
        return value


def describe(errors: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name}: {problem}" for name, problem in errors)


def refuse_malformed() -> None:
    """Called as a process starts (gunicorn, Celery worker and beat): no guessing on bad values."""
    from django.conf import settings

    errors = getattr(settings, "ENV_ERRORS", [])
    if errors:
        raise environ.ImproperlyConfigured(
            "Malformed environment values (fix ENV_FILE): " + describe(errors)
        )
