"""The 前払金・中間前払金・専任 rules as pure functions: values in, values out, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.rules import advance_limit
from core.wareki import format_wareki

__all__ = [
    "ADVANCE_TOTAL_RATIO",
    "DUAL_SITE_RULES",
    "FULL_TIME_RULES",
    "MIDTERM_RATIO",
    "DualSiteRule",
    "FullTimeRule",
    "advance_limit",
    "advance_problems",
    "dual_site_problems",
    "dual_site_rule",
    "full_time_threshold",
    "half_period_passed",
    "midterm_certification_problems",
    "midterm_limit",
]

# --- 専任 (現場代理人及び主任技術者等選任通知書) ---


@dataclass(frozen=True)
class FullTimeRule:
    """建設業法第26条第3項・施行令第27条第1項: 専任 from this 請負代金額 (建築一式: building)."""

    start: dt.date
    amount: int
    building: int


# Newest first; a revision of the 施行令 is one more row (docs/domain.md §4.3).
FULL_TIME_RULES = (
    FullTimeRule(dt.date(2025, 2, 1), 45_000_000, 90_000_000),
    FullTimeRule(dt.date(2023, 1, 1), 40_000_000, 80_000_000),
    FullTimeRule(dt.date(2016, 6, 1), 35_000_000, 70_000_000),
)


def full_time_threshold(made_on: dt.date, *, building: bool) -> int | None:
    """The 請負代金額 from which the engineer must be 専任, for a contract made on ``made_on``."""
    for rule in FULL_TIME_RULES:
        if made_on >= rule.start:
            return rule.building if building else rule.amount
    return None


# --- 前払金 / 中間前払金 ---

# 中間前金払: up to 2割 of the 請負金額, and 前払金 + 中間前払金 up to 6割 (docs/domain.md §4.2-7).
MIDTERM_RATIO = 20
ADVANCE_TOTAL_RATIO = 60


def advance_problems(
    *,
    advance_payment: bool,
    amount: int | None,
    period_start: dt.date | None,
    period_end: dt.date | None,
    min_amount: int,
    min_period_days: int,
) -> list[str]:
    """Why a case has no 前払金 (empty: it has one): the case's own 前払金 flag, and the
    city's minimum 請負金額 and 工期 (settings ADVANCE_MIN_AMOUNT / ADVANCE_MIN_PERIOD_DAYS)."""
    if not advance_payment:
        return ["この案件は前払金の対象ではありません（案件の設定が「前払金なし」です）。"]
    if not amount:
        return ["この案件は前払金の対象ではありません（請負金額が未登録です）。"]
    if amount < min_amount:
        return [f"請負金額が{min_amount:,}円未満のため、前払金の対象ではありません。"]
    days = min_period_days
    if days and period_start and period_end and (period_end - period_start).days + 1 < days:
        return [f"工期が{days}日未満のため、前払金の対象ではありません。"]
    return []


def midterm_limit(amount: int | None, advance_requested: int) -> int | None:
    """The largest 中間前払金: 2割 of the 請負金額 and, with the 前払金 requested, 6割 in all
    (1万円未満切捨)."""
    if not amount:
        return None
    alone = amount * MIDTERM_RATIO // 100
    total = amount * ADVANCE_TOTAL_RATIO // 100 - advance_requested
    return max(min(alone, total), 0) // 10_000 * 10_000


# --- 中間前金払の認定 (地方自治法施行令附則第7条, 同施行規則附則第3条) ---
# docs/domain.md 「中間前金払」


def half_period_passed(period_start: dt.date, period_end: dt.date, on: dt.date) -> bool:
    """施行規則附則第3条第1号 「工期の2分の1を経過」: on ``on``, the days of the 工期 up to and
    including that day are at least half of all its days (start and end included).
    [INFERRED: the counting; confirm with 契約管財課] — 100 days from 4/1: from 5/20 (day 50)."""
    total = (period_end - period_start).days + 1
    elapsed = (on - period_start).days + 1
    return total > 0 and elapsed * 2 >= total


def midterm_certification_problems(
    *,
    amount: int | None,
    period_start: dt.date | None,
    period_end: dt.date | None,
    on: dt.date,
    min_amount: int,
    min_period_days: int,
    midterm_chosen: bool,
    advance_filed: bool,
    schedule_on_track: bool | None,
    cost_incurred: int | None,
) -> list[str]:
    """Why a 中間前金払認定請求 cannot be made (empty: it may be certified).

    The city's own conditions (settings MIDTERM_MIN_AMOUNT / MIDTERM_MIN_PERIOD_DAYS), the
    ④ choice, the 前払金 already requested (「既にした前金払に追加して」, 施行令附則第7条), and
    the three conditions of 施行規則附則第3条: ① half the 工期 passed, ② the work the 工程表
    schedules for that point done, ③ the cost incurred at least half the 請負代金額."""
    out: list[str] = []
    if not midterm_chosen:
        out.append(
            "「中間前金払と部分払の選択に係る届出書」で中間前金払を選んでいないため、"
            "中間前金払の認定は請求できません。"
        )
    if not advance_filed:
        out.append(
            "中間前金払は既にした前金払に追加して行うものです。先に前払金を請求してください"
            "（前金払申請書及び前払金請求書が未提出です）。"
        )
    if not amount:
        out.append("請負金額が未登録のため、中間前金払の対象か判定できません。")
        return out
    if amount < min_amount:
        out.append(f"請負金額が{min_amount:,}円未満のため、中間前金払の対象ではありません。")
    if not (period_start and period_end):
        out.append("工期が未登録のため、工期の2分の1を経過したか判定できません。")
        return out
    days = (period_end - period_start).days + 1
    if min_period_days and days < min_period_days:
        out.append(f"工期が{min_period_days}日未満のため、中間前金払の対象ではありません。")
    if not half_period_passed(period_start, period_end, on):
        half = period_start + dt.timedelta(days=(days + 1) // 2 - 1)
        out.append(f"工期の2分の1を経過していません（{format_wareki(half)}から請求できます）。")
    if schedule_on_track is False:
        out.append("工程表で工期の2分の1までに行うこととされている作業が終わっていません。")
    if cost_incurred is not None and cost_incurred * 2 < amount:
        out.append(
            f"既に行われた工事の価格（{cost_incurred:,}円）が請負代金額の2分の1"
            f"（{-(-amount // 2):,}円）に達していません。"
        )
    return out


# --- 専任の特例: 2現場の兼任 (建設業法 改正 令和6年法律第49号, 2024-12-13 施行) ---


@dataclass(frozen=True)
class DualSiteRule:
    """建設業法第26条第3項ただし書 (令和6年改正): a 主任技術者・監理技術者 who must be 専任 may
    serve two sites under conditions, on contracts under ``amount`` (建築一式: ``building``).
    The amounts and the conditions are [INFERRED] from the issue and the amendment's published
    outline, not from the text of the statute (no access): docs/domain.md 「専任」 lists what the
    city must confirm."""

    start: dt.date
    amount: int
    building: int
    max_sites: int


DUAL_SITE_RULES = (DualSiteRule(dt.date(2024, 12, 13), 100_000_000, 200_000_000, 2),)


def dual_site_rule(made_on: dt.date) -> DualSiteRule | None:
    """The 兼任特例 in force for a contract made on ``made_on`` (None before 2024-12-13)."""
    for rule in DUAL_SITE_RULES:
        if made_on >= rule.start:
            return rule
    return None


def dual_site_problems(made_on: dt.date, amount: int | None, *, building: bool) -> list[str]:
    """Why the 兼任特例 (専任 on two sites) cannot be used on this contract (empty: it can)."""
    rule = dual_site_rule(made_on)
    if rule is None:
        return [
            f"{format_wareki(made_on)}の契約には、専任の技術者が2現場を兼任する特例"
            "（令和6年12月13日施行）は使えません。"
        ]
    limit = rule.building if building else rule.amount
    if amount is not None and amount >= limit:
        return [
            f"請負代金額が{limit:,}円以上（{'建築一式工事' if building else '建築一式工事以外'}）"
            "のため、専任の技術者の兼任特例は使えません（建設業法第26条第3項）。"
        ]
    return []
