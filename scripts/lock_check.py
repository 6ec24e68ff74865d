"""Compares the installed distributions with requirements.lock.

Prints every difference and exits 1 when one is found; with --remove-extras it first uninstalls
distributions the lock does not name (left from an older lock). pip itself is the venv's own.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
BOOTSTRAP = {"pip", "setuptools", "wheel"}


def locked(lock: Path) -> dict[str, str]:
    """The distributions the lock pins for this interpreter (markers evaluated)."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if not match:
            continue
        name, version, marker = match.groups()
        if marker and not Marker(marker).evaluate():
            continue
        pins[canonicalize_name(name)] = version
    return pins


def installed() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }


def differences(lock: Path) -> tuple[list[str], list[str]]:
    """(problems, extras): pins missing or at another version, and unlocked distributions."""
    pins, have = locked(lock), installed()
    problems = [
        f"{name}: locked {version}, installed {have.get(name, 'nothing')}"
        for name, version in sorted(pins.items())
        if have.get(name) != version
    ]
    extras = sorted(set(have) - set(pins) - BOOTSTRAP)
    return problems, extras


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--remove-extras", action="store_true")
    args = parser.parse_args()
    problems, extras = differences(args.lock)
    if extras and args.remove_extras:
        subprocess.run(  # noqa: S603 - a fixed command on names read from this venv
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", *extras], check=True
        )
        problems, extras = differences(args.lock)
    for problem in problems:
        print(f"lock: {problem}", file=sys.stderr)
    for extra in extras:
        print(f"lock: {extra} is installed but not in the lock", file=sys.stderr)
    return 1 if problems or extras else 0


if __name__ == "__main__":
    sys.exit(main())
