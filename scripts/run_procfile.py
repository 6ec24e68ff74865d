"""`make run`'s process runner: honcho's manager over the Procfile, stopped cleanly by Ctrl-C.

Differences from ``honcho start``:

- Ctrl-C (or SIGTERM) is how a person ends `make run`: when every process then stops by itself
  the exit status is 0, not 130 (so make prints no 「make: *** … Error 130」);
- the processes get 10 s (honcho: 5) after SIGTERM before SIGKILL;
- in a terminal, Ctrl-C reaches this runner only, not the ``make`` that started it (the runner
  takes the terminal's foreground for its own process group and gives it back on exit); GNU make
  would otherwise end itself by SIGINT whatever the runner returns.

The Procfile's commands ``exec`` their program, so honcho's SIGTERM reaches the program itself.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from honcho import manager as honcho_manager
from honcho.environ import expand_processes, parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

KILL_WAIT_SECONDS = 10
STOP_SIGNALS = {honcho_manager.SIGNALS[s]["rc"] for s in (signal.SIGINT, signal.SIGTERM)}


@contextlib.contextmanager
def own_terminal_group() -> Iterator[None]:
    """In a terminal, run in a process group of our own that holds the terminal's foreground, so
    that Ctrl-C's SIGINT reaches this runner (and its helpers) but not the ``make`` above it."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no controlling terminal (CI, a test): nothing to do
        yield
        return
    try:
        previous = os.tcgetpgrp(tty)
    except OSError:
        os.close(tty)
        yield
        return
    if previous != os.getpgrp() or os.getpgrp() == os.getpid():
        # In the background, or already the job's leader (started from a shell): as it is.
        os.close(tty)
        yield
        return
    old_ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # we write to tcsetpgrp from bg
    try:
        os.setpgid(0, 0)
        os.tcsetpgrp(tty, os.getpgrp())
        # Ctrl-Z would stop this group while make, which the shell waits for, runs on.
        signal.signal(signal.SIGTSTP, signal.SIG_IGN)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(tty, previous)
        signal.signal(signal.SIGTTOU, old_ttou)
        os.close(tty)


def run(procfile: Path) -> int:
    processes = parse_procfile(procfile.read_text()).processes
    honcho_manager.KILL_WAIT = KILL_WAIT_SECONDS
    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty()))
    for process in expand_processes(processes, env={}):
        manager.add_process(process.name, process.cmd, quiet=process.quiet, env=os.environ.copy())
    manager.loop()
    returncode = manager.returncode
    stopped = [p.get("returncode") for p in manager._processes.values()]
    # Stopped by Ctrl-C/SIGTERM and every process ended by itself (no SIGKILL): a clean stop.
    if returncode in STOP_SIGNALS and all(rc in (0, -signal.SIGTERM) for rc in stopped):
        return 0
    return returncode or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--procfile", type=Path, default=Path("Procfile"))
    args = parser.parse_args(argv)
    with own_terminal_group():
        return run(args.procfile)


if __name__ == "__main__":
    sys.exit(main())
