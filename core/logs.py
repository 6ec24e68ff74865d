"""JSON log lines for every process (web, gunicorn, Celery worker and beat): ISO 8601 time with
the offset, level, logger, request id, message. Imports nothing of Django: gunicorn loads it
before the application."""

from __future__ import annotations

import logging
from datetime import datetime

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

DEFAULT_TIME_ZONE = "Asia/Tokyo"


class JsonFormatter(_BaseJsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        # The process's local zone (Django sets TZ to TIME_ZONE): 2026-12-06T11:25:07.123+09:00
        return (
            datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")
        )


def gunicorn_logconfig(json: bool) -> dict:
    """gunicorn's error log in the same format as the application's (deploy/gunicorn.conf.py)."""
    formatter = (
        {
            "()": "core.logs.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
