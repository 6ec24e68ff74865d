"""The development broker (`make run`, the tests): kombu's filesystem transport, so that no
server is needed, made to stop at once on a warm shutdown.

Celery's worker loop for a polling transport waits up to 2 s in ``drain_events`` and, once a
shutdown is asked for, once more (``synloop`` drains in a ``finally``): Ctrl-C on `make run` took
seconds. This transport stops waiting as soon as the worker is to stop (within one polling
interval) and takes no new message from then on; messages already taken are finished as before.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic, sleep

from celery.worker import state as worker_state
from kombu.transport import filesystem


def _stopping() -> bool:
    return worker_state.should_stop is not None or worker_state.should_terminate is not None


class Transport(filesystem.Transport):
    """kombu's filesystem transport; ``drain_events`` gives up as soon as the worker stops
    (``TimeoutError`` is ``socket.timeout``, which the worker's loop expects)."""

    def drain_events(self, connection, timeout=None):
        started = monotonic()
        while True:
            if _stopping():
                raise TimeoutError()
            try:
                self.cycle.get(self._deliver, timeout=timeout)
            except Empty:
                if timeout is not None and monotonic() - started >= timeout:
                    raise TimeoutError() from None
                interval = self.polling_interval or 0
                sleep(min(interval, timeout) if timeout else interval)
            else:
                return
