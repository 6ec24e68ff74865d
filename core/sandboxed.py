"""Run untrusted parsing in a child process with a wall-clock and a memory budget.

A hostile 5 KB PDF can keep a parser busy for minutes; a web worker must not wait for it. The
function runs in a forked child (``os.fork``: works in gunicorn and in Celery's daemonic pool
workers alike, where ``multiprocessing`` may not start children); the parent waits at most
``seconds`` and kills it. The child's address space is capped at what it had plus ``memory``
bytes, and its CPU time at ``seconds`` + 1 as a backstop. The function's return value or
exception comes back pickled; an exception that cannot be pickled comes back as its class with
the same attributes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class BudgetExceeded(Exception):
    """The work took longer than its time budget or more than its memory budget."""

    def __init__(self, what: str, limit: float):
        super().__init__(f"{what} budget exceeded ({limit:g})")
        self.what = what
        self.limit = limit


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _peak_of(pid: int) -> int:
    """Peak resident memory of a running process (VmHWM), 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _export(exc: BaseException) -> tuple:
    try:
        payload = pickle.dumps(exc)
        pickle.loads(payload)  # noqa: S301 - some exceptions pickle but cannot be rebuilt
        return ("raise", payload)
    except Exception:
        cls = type(exc)
        state = {k: v for k, v in vars(exc).items() if _picklable(v)}
        return ("rebuild", (cls.__module__, cls.__qualname__, exc.args, state))


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


def _rebuild(module: str, qualname: str, args: tuple, state: dict) -> BaseException:
    import importlib

    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _child(write_fd: int, fn: Callable, args: tuple, kwargs: dict, seconds: float, memory: int):
    status = 0
    try:
        if memory:
            limit = _vm_bytes() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        start_rss = _rss_bytes()
        try:
            outcome: tuple = ("ok", fn(*args, **kwargs))
        except MemoryError:
            outcome = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            outcome = _export(exc)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        payload = pickle.dumps((outcome, max(0, peak - start_rss)))
        view = memoryview(payload)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    except BaseException:  # noqa: BLE001
        status = 70
    finally:
        os._exit(status)


def run_with_budget(
    fn: Callable[..., T],
    *args: Any,
    seconds: float = 5.0,
    memory: int | None = 512 * 1024 * 1024,
    stats: dict | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)`` in a child process; BudgetExceeded when it takes longer than
    ``seconds`` (wall clock) or more than ``memory`` bytes. ``stats``, when given, receives
    ``seconds`` (elapsed) and ``memory`` (the child's peak resident memory above its start)."""
    read_fd, write_fd = os.pipe()
    parent_rss = _rss_bytes()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(write_fd, fn, args, kwargs, seconds, memory or 0)
    os.close(write_fd)
    chunks: list[bytes] = []
    timed_out = False
    try:
        while True:
            left = seconds - (time.monotonic() - started)
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            if stats is not None:
                stats["memory"] = max(0, _peak_of(pid) - parent_rss)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    if stats is not None:
        stats["seconds"] = elapsed
    if timed_out:
        raise BudgetExceeded("time", seconds)
    if not chunks:
        # killed (CPU limit, out of memory) before it could answer
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            raise BudgetExceeded("time", seconds)
        raise BudgetExceeded("memory", memory or 0)
    (kind, value), peak = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's answer
    if stats is not None:
        stats["memory"] = peak
    if kind == "ok":
        return value
    if kind == "memory":
        raise BudgetExceeded("memory", memory or 0)
    if kind == "raise":
        raise pickle.loads(value)  # noqa: S301
    raise _rebuild(*value)
