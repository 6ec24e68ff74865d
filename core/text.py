"""Input normalisation: what a person types is NFKC-normalised before it is validated."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(value: str | None) -> str:
    """NFKC (full-width digits, letters and spaces to their plain forms), trimmed, spaces folded."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def normalize_compact(value: str | None) -> str:
    """As :func:`normalize`, with every space removed (for numbers and comparisons)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value or "")))


def format_yen(amount: int | None) -> str:
    """50000000 → 「50,000,000円」; None → 「—」."""
    if amount is None:
        return "—"
    return f"{int(amount):,}円"
