"""`--smoke`: every bench runs in seconds on tiny data, so CI notices when one stops working.

The figures a smoke run prints mean nothing; the README's figures come from full runs.
"""

import sys


def smoke_mode() -> bool:
    """True when `--smoke` was given (it is taken out of sys.argv, so positional arguments stay)."""
    if "--smoke" in sys.argv:
        sys.argv.remove("--smoke")
        return True
    return False
