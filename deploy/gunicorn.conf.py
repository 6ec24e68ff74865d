"""gunicorn's settings beyond the command line of deploy/systemd/keiyaku-web.service: its own log
lines in the application's format (JSON with LOG_JSON, ISO time with the offset); no access log
(nginx keeps one, without the webhook path)."""

import os
import sys

sys.path.insert(0, os.getcwd())

from core.logs import gunicorn_logconfig  # noqa: E402


def _log_json() -> bool:
    # The environment file is read here only for LOG_JSON; the application reads it in full.
    import environ

    env = environ.Env()
    if os.environ.get("ENV_FILE"):
        env.read_env(os.environ["ENV_FILE"], overwrite=False)
    return env.bool("LOG_JSON", default=env.str("DJANGO_ENV", default="") == "production")


logconfig_dict = gunicorn_logconfig(_log_json())
accesslog = None


def child_exit(server, worker):
    """A gunicorn worker that ended leaves its metric files: mark them dead (prometheus-client)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
