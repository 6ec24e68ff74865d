"""/livez touches nothing; /healthz checks database, broker and storage without writing, and keeps
its answer a few seconds."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from core import health


@pytest.fixture(autouse=True)
def _fresh():
    health.reset_cache()
    yield
    health.reset_cache()


def test_liveness_touches_nothing(client, monkeypatch):
    """No django_db mark: any database access would raise."""

    def broken():
        raise ConnectionError

    monkeypatch.setattr(health, "CHECKS", {"database": broken, "broker": broken})
    response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_writes_nothing(client, monkeypatch):
    def no_write(*args, **kwargs):
        raise AssertionError("a probe wrote to the storage")

    monkeypatch.setattr(default_storage, "save", no_write)
    monkeypatch.setattr(default_storage, "delete", no_write)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert {name for name, r in response.json()["checks"].items() if r["ok"]} == {
        "database",
        "broker",
        "storage",
    }


def test_readiness_is_cached_then_checked_again(client, monkeypatch, settings):
    settings.HEALTHZ_CACHE_SECONDS = 5
    calls = []

    def broker():
        calls.append(1)
        raise ConnectionError("redis down")

    monkeypatch.setattr(health, "CHECKS", {"broker": broker})
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert first.status_code == second.status_code == 503
    assert first.json()["checks"]["broker"]["error"] == "ConnectionError"
    assert len(calls) == 1
    health.readiness(now=10**9)  # far later: checked again
    assert len(calls) == 2
