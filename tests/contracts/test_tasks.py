"""The retry policy shared by the signing-request tasks (run eagerly: Celery re-applies the task
in process on retry, so every attempt is visible)."""

import pytest

from contracts import services, tasks, wakeups
from esign.errors import TransientError

pytestmark = pytest.mark.django_db


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


def test_transient_errors_give_up_after_max_failures(monkeypatch):
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


def test_a_storage_outage_while_storing_is_retried_not_dropped(monkeypatch):
    """The bucket unreachable mid-store: the task retries (and defers the request) instead of
    failing as "unexpected" and waiting for a sweep."""
    from core.uploads import StorageUnavailable

    attempts = []

    def store(*, request_id):
        attempts.append(request_id)
        if len(attempts) < 3:
            raise StorageUnavailable("storage unavailable: connection refused")
        return object()

    deferred = []
    monkeypatch.setattr(services, "signed_documents_store", store)
    monkeypatch.setattr(
        services, "signing_request_defer", lambda **kw: deferred.append(kw["request_id"])
    )
    assert tasks.store_signed_documents.apply(args=(7,)).get() == "stored"
    assert len(attempts) == 3 and deferred == [7, 7]


def test_backoff_reaches_ten_minutes_and_rides_out_an_outage():
    waits = [tasks.backoff(n) for n in range(tasks.MAX_FAILURES)]
    assert all(0 < w <= 900 for w in waits)
    assert tasks.backoff(10) >= 300  # capped at 600 s ± jitter
    # The minimum total wait before giving up exceeds a 10-minute outage.
    assert sum(min(600, 5 * 2**n) * 0.5 for n in range(tasks.MAX_FAILURES)) > 600


def test_a_send_whose_message_was_lost_is_woken_by_the_redrive_job(
    ready_contract, section_staff, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The broker refused the message after commit: the button still worked, the row keeps the
    intent, and the redrive job wakes it once its grace period has passed (not before)."""
    import datetime as dt

    from kombu.exceptions import OperationalError

    from contracts.models import SigningRequest

    woken = []

    def broker_down(task_name, request_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(wakeups, "enqueue", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        signing_request = services.contract_send_for_signature(
            contract=ready_contract, user=section_staff
        )
    signing_request.refresh_from_db()
    assert signing_request.status == "queued"
    monkeypatch.setattr(wakeups, "enqueue", lambda name, pk: woken.append((name, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signing_requests_redrive() == 0  # too fresh: its message may be on the way
    SigningRequest.objects.filter(pk=signing_request.pk).update(
        created_at=signing_request.created_at
        - dt.timedelta(seconds=settings.SIGNING_REDRIVE_AFTER_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signing_requests_redrive() == 1
        assert services.signing_requests_redrive() == 0  # one wake-up per grace period
    assert woken == [("send_signing_request", signing_request.pk)]


def test_staff_can_retry_a_stuck_send(
    ready_contract, section_staff, django_capture_on_commit_callbacks, monkeypatch
):
    from core.models import AuditEvent

    woken = []
    monkeypatch.setattr(wakeups, "enqueue", lambda name, pk: woken.append((name, pk)))
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.signing_request_retry(signing_request=signing_request, user=section_staff)
    assert woken == [("send_signing_request", signing_request.pk)]
    event = AuditEvent.objects.get(action="signing_request.retried")
    assert event.payload == {"from": "queued"} and event.actor == section_staff
    signing_request.status = "waiting"
    signing_request.save()
    with pytest.raises(services.ContractError) as exc_info:
        services.signing_request_retry(signing_request=signing_request, user=section_staff)
    assert "再試行できます" in exc_info.value.message


def test_each_task_a_service_may_wake_is_a_task_of_contracts_tasks():
    """The wake-ups name the tasks (no import back from the services): each name must exist."""
    for name in wakeups.WAKEABLE:
        assert getattr(tasks, name).name == wakeups.task_path(name)
    with pytest.raises(ValueError):
        wakeups.wake("send_signing_requests", 1)


def test_a_dead_workers_lapsed_lease_is_redriven_at_once(
    ready_contract, section_staff, monkeypatch, django_capture_on_commit_callbacks
):
    """A lapsed lease means its worker died (a live one renews it): the send is woken at the
    next redrive run, without waiting for the lost-message grace period; a live lease is not."""
    import datetime as dt

    from django.utils import timezone

    from contracts.models import SigningRequest

    woken = []
    monkeypatch.setattr(wakeups, "enqueue", lambda name, pk: woken.append((name, pk)))
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    now = timezone.now()
    rows = SigningRequest.objects.filter(pk=signing_request.pk)
    rows.update(status="sending", claimed_until=now + dt.timedelta(seconds=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signing_requests_redrive() == 0  # alive: its lease is being renewed
    rows.update(claimed_until=now - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signing_requests_redrive() == 1
        assert services.signing_requests_redrive() == 0  # woken once, its lease cleared
    assert woken == [("send_signing_request", signing_request.pk)]
    woken.clear()
    rows.update(status="concluded", claimed_until=now - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signing_requests_redrive() == 1  # a store whose worker died
    assert woken == [("store_signed_documents", signing_request.pk)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@pytest.mark.waits
def test_the_lease_is_renewed_while_the_work_runs(ready_contract, section_staff, settings):
    import datetime as dt
    import time

    from django.utils import timezone

    from contracts.models import SigningRequest
    from contracts.services.common import lease_renewed

    settings.SIGNING_CLAIM_SECONDS = 2
    settings.SIGNING_LEASE_RENEW_SECONDS = 0.3
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    rows = SigningRequest.objects.filter(pk=signing_request.pk)
    rows.update(claimed_until=timezone.now() + dt.timedelta(seconds=2))
    with lease_renewed(signing_request.pk):
        time.sleep(3.5)  # longer than the lease: only the heartbeat keeps it
        assert rows.get().claimed_until > timezone.now()
    time.sleep(2.5)  # the work is over (or the worker dead): nothing renews it any more
    assert rows.get().claimed_until < timezone.now()
