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


# Every character a PDF or a keyboard puts where an ASCII hyphen is meant: minus sign, the
# Unicode hyphens and dashes, full-width hyphen-minus, box-drawing lines and the 長音 (chōon,
# full and half width), which IMEs and some PDF fonts produce for 「-」 in a number.
DASH_LOOKALIKES = (
    "\u00ad\u02d7\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u2796"
    "\ufe58\ufe63\uff0d\u30fc\uff70"
)
_DASHES = str.maketrans(dict.fromkeys(DASH_LOOKALIKES, "-"))


def fold_dashes(value: str | None) -> str:
    """For identifiers (保証契約番号 …): NFKC, every dash look-alike to 「-」, no spaces.

    Never for names or titles: there the 長音 「ー」 is a letter.
    """
    return normalize_compact(value).translate(_DASHES)
