"""The retry policy shared by the signing-request tasks (run eagerly: Celery re-applies the task
in process on retry, so every attempt is visible)."""

import pytest

from contracts import services, tasks
from esign.errors import TransientError


def test_a_held_claim_waits_without_counting_as_a_failure(monkeypatch):
    calls = []

    def push(*, request_id):
        calls.append(request_id)
        if len(calls) <= 20:
            raise services.ClaimHeld(retry_after=1)  # another worker, for a long time
        if len(calls) <= 20 + tasks.MAX_FAILURES:
            raise TransientError("503", status=503)
        return None

    monkeypatch.setattr(services, "signing_request_push", push)
    failed = []
    monkeypatch.setattr(services, "signing_request_fail", lambda **kw: failed.append(kw))
    result = tasks.send_signing_request.apply(args=(7,)).get()
    # 20 claims + 8 transient errors, then success: the claims did not use up the failures.
    assert len(calls) == 21 + tasks.MAX_FAILURES
    assert result == "skipped" and failed == []


def test_transient_errors_give_up_after_max_failures(monkeypatch, db):
    attempts = []

    def push(*, request_id):
        attempts.append(request_id)
        raise TransientError("503", status=503)

    monkeypatch.setattr(services, "signing_request_push", push)
    monkeypatch.setattr(tasks.SigningRequest.objects, "get", lambda pk: f"request {pk}")
    failed = []
    monkeypatch.setattr(services, "signing_request_fail", lambda **kw: failed.append(kw))
    assert tasks.send_signing_request.apply(args=(7,)).get() == "failed"
    assert len(attempts) == tasks.MAX_FAILURES + 1
    assert failed[0]["signing_request"] == "request 7"


def test_without_a_give_up_step_the_last_error_is_raised(monkeypatch):
    def store(*, request_id):
        raise TransientError("timeout")

    monkeypatch.setattr(services, "signed_documents_store", store)
    with pytest.raises(TransientError):
        tasks.store_signed_documents.apply(args=(7,)).get()


def test_backoff_reaches_ten_minutes_and_rides_out_an_outage():
    waits = [tasks.backoff(n) for n in range(tasks.MAX_FAILURES)]
    assert all(0 < w <= 900 for w in waits)
    assert tasks.backoff(10) >= 300  # capped at 600 s ± jitter
    # The minimum total wait before giving up exceeds a 10-minute outage.
    assert sum(min(600, 5 * 2**n) * 0.5 for n in range(tasks.MAX_FAILURES)) > 600
