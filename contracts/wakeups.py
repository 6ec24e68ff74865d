"""Wake a worker for a signing request, by task name.

The services, the sync and the webhook wake the tasks through here; the tasks call the services.
This module imports neither, so there is no import loop between them: the message names the task
(``contracts.tasks.<name>``) and the worker, which has imported the tasks, runs it.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

# The tasks a service may wake (tests check each names a task of contracts.tasks).
SEND_SIGNING_REQUEST = "send_signing_request"
STORE_SIGNED_DOCUMENTS = "store_signed_documents"
REFRESH_SIGNING_REQUEST = "refresh_signing_request"
WAKEABLE = frozenset({SEND_SIGNING_REQUEST, STORE_SIGNED_DOCUMENTS, REFRESH_SIGNING_REQUEST})


def task_path(task_name: str) -> str:
    return f"contracts.tasks.{task_name}"


def enqueue(task_name: str, request_id: int) -> None:
    """Put the message on the broker now (raises when the broker is down)."""
    current_app.send_task(task_path(task_name), args=(request_id,))


def wake(task_name: str, request_id: int) -> None:
    """After commit, wake a worker for a signing request. The intent is already in the row (its
    status); a message that cannot be sent (broker down) is logged and left for the redrive job,
    never turned into an error for the person who pressed the button."""
    if task_name not in WAKEABLE:
        raise ValueError(f"{task_name!r} is not a task a signing request can wake")

    def send() -> None:
        try:
            enqueue(task_name, request_id)
        except Exception:  # noqa: BLE001 - any broker failure; the redrive job takes over
            logger.warning("%s %s: broker unavailable, left for redrive", task_name, request_id)

    transaction.on_commit(send)
