"""The one way to write an audit record."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from core import net
from core.models import AuditEvent

SYSTEM = "system"


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address through the trusted proxies (core.net), or None."""
    if request is None:
        return None
    address = net.client_ip(request)
    return None if address == "unknown" else address


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    payload: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one AuditEvent. ``actor`` is a user, or None for the system (label it)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if not actor_label:
        actor_label = user.get_username() if user is not None else SYSTEM
    target_type = target_id = target_repr = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_repr = str(target)[:300]
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label[:200],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        ip_address=client_ip(request),
        payload=payload or {},
    )
