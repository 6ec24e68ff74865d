"""和暦 (Japanese era) formatting.

The era table is data: a future 改元 is one more row. Dates are stored as 西暦 everywhere; this
module only formats them for people and for the city's forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Era:
    name: str
    start: date  # first day of the era
    initial: str  # as in R7.11.25


# Newest first. 明治 counts from the 改元 of 1868-10-23 (dates are Gregorian throughout).
ERAS: tuple[Era, ...] = (
    Era("令和", date(2019, 5, 1), "R"),
    Era("平成", date(1989, 1, 8), "H"),
    Era("昭和", date(1926, 12, 25), "S"),
    Era("大正", date(1912, 7, 30), "T"),
    Era("明治", date(1868, 10, 23), "M"),
)


def era_of(d: date) -> tuple[Era, int]:
    """The era of ``d`` and the year within it (1 = 元年)."""
    for era in ERAS:
        if d >= era.start:
            return era, d.year - era.start.year + 1
    raise ValueError(f"{d.isoformat()} is before 明治 and has no supported era.")


def format_wareki_year(d: date) -> str:
    era, year = era_of(d)
    return f"{era.name}{'元' if year == 1 else year}年"


def format_wareki(d: date) -> str:
    """``date(2025, 11, 25)`` → 「令和7年11月25日」; the first year of an era is 「元年」."""
    return f"{format_wareki_year(d)}{d.month}月{d.day}日"


def fiscal_year(d: date) -> int:
    """The 年度 (April to March) that ``d`` falls in, as a Western year: 2026-03-31 → 2025."""
    return d.year if d.month >= 4 else d.year - 1


def format_fiscal_year(year: int) -> str:
    """2025 → 「令和7年度」; 2019 → 「令和元年度」 (an era begun during the year names it)."""
    era, y = era_of(date(year, 12, 31))
    return f"{era.name}{'元' if y == 1 else y}年度"


_WAREKI_DATE = re.compile(
    r"(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\.?\s*(?P<year>元|\d{1,2})\s*[年.]\s*"
    r"(?P<month>\d{1,2})\s*[月.]\s*(?P<day>\d{1,2})\s*日?"
)
_WESTERN_DATE = re.compile(
    r"(?P<year>\d{4})\s*[年/.-]\s*(?P<month>\d{1,2})\s*[月/.-]\s*(?P<day>\d{1,2})"
)


def parse_wareki(text: str) -> date | None:
    """The first date in ``text``: 「令和7年9月4日」「令和元年5月1日」「R7.9.4」「2025/9/4」.

    Input is NFKC-normalised first (full-width digits). None when there is no valid date.
    """
    text = unicodedata.normalize("NFKC", text or "")
    match = _WAREKI_DATE.search(text)
    if match:
        name = match["era"]
        era = next((e for e in ERAS if name in (e.name, e.initial)), None)
        year = 1 if match["year"] == "元" else int(match["year"])
        try:
            return date(era.start.year + year - 1, int(match["month"]), int(match["day"]))
        except ValueError:
            return None
    match = _WESTERN_DATE.search(text)
    if match:
        try:
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            return None
    return None
