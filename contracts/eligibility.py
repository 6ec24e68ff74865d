"""Which contracts may be made electronically: the 議決 threshold and the 10-year term.

Kept apart from the sending service so that the rules (and their settings, README 「前提と設定」)
are in one small place:

- 議決案件 (地方自治法第96条第1項第5号・第8号, 施行令第121条の2 別表第3・第4; docs/domain.md §4.1):
  a contract that needs the council's vote is made as a 仮契約 on paper, so it is not sent for
  e-signature. The threshold is on the case's **予定価格** and depends on the kind of contract:
  工事又は製造の請負 1億5千万円, 財産の取得 (物品) 2千万円 for a 市; 業務委託 has none. When the
  予定価格 is not registered, the contract amount stands in for it: the winning price is within
  the 予定価格 (地方自治法第234条第3項), so an amount at or over the threshold means a 予定価格
  at or over it too. Below the threshold the amount says nothing (an award of 1億4千万円 on a
  予定価格 of 1億5千5百万円), so for 工事 from CONTRACT_PLANNED_PRICE_REQUIRED the 予定価格 must be
  registered before sending.
- Term (docs/domain.md §2.3, e.g. 柏市 「契約日から工期の末日までの期間が10年を超える案件」):
  from the 契約日 to the end of the period; before the 契約日 is known, from the start of the
  period.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def council_threshold(category: str) -> int | None:
    """The 予定価格 from which a case of ``category`` needs the council's vote (None: never)."""
    return settings.CONTRACT_COUNCIL_THRESHOLDS.get(str(category))


def council_problems(contract) -> list[str]:
    case = contract.case
    threshold = council_threshold(case.category)
    if threshold is None:
        return []
    if case.planned_price is not None:
        if case.planned_price >= threshold:
            return [
                f"予定価格が{threshold:,}円以上の議決案件（{case.get_category_display()}）のため、"
                "電子契約の対象外です。"
            ]
        return []
    if contract.amount >= threshold:
        return [f"契約金額が{threshold:,}円以上の議決案件のため、電子契約の対象外です。"]
    required_from = planned_price_required_from(case.category)
    if required_from is not None and contract.amount >= required_from:
        return [
            f"予定価格が登録されていません。契約金額が{required_from:,}円以上の工事は、"
            "議決案件かどうかを予定価格で判定するため、案件に予定価格を登録してから送信してください。"
        ]
    return []


def planned_price_required_from(category: str) -> int | None:
    """The 契約金額 from which a case of ``category`` needs its 予定価格 registered before a
    contract is sent (setting CONTRACT_PLANNED_PRICE_REQUIRED; None: never)."""
    return settings.CONTRACT_PLANNED_PRICE_REQUIRED.get(str(category))


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def term_problems(contract) -> list[str]:
    start = contract.contract_date or contract.period_start
    if not (start and contract.period_end):
        return []
    years = settings.CONTRACT_MAX_TERM_YEARS
    if contract.period_end <= add_years(start, years):
        return []
    since = "（契約日から工期の終期まで）" if contract.contract_date else ""
    return [f"契約期間が{years}年を超えるため、電子契約の対象外です{since}。"]
