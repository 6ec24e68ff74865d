"""The real services: PostgreSQL and Redis in CI (REQUIRE_SERVICES=1), and a real Celery worker."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from accounts.models import Invitation
from accounts.tasks import purge_expired_invitations
from ashikaga_portal.celery import app as celery_app
from tests.conftest import REQUIRE_SERVICES


@pytest.mark.django_db
def test_database_backend():
    if REQUIRE_SERVICES:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in {"postgresql", "sqlite"}


def test_broker_is_reachable():
    if REQUIRE_SERVICES:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    with Connection(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
    ) as conn:
        conn.ensure_connection(max_retries=2, interval_start=0.2)
        if REQUIRE_SERVICES:
            assert conn.transport.driver_type == "redis"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_the_broker():
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    Invitation.objects.create(
        email="old@example.jp",
        company=company,
        token_hash="a" * 64,
        expires_at=timezone.now() - timedelta(days=40),
    )
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        purge_expired_invitations.apply_async(kwargs={"older_than_days": 30})
        deadline = time.monotonic() + 30
        while Invitation.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not Invitation.objects.exists()
