"""Deploy checks of the portal's own data (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_users(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production no demo user may exist: their password is published in the repository and
    their 2FA secret is derived from their address (``seed_demo``)."""
    if getattr(settings, "DJANGO_ENV", "development") != "production":
        return []
    from accounts.models import User
    from portal.management.commands.seed_demo import CONTRACTORS, STAFF

    emails = [row[0] for row in STAFF] + [row[0] for row in CONTRACTORS]
    try:
        found = sorted(
            User.objects.filter(email__in=emails, is_active=True).values_list("email", flat=True)
        )
    except DatabaseError:  # no database reachable (a build step): nothing to say about its rows
        return []
    if not found:
        return []
    return [
        checks.Error(
            f"Demo users exist in production: {', '.join(found)}.",
            hint="Delete them (their password is the published demo password) and never run "
            "seed_demo in production.",
            id="portal.E001",
        )
    ]
