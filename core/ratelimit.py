"""A rate limit shared by every process, kept in the database (conditional UPDATEs)."""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from core import net
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


def client_address(request) -> str:
    return net.client_ip(request) or "unknown"


def limited(request, scope: str, *, key: str | None = None) -> bool:
    """True when ``scope`` has had too many requests from this address (or ``key``)."""
    from django.conf import settings

    limit, per = settings.RATE_LIMITS[scope]
    return try_acquire(f"{scope}:{key or client_address(request)}", limit, per=per) > 0


def exhausted(request, scope: str, *, key: str | None = None) -> bool:
    """True when ``scope`` has no slot left in this window for this address (or ``key``); takes
    none (for counting failures, which ``limited`` records one by one)."""
    from django.conf import settings

    limit, per = settings.RATE_LIMITS[scope]
    window = int(time.time() // per)
    return RateCounter.objects.filter(
        key=f"{scope}:{key or client_address(request)}", window=window, count__gte=limit
    ).exists()


def too_many(request):
    """The Japanese 429 page."""
    from django.shortcuts import render

    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response
