"""The nightly integrity check: re-hash every stored file against its recorded sha256, then run
the checks other apps register (``register_check``; contracts re-verifies every signed PDF's
signatures with the same verifier that stored them)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.contrib.auth import get_user_model

from core import audit
from core.mail import send_mail_on_commit
from core.models import StoredFile

logger = logging.getLogger(__name__)

# A check returns the problems it found: (stored file, problem code) pairs. It audits them itself.
Check = Callable[[], list[tuple[StoredFile, str]]]
_checks: list[Check] = []


def register_check(check: Check) -> None:
    """Called from an AppConfig.ready(): a higher app adds its own nightly check."""
    if check not in _checks:
        _checks.append(check)


def file_sha256(stored: StoredFile) -> str | None:
    digest = hashlib.sha256()
    try:
        with stored.file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def check_all() -> dict:
    """Every mismatch or missing file is an audit event and a mail to the administrators."""
    checked = 0
    problems = []
    for stored in StoredFile.objects.order_by("created_at").iterator(chunk_size=500):
        checked += 1
        actual = file_sha256(stored)
        if actual == stored.sha256:
            continue
        problem = "missing" if actual is None else "mismatch"
        problems.append((stored, problem, actual))
        audit.record(
            f"integrity.{problem}",
            target=stored,
            payload={"expected": stored.sha256, "actual": actual, "path": stored.file.name},
        )
        logger.error("integrity %s: %s (%s)", problem, stored.pk, stored.file.name)
    for check in _checks:
        problems.extend((stored, problem, None) for stored, problem in check())
    if problems:
        admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
        send_mail_on_commit(
            "integrity_alert",
            {"problems": [(s, p) for s, p, _ in problems]},
            admins.values_list("email", flat=True),
        )
    return {"checked": checked, "problems": len(problems)}
