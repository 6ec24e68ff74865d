#!/bin/sh
# Creates .venv from requirements.lock with hashes required, using the first Python 3.11+ found.
# Any failure removes the half-made .venv and prints one line that says what to install.
set -eu
VENV=${VENV:-.venv}
LOCK=${LOCK:-requirements.lock}

fail() {
  echo "make: $*" >&2
  exit 1
}

# The Makefile puts .venv/bin first on PATH: look for the Python to build it with elsewhere.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vx "$(pwd)/$VENV/bin" | paste -sd: -)

ok_python() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

if [ -n "${PY:-}" ]; then
  ok_python "$PY" || fail "PY=$PY is not Python 3.11 or newer: install python3 (3.11, 3.12 or 3.13) or set PY."
  python=$PY
else
  python=""
  for candidate in python3 python3.13 python3.12 python3.11; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if ok_python "$path"; then
      python=$path
      break
    fi
  done
  [ -n "$python" ] || fail "Python 3.11 or newer is needed: apt-get install python3 (Debian 12: python3.11)."
fi
version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')

# A .venv without a working pip (an earlier failed attempt, or made elsewhere) is rebuilt.
if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  echo "make: $VENV has no working pip: making it again" >&2
  rm -rf "$VENV"
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 ||
    fail "$python has no venv/pip: apt-get install python$version-venv"
  trap 'rm -rf "$VENV"; echo "make: installing into $VENV failed; nothing is left behind (see the lines above)" >&2' EXIT
  "$python" -m venv "$VENV" >/dev/null 2>&1 ||
    fail "$python could not create $VENV: apt-get install python$version-venv"
else
  trap 'echo "make: installing into $VENV failed (see the lines above)" >&2' EXIT
fi

# Every distribution at the version and hash the lock pins, nothing resolved here.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --require-hashes --no-deps -r "$LOCK"
# Anything installed that the lock does not name (left from an older lock) goes.
"$VENV/bin/python" scripts/lock_check.py --remove-extras
trap - EXIT
