"""Issue 23 item 19: Ctrl-C on `make run` stops the web server, the worker and the beat cleanly
within a few seconds — no SIGKILL, no ERROR, no traceback — and make exits 0.

Started as a person does (in a terminal: a pseudo-terminal, Ctrl-C typed as the byte 0x03, so the
kernel sends SIGINT to the terminal's foreground process group). The other way in, from the
background of a script (make ignoring SIGINT, SIGINT sent to the whole process group), is
``.ci/run``'s smoke test of ``make run``, which judges the stop by the same rules."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.deploy.procs import ROOT, base_env, free_port

STARTUP_SECONDS = 180  # migrate on a fresh SQLite database, demo data, then the processes
STOP_SECONDS = 10
# What a clean stop never prints (ERROR as a log level: PORTAL_ERROR_PAGES_IN_DEBUG is fine).
BAD = re.compile(r"SIGKILL|\bERROR\b|Traceback|make: \*\*\*")


class Output:
    """Everything the run printed, read as it comes (a full pipe would block the processes)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = b""

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the terminal closed: everything has exited
                    return
                if not chunk:
                    return
                self.data += chunk

    @property
    def text(self) -> str:
        return self.data.decode(errors="replace")


def run_env(var_dir: Path) -> dict[str, str]:
    # The embedded defaults, as on a fresh clone (SQLite, the filesystem broker), in a VAR_DIR
    # of the test's own.
    env = base_env(VAR_DIR=str(var_dir))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PYTHONPATH", None)
    return env


def started_pids(text: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", text)]


def kill_everything(pid: int, text: str) -> None:
    """After a failure: nothing the run started is left behind (each Procfile process runs in a
    session of its own, honcho's start message names it)."""
    for group in (pid, *started_pids(text)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)


def wait_until_up(output: Output, port: int, alive) -> None:
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert alive(), f"make run ended before it answered:\n{output.text[-4000:]}"
        output.pump(0.5)
        try:
            answered = requests.get(url, timeout=2, allow_redirects=False).status_code < 500
        except requests.RequestException:
            answered = False
        text = output.text
        if answered and "celery@" in text and " ready." in text and "beat: Starting" in text:
            output.pump(1.0)  # let the worker settle into its loop
            return
    raise AssertionError(f"make run did not answer at {url}:\n{output.text[-4000:]}")


def assert_clean_stop(returncode: int | None, seconds: float, text: str) -> None:
    tail = text[-4000:]
    assert returncode is not None, f"make run did not stop within {STOP_SECONDS} s:\n{tail}"
    assert seconds <= STOP_SECONDS, tail
    assert returncode == 0, f"make exited {returncode}:\n{tail}"
    bad = BAD.search(text)
    assert bad is None, f"{bad and bad.group()!r} in the output:\n{tail}"
    assert "SIGINT received" in text
    for name in ("web.1", "worker.1", "beat.1"):
        assert f"{name} stopped" in text, tail


def wait_pid(pid: int, seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_stops_everything_cleanly(tmp_path):
    port = free_port()
    env = run_env(tmp_path / "var")
    pid, fd = pty.fork()
    if pid == 0:  # the child: make in a new session whose controlling terminal is the pty
        try:
            os.chdir(ROOT)
            os.execvpe("make", ["make", "run", f"PORT={port}"], env)  # noqa: S606
        finally:
            os._exit(127)
    output = Output(fd)
    try:
        wait_until_up(output, port, lambda: os.waitpid(pid, os.WNOHANG) == (0, 0))
        os.write(fd, b"\x03")  # Ctrl-C
        started = time.monotonic()
        returncode = None
        while time.monotonic() - started < STOP_SECONDS + 1:
            output.pump(0.2)
            returncode = wait_pid(pid, 0.01)
            if returncode is not None:
                break
        seconds = time.monotonic() - started
        output.pump(0.5)
        assert_clean_stop(returncode, seconds, output.text)
    finally:
        kill_everything(pid, output.text)
        if wait_pid(pid, 0) is None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        os.close(fd)
