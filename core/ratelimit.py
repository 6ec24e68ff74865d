"""A rate limit shared by every process, kept in the database (conditional UPDATEs)."""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import RateCounter


def try_acquire(key: str, limit: int, *, per: int = 60, now: float | None = None) -> float:
    """Take one slot in the current window; return 0, or the seconds to wait for the next one."""
    now = time.time() if now is None else now
    window = int(now // per)
    taken = RateCounter.objects.filter(key=key, window=window, count__lt=limit).update(
        count=F("count") + 1
    )
    if taken:
        return 0.0
    if not RateCounter.objects.filter(key=key, window=window).exists():
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, count=1)
            RateCounter.objects.filter(key=key, window__lt=window - 5).delete()
            return 0.0
        except IntegrityError:
            return try_acquire(key, limit, per=per, now=now)
    return (window + 1) * per - now


def acquire(key: str, limit: int, *, per: int = 60, max_wait: float = 120.0) -> None:
    """Block until a slot is free (all workers together stay under ``limit`` per ``per`` s)."""
    waited = 0.0
    while True:
        wait = try_acquire(key, limit, per=per)
        if wait <= 0:
            return
        if waited >= max_wait:
            raise TimeoutError(f"rate limit {key}: no slot within {max_wait:.0f}s")
        time.sleep(min(wait, max_wait - waited) + 0.01)
        waited += wait
