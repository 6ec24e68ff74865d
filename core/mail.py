"""Notification mail in Japanese, rendered from templates, sent after the transaction commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

# A subject prefix a template may still carry (the portal's old short name included).
_PREFIX = re.compile(r"^\s*【[^】]*電子契約ポータル】\s*")


def subject_with_prefix(subject: str) -> str:
    """Every subject starts with the ONE prefix (MAIL_SUBJECT_PREFIX), never two."""
    return settings.MAIL_SUBJECT_PREFIX + _PREFIX.sub("", subject.strip())


def render_mail(template: str, context: dict) -> tuple[str, str]:
    """Render ``mail/<template>.txt``: the first line is the subject, the rest the body."""
    text = render_to_string(f"mail/{template}.txt", {"site_url": settings.SITE_URL, **context})
    subject, _, body = text.strip().partition("\n")
    return subject_with_prefix(subject), body.lstrip("\n")


def send_mail_on_commit(template: str, context: dict, recipients: Iterable[str]) -> None:
    to = sorted({r for r in recipients if r})
    if not to:
        return
    subject, body = render_mail(template, context)

    def _send() -> None:
        for address in to:  # one mail each: recipients never see each other's address
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()

    transaction.on_commit(_send)
