"""Database helpers shared by the apps' services."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone


def update_rows(queryset: QuerySet, **fields) -> int:
    """``queryset.update(**fields)`` that also moves the model's ``auto_now`` fields (such as
    ``updated_at``): a bulk UPDATE bypasses ``save()``, so they would keep the old time."""
    now = timezone.now()
    for field in queryset.model._meta.concrete_fields:
        if getattr(field, "auto_now", False) and field.name not in fields:
            fields[field.name] = now
    return queryset.update(**fields)
