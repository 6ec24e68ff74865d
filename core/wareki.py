"""和暦 (Japanese era) formatting.

The era table is data: a future 改元 is one more row. Dates are stored as 西暦 everywhere; this
module only formats them for people and for the city's forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from core.text import kanji_to_int


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


MEIJI_START = ERAS[-1].start


def format_date(d: date) -> str:
    """Like :func:`format_wareki`, but never fails: a date before 明治 (which only bad stored data
    can hold) is shown in 西暦 with a note, so that no page or PDF breaks on it."""
    if d < MEIJI_START:
        return f"西暦{d.year}年{d.month}月{d.day}日（明治より前の日付）"
    return format_wareki(d)


def fiscal_year(d: date) -> int:
    """The 年度 (April to March) that ``d`` falls in, as a Western year: 2026-03-31 → 2025."""
    return d.year if d.month >= 4 else d.year - 1


def format_fiscal_year(year: int) -> str:
    """2025 → 「令和7年度」; 2019 → 「令和元年度」 (an era begun during the year names it)."""
    era, y = era_of(date(year, 12, 31))
    return f"{era.name}{'元' if y == 1 else y}年度"


_NUMBER = r"(?:\d{1,2}|[〇零一二三四五六七八九十]{1,4})"  # a year in an era, a month, a day
_WAREKI_DATE = re.compile(
    rf"(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\.?\s*(?P<year>元|{_NUMBER})\s*[年./-]\s*"
    rf"(?P<month>{_NUMBER})\s*[月./-]\s*(?P<day>{_NUMBER})\s*日?",
    re.IGNORECASE,
)
_WESTERN_DATE = re.compile(
    rf"(?P<year>\d{{4}}|[〇一二三四五六七八九]{{4}})\s*[年/.-]\s*(?P<month>{_NUMBER})\s*[月/.-]\s*"
    rf"(?P<day>{_NUMBER})\s*日?"
)


def _next_start(era: Era) -> date | None:
    index = ERAS.index(era)
    return ERAS[index - 1].start if index else None


def wareki_date(era_name: str, year: int, month: int, day: int) -> date | None:
    """The date of 「{era}{year}年{month}月{day}日」, or None when it never existed: a day that
    is not in the calendar, a day before the era began (令和元年4月30日, 平成元年1月7日) or after
    the next era began (平成31年5月1日)."""
    era = next(
        (e for e in ERAS if era_name in (e.name, e.initial) or era_name.upper() == e.initial), None
    )
    if era is None or year < 1:
        return None
    try:
        d = date(era.start.year + year - 1, month, day)
    except ValueError:
        return None
    end = _next_start(era)
    if d < era.start or (end is not None and d >= end):
        return None
    return d


# 「令和元年（2019年）5月7日」: the usual municipal style, the 西暦 year in brackets after the
# era's.
_BRACKETED_WESTERN = re.compile(
    rf"(?P<era>明治|大正|昭和|平成|令和)\s*(?P<year>元|{_NUMBER})\s*年\s*"
    r"[(（]\s*(?P<western>\d{4})\s*年?\s*[)）]\s*"
)


def strip_bracketed_western_year(text: str) -> str:
    """「令和元年（2019年）5月7日」 → 「令和元年5月7日」 when the bracketed 西暦 is the era year's;
    when it is not (「令和元年（2020年）」), the brackets are left, so that the date is not read
    (a contradiction is never guessed away). ``text`` is NFKC-normalised already."""

    def drop(match: re.Match) -> str:
        era = next((e for e in ERAS if e.name == match["era"]), None)
        try:
            year = 1 if match["year"] == "元" else kanji_to_int(match["year"])
        except (ValueError, KeyError):
            return match.group(0)
        if era is None or era.start.year + year - 1 != int(match["western"]):
            return match.group(0)
        return f"{match['era']}{match['year']}年"

    return _BRACKETED_WESTERN.sub(drop, text)


# An era's name used after the next era began is read in the year of the change only: documents
# dated 「平成31年5月1日」 on forms printed before the 改元 stay valid (government guidance at the
# 改元 of 2019; docs/domain.md 「和暦」). 平成32年 and later are not read. Data: the eras whose
# name is read so (a future 改元 adds the era it ends; 昭和64年1月8日 is still refused).
ERAS_READ_AFTER_CHANGE = frozenset({"平成"})


def wareki_date_after_change(era_name: str, year: int, month: int, day: int) -> date | None:
    """The date of an old era's 「{era}{year}年{month}月{day}日」 that falls after the next era
    began, in the year of the change (平成31年5月1日 → 2019-05-01); None otherwise."""
    era = next((e for e in ERAS if era_name in (e.name, e.initial)), None)
    end = _next_start(era) if era else None
    if era is None or era.name not in ERAS_READ_AFTER_CHANGE:
        return None
    if end is None or era.start.year + year - 1 != end.year:
        return None
    try:
        d = date(end.year, month, day)
    except ValueError:
        return None
    return d if d >= end else None


def era_change_note(text: str) -> str:
    """The note shown when ``text`` is an old era's date after the 改元 (「平成31年5月1日」 →
    「平成31年5月1日は令和元年5月1日として読みました（改元前の元号の日付も有効です）。」);
    "" else."""
    normalised = strip_bracketed_western_year(unicodedata.normalize("NFKC", text or "").strip())
    match = _WAREKI_DATE.search(normalised)
    if not match:
        return ""
    try:
        year = 1 if match["year"] == "元" else kanji_to_int(match["year"])
        era = match["era"].upper() if len(match["era"]) == 1 else match["era"]
        d = wareki_date_after_change(
            era, year, kanji_to_int(match["month"]), kanji_to_int(match["day"])
        )
    except (ValueError, KeyError):
        return ""
    if d is None:
        return ""
    read = f"{match.group(0).strip()}は{format_wareki(d)}として読みました"
    return f"{read}（改元前の元号の日付も有効です）。"


def parse_wareki(text: str, *, whole: bool = False) -> date | None:
    """The first date in ``text``: 「令和7年9月4日」「令和元年5月1日」「令和七年九月四日」「R7.9.4」
    「R7/9/4」「2025/9/4」「二〇二五年九月四日」.

    Input is NFKC-normalised first (full-width digits). None when there is no date or the date
    never existed (see :func:`wareki_date`). ``whole``: the text must be the date and nothing else
    (for form input).
    """
    text = strip_bracketed_western_year(unicodedata.normalize("NFKC", text or "").strip())
    for pattern in (_WAREKI_DATE, _WESTERN_DATE):
        match = pattern.fullmatch(text) if whole else pattern.search(text)
        if not match:
            continue
        try:
            month, day = kanji_to_int(match["month"]), kanji_to_int(match["day"])
            if pattern is _WAREKI_DATE:
                year = 1 if match["year"] == "元" else kanji_to_int(match["year"])
                return wareki_date(match["era"], year, month, day) or wareki_date_after_change(
                    match["era"].upper() if len(match["era"]) == 1 else match["era"],
                    year,
                    month,
                    day,
                )
            return date(kanji_to_int(match["year"]), month, day)
        except (ValueError, KeyError):
            return None
    return None


def looks_like_date(text: str) -> bool:
    """True when ``text`` is written as a date (和暦 or 西暦), whether or not that day existed:
    a form tells 「令和元年4月30日」 (no such day) apart from text that is not a date at all."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    iso = re.fullmatch(r"\d{1,4}-\d{1,2}-\d{1,2}", text)
    return bool(iso or _WAREKI_DATE.fullmatch(text) or _WESTERN_DATE.fullmatch(text))


def find_dates(text: str) -> list[date]:
    """Every date in ``text``, in order, 和暦 or 西暦 (「令和7年11月10日から令和8年3月19日まで」 →
    two dates). Input is NFKC-normalised first; impossible dates are skipped."""
    text = strip_bracketed_western_year(unicodedata.normalize("NFKC", text or ""))
    found: list[tuple[int, int, date]] = []
    for pattern in (_WAREKI_DATE, _WESTERN_DATE):
        for match in pattern.finditer(text):
            parsed = parse_wareki(match.group(0))
            overlaps = any(s <= match.start() < e for s, e, _ in found)
            if parsed is not None and not overlaps:
                found.append((match.start(), match.end(), parsed))
    return [d for _, _, d in sorted(found)]


def format_wareki_datetime(value: datetime) -> str:
    """An aware datetime in local time: 「令和7年11月25日 14時05分」."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_wareki(local.date())} {local.hour}時{local.minute:02d}分"
