"""Failed logins count against the client address (the per-address throttle of every login path)."""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from core.ratelimit import limited


@receiver(user_login_failed, dispatch_uid="accounts.count_failed_login_by_address")
def count_failed_login(sender, credentials=None, request=None, **kwargs) -> None:
    if request is not None:
        limited(request, "login_address")  # takes one slot; LoginView refuses when none is left
