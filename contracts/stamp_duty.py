"""印紙税 that a paper contract would have cost: 第2号文書 (請負に関する契約書).

Tables are data with the dates they apply; the reduced rates for 建設工事 (租税特別措置法第91条)
apply to contracts made 2014-04-01 to 2027-03-31 with a stated amount over 1,000,000円. Sources:
``docs/domain.md`` §3.3 (NTA tables, タックスアンサー 7123/7108).
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


# The tax follows the nature of the contract (印紙税法 別表第一 第2号: 請負に関する契約書), not
# its 契約区分: a 業務委託 that is 請負 (清掃, 警備, 保守 — a result is promised) is a 第2号文書;
# 工事監理 is 準委任 and a sale of goods is 売買: neither is a 第2号文書 (docs/domain.md §3.3-5).
# Each contract may set its nature; otherwise its 契約区分 gives the default below.
WORK = "work"  # 請負
MANDATE = "mandate"  # 委任・準委任
SALE = "sale"  # 物品売買
NATURES = [(WORK, "請負"), (MANDATE, "委任・準委任"), (SALE, "物品売買")]
DEFAULT_NATURE = {
    "construction": WORK,  # 建設工事
    "small_works": WORK,  # 小額工事
    "construction_service": WORK,  # 設計・測量等: 請負
    "printing": WORK,  # 外注印刷: 製作物供給の請負
    "goods": SALE,  # 物品購入
    "service": MANDATE,  # 業務委託: 委任・準委任 unless the contract says 請負
}
# 建設工事 (建設業法第2条第1項) get the reduced rates when they are 請負 (租税特別措置法第91条).
CONSTRUCTION_CATEGORIES = {"construction", "small_works"}
# Where the nature depends on the work itself (the title), not the 契約区分.
SERVICE_CATEGORIES = {"service", "construction_service"}


# The default nature from what the work is, read from the contract's (or case's) title: first
# match wins, before the 契約区分's default. Sources: 印紙税法 別表第一 第2号 (請負に関する契約書)
# and NTA タックスアンサー 7100 series (7102 請負の意義; 保守・清掃・警備 with a result promised are
# 請負; 委任 is not taxable), docs/domain.md 「印紙税」. Each row: (words, nature, why).
WORK_NATURES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("工事監理", "監理業務", "監督業務"), MANDATE, "工事監理は準委任（第2号文書に当たらない）"),
    (
        ("清掃", "警備", "保守", "点検", "除草", "剪定", "植栽管理", "修繕", "補修", "運搬"),
        WORK,
        "清掃・警備・保守点検等は仕事の完成を約する請負（第2号文書）",
    ),
    (("設計", "測量", "地質調査"), WORK, "設計・測量は請負（第2号文書・建設工事ではないため本則）"),
)


def default_nature(category: str, title: str = "") -> tuple[str, str]:
    """(nature, why) from what the work is (WORK_NATURES on ``title``, for 業務委託 and
    建設工事関連業務 only), else the 契約区分: a 建設工事 is 請負 and a purchase 売買 whatever the
    title says."""
    for words, nature, why in WORK_NATURES if category in SERVICE_CATEGORIES else ():
        if any(word in (title or "") for word in words):
            return nature, why
    nature = DEFAULT_NATURE.get(category, MANDATE)
    return nature, f"契約区分の既定（{dict(NATURES)[nature]}）"


def _title(contract) -> str:
    case_title = getattr(contract.case, "title", "") or ""
    return f"{getattr(contract, 'title', '') or ''} {case_title}"


def nature_of(contract) -> str:
    """The contract's own nature (請負 / 委任・準委任 / 物品売買), else the default from what the
    work is (default_nature)."""
    return (
        getattr(contract, "stamp_nature", "")
        or default_nature(contract.case.category, _title(contract))[0]
    )


def stamp_basis(contract) -> str:
    """The basis of contract_stamp_duty, to show beside the amount: the nature and why, the
    document number, the table (本則 / 軽減) and the 記載金額."""
    own = getattr(contract, "stamp_nature", "")
    if own:
        nature, why = own, "契約ごとの設定"
    else:
        nature, why = default_nature(contract.case.category, _title(contract))
    label = dict(NATURES)[nature]
    if nature != WORK:
        return f"{label}: 第2号文書に当たらず不課税（{why}）"
    amount = written_amount(contract)
    made_on = contract.contract_date or dt.date.today()
    reduced = (
        contract.case.category in CONSTRUCTION_CATEGORIES
        and amount is not None
        and amount > 1_000_000
        and any(m.start <= made_on <= m.end for m in CONSTRUCTION_MEASURES)
    )
    table = "軽減税率（租税特別措置法第91条）" if reduced else "本則"
    if amount is None:
        written = "記載金額なし（減額の変更契約等）"
    else:
        change = "増加額・" if contract.original_id is not None else ""
        both_state_tax = contract.tax_amount is not None and (
            contract.original_id is None or contract.original.tax_amount is not None
        )
        base = "税抜" if both_state_tax else "税込"
        written = f"記載金額 {amount:,}円（{change}{base}）"
    return f"{label}・第2号文書・{table}・{written}（{why}）"


def written_amount(contract) -> int | None:
    """The 記載金額: tax-exclusive when the tax is stated separately; for a 変更契約 the increase
    over the contract it changes (a decrease has no 記載金額). The increase compares like with
    like: tax-exclusive only when both documents state the tax separately, else both 税込."""

    def excluding_tax(c) -> int:
        return c.amount - (c.tax_amount or 0)

    if contract.original_id is None:
        return excluding_tax(contract)
    original = contract.original
    if contract.tax_amount is not None and original.tax_amount is not None:
        increase = excluding_tax(contract) - excluding_tax(original)
    else:
        increase = contract.amount - original.amount
    return increase if increase > 0 else None


def contract_stamp_duty(contract) -> int:
    """What the paper contract would have cost: one document (the copy the city keeps, which the
    contractor stamps; the contractor's copy, made by the city, is exempt). Only a 請負 is a
    第2号文書; the reduced rates are for 建設工事."""
    if nature_of(contract) != WORK:
        return 0
    made_on = contract.contract_date or dt.date.today()
    return stamp_duty(
        written_amount(contract),
        made_on=made_on,
        is_construction=contract.case.category in CONSTRUCTION_CATEGORIES,
    )
