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
    return net.client_ip(request)


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    payload: dict[str, Any] | None = None,
    actor_label: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one AuditEvent. ``actor`` is a user, or None for the system (label it).
    ``ip_address``: the client's address when the work runs after its request (a background job
    records the address it was asked from); otherwise it is read from ``request``."""
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
        ip_address=client_ip(request) if request is not None else ip_address,
        payload=payload or {},
    )


# Fields whose values never go into an audit payload (only that they changed).
SECRET_FIELDS = frozenset({"auth_key", "view_password", "password"})


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def field_changes(
    before: models.Model | None, after: models.Model, fields: list[str] | tuple[str, ...]
) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each of ``fields`` whose value differs (secrets masked).
    ``before`` is the row as it was in the database (None for a new row)."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        old = getattr(before, name, None) if before is not None else None
        new = getattr(after, name, None)
        if old == new:
            continue
        if name in SECRET_FIELDS:
            changes[name] = ["●" if old else "", "●（変更）" if new else ""]
        else:
            changes[name] = [_shown(old), _shown(new)]
    return changes


def record_many(
    events: list[tuple[str, models.Model, dict[str, Any]]], *, actor_label: str = SYSTEM
) -> list[AuditEvent]:
    """Append one AuditEvent per ``(action, target, payload)`` in one INSERT (the system's batch
    work, e.g. a sync sweep's page)."""
    if not events:
        return []
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_label=actor_label[:200],
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_repr=str(target)[:300],
            payload=payload or {},
        )
        for action, target, payload in events
    )
