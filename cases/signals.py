"""Signals the higher layers listen to (a lower app never imports a higher one)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

# Sent with ``case_ids`` by services that change what a contractor must do next on those cases
# through bulk writes (``update``/``bulk_update``, which send no ``post_save``); ``portal.todo``
# refreshes ``CaseNextAction`` in the same transaction.
cases_changed = Signal()

_batch: ContextVar[set[int] | None] = ContextVar("cases_changed_batch", default=None)


@contextmanager
def batched_case_changes() -> Iterator[set[int]]:
    """Collect the ids of cases saved one by one (an import of thousands of rows) so that the
    listeners hear of them once, as ``cases_changed``, instead of once per save.

    The caller sends the collected ids with :func:`send_case_changes` before its transaction
    commits. A nested batch is its own: the inner caller sends what it collected."""
    token = _batch.set(set())
    try:
        yield _batch.get()
    finally:
        _batch.reset(token)


def defer_case_change(case_id: int | None) -> bool:
    """Record a saved case in the current batch; False when no batch is open (act at once)."""
    batch = _batch.get()
    if batch is None:
        return False
    if case_id is not None:
        batch.add(case_id)
    return True


def send_case_changes(case_ids: set[int], *, chunk: int = 500) -> None:
    """Send ``cases_changed`` for a batch, a bounded number of ids at a time. The batch is closed
    while the listeners run, so a case one of them saves is refreshed at once, not collected."""
    ids = sorted(case_ids)
    token = _batch.set(None)
    try:
        for start in range(0, len(ids), chunk):
            cases_changed.send(sender=None, case_ids=ids[start : start + chunk])
    finally:
        _batch.reset(token)
