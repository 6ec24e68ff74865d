"""The Celery application. Settings come from Django's settings under the ``CELERY_`` prefix."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import import_modules, task_failure

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
