"""The Celery application. Settings come from Django's settings under the ``CELERY_`` prefix."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    import_modules,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_init,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashikaga_portal.settings")

app = Celery("ashikaga_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders(celery_app: Celery = app) -> None:
    """kombu's filesystem transport needs its folders to exist before the first message."""
    if not str(celery_app.conf.broker_url).startswith("filesystem"):
        return
    options = celery_app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@import_modules.connect
def _prepare_broker(sender=None, **kwargs):
    ensure_filesystem_broker_folders()


@task_failure.connect
def _log_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, **extra):
    """A failed task is logged with the object it concerns (its arguments are ids)."""
    logging.getLogger("celery.failures").error(
        "task %s[%s] failed on %s %s: %r",
        getattr(sender, "name", sender),
        task_id,
        args,
        kwargs,
        exception,
    )


@worker_init.connect
@beat_init.connect
def _refuse_malformed_environment(sender=None, **kwargs):
    from core.envfile import refuse_malformed

    refuse_malformed()


# The request id travels with the tasks a request enqueues (a message header), so the worker's log
# lines carry the id of the request that caused them.
REQUEST_ID_HEADER = "request_id"
_tokens: dict[str, object] = {}


@before_task_publish.connect
def _send_request_id(sender=None, headers=None, **kwargs):
    from core.middleware import current_request_id

    request_id = current_request_id()
    if headers is not None and request_id != "-":
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _bind_request_id(sender=None, task_id=None, task=None, **kwargs):
    from core.middleware import set_request_id

    request_id = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    if request_id and task_id:
        _tokens[task_id] = set_request_id(str(request_id))


@task_postrun.connect
def _unbind_request_id(sender=None, task_id=None, **kwargs):
    from core.middleware import reset_request_id

    token = _tokens.pop(task_id, None)
    if token is not None:
        reset_request_id(token)


@task_success.connect
def _count_success(sender=None, **kwargs):
    from core.metrics import count_task

    count_task(getattr(sender, "name", str(sender)), "success")


@task_failure.connect
def _count_failure(sender=None, **kwargs):
    from core.metrics import count_task

    count_task(getattr(sender, "name", str(sender)), "failure")


@task_retry.connect
def _count_retry(sender=None, request=None, **kwargs):
    from core.metrics import count_task

    count_task(getattr(request, "task", None) or str(sender), "retry")
