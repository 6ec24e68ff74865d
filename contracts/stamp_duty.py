"""印紙税 that a paper contract would have cost: 第2号文書 (請負に関する契約書).

Tables are data with the dates they apply; the reduced rates for 建設工事 (租税特別措置法第91条)
apply to contracts made 2014-04-01 to 2027-03-31 with a stated amount over 1,000,000円. Sources:
``../shared/domain-notes.md`` §3 (NTA tables, タックスアンサー 7123/7108).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (upper bound inclusive, duty); the last row has no bound.
STANDARD = (
    (9_999, 0),  # under 10,000円: 非課税
    (1_000_000, 200),
    (2_000_000, 400),
    (3_000_000, 1_000),
    (5_000_000, 2_000),
    (10_000_000, 10_000),
    (50_000_000, 20_000),
    (100_000_000, 60_000),
    (500_000_000, 100_000),
    (1_000_000_000, 200_000),
    (5_000_000_000, 400_000),
    (None, 600_000),
)
REDUCED_CONSTRUCTION = (
    (9_999, 0),
    (1_000_000, 200),  # up to 1,000,000円 the measure does not apply: 本則 200円
    (2_000_000, 200),
    (3_000_000, 500),
    (5_000_000, 1_000),
    (10_000_000, 5_000),
    (50_000_000, 10_000),
    (100_000_000, 30_000),
    (500_000_000, 60_000),
    (1_000_000_000, 160_000),
    (5_000_000_000, 320_000),
    (None, 480_000),
)
NO_AMOUNT = 200  # 記載金額のないもの


@dataclass(frozen=True)
class Measure:
    start: dt.date
    end: dt.date
    table: tuple


# 建設工事の請負に関する契約書の軽減措置: extended in steps; a new extension is one more row.
CONSTRUCTION_MEASURES = (Measure(dt.date(2014, 4, 1), dt.date(2027, 3, 31), REDUCED_CONSTRUCTION),)


def _lookup(table, amount: int) -> int:
    for bound, duty in table:
        if bound is None or amount <= bound:
            return duty
    raise AssertionError("unreachable")


def stamp_duty(amount: int | None, *, made_on: dt.date, is_construction: bool) -> int:
    """The duty in yen on one 第2号文書 stating ``amount`` (None: no amount stated)."""
    if amount is None:
        return NO_AMOUNT
    if amount < 0:
        raise ValueError("amount must not be negative")
    if is_construction and amount > 1_000_000:
        for measure in CONSTRUCTION_MEASURES:
            if measure.start <= made_on <= measure.end:
                return _lookup(measure.table, amount)
    return _lookup(STANDARD, amount)


# How each 契約区分 is taxed: 建設工事 (reduced), other 請負 (本則), or not a 第2号文書.
CONSTRUCTION = "construction"
OTHER_WORK = "work"
NOT_TAXED = "none"
CATEGORY_TAX = {
    "construction": CONSTRUCTION,  # 建設工事
    "small_works": CONSTRUCTION,  # 小額工事 (建設工事)
    "construction_service": OTHER_WORK,  # 設計・測量等: 請負だが建設工事ではない
    "printing": OTHER_WORK,  # 外注印刷: 製作物供給の請負
    "goods": NOT_TAXED,  # 物品購入: 売買契約書は不課税
    "service": NOT_TAXED,  # 業務委託: 委任・準委任として扱う (0円)
}


def written_amount(contract) -> int | None:
    """The 記載金額: tax-exclusive when the tax is stated separately; for a 変更契約 the increase
    over the contract it changes (a decrease has no 記載金額)."""

    def excluding_tax(c) -> int:
        return c.amount - (c.tax_amount or 0)

    if contract.original_id is None:
        return excluding_tax(contract)
    increase = excluding_tax(contract) - excluding_tax(contract.original)
    return increase if increase > 0 else None


def contract_stamp_duty(contract) -> int:
    """What the paper contract would have cost: one document (the copy the city keeps, which the
    contractor stamps; the contractor's copy, made by the city, is exempt)."""
    kind = CATEGORY_TAX.get(contract.case.category, NOT_TAXED)
    if kind == NOT_TAXED:
        return 0
    made_on = contract.contract_date or dt.date.today()
    return stamp_duty(
        written_amount(contract), made_on=made_on, is_construction=kind == CONSTRUCTION
    )
