"""印紙税 by the work's nature (issue 25 item 3): the default nature from what the work is (a
small cited table), the per-contract override kept, the basis shown beside the amount, and the
変更契約 base."""

import datetime as dt

import pytest

from contracts.stamp_duty import contract_stamp_duty, default_nature, stamp_basis, written_amount

IN = dt.date(2025, 11, 25)


class _Case:
    def __init__(self, category, title=""):
        self.category, self.title = category, title


class _Contract:
    def __init__(self, amount, *, tax=None, category="service", title="", nature="", original=None):
        self.amount, self.tax_amount = amount, tax
        self.case = _Case(category, title)
        self.title = title
        self.stamp_nature = nature
        self.original = original
        self.original_id = 1 if original else None
        self.contract_date = IN


def test_a_single_cleaning_contract_is_work():
    """Issue 25: 清掃 (業務委託) is 請負, 第2号文書: 2,200,000円 税込 with 200,000円 tax → 記載金額
    2,000,000円 → 400円 (本則; not 建設工事)."""
    c = _Contract(2_200_000, tax=200_000, title="市役所本庁舎清掃業務委託")
    assert contract_stamp_duty(c) == 400
    assert stamp_basis(c) == (
        "請負・第2号文書・本則・記載金額 2,000,000円（税抜）"
        "（清掃・警備・保守点検等は仕事の完成を約する請負（第2号文書））"
    )


@pytest.mark.parametrize(
    ("category", "title", "nature"),
    [
        ("construction_service", "市民会館改修工事監理業務委託", "mandate"),  # 準委任
        ("construction_service", "橋梁点検業務委託", "work"),
        ("construction_service", "市道測量業務委託", "work"),
        ("service", "庁舎警備業務委託", "work"),
        ("service", "エレベーター保守点検業務委託", "work"),
        ("service", "窓口業務委託", "mandate"),  # nothing in the table: 契約区分's default
        ("construction", "道路補修工事", "work"),  # 建設工事: 請負 whatever the title
        ("goods", "清掃用具購入", "sale"),
    ],
)
def test_default_nature_from_what_the_work_is(category, title, nature):
    assert default_nature(category, title)[0] == nature


def test_supervision_is_not_taxed_and_the_basis_says_why():
    c = _Contract(6_600_000, tax=600_000, category="construction_service", title="工事監理業務委託")
    assert contract_stamp_duty(c) == 0
    assert stamp_basis(c) == (
        "委任・準委任: 第2号文書に当たらず不課税（工事監理は準委任（第2号文書に当たらない））"
    )


def test_the_per_contract_override_wins():
    c = _Contract(2_200_000, tax=200_000, title="庁舎清掃業務委託", nature="mandate")
    assert contract_stamp_duty(c) == 0
    assert "契約ごとの設定" in stamp_basis(c)
    c = _Contract(
        6_600_000, tax=600_000, category="construction_service", title="工事監理", nature="work"
    )
    assert contract_stamp_duty(c) == 10_000


def test_construction_basis_names_the_reduced_rate():
    c = _Contract(11_000_000, tax=1_000_000, category="construction", title="市道改良工事")
    assert contract_stamp_duty(c) == 5_000
    assert stamp_basis(c).startswith(
        "請負・第2号文書・軽減税率（租税特別措置法第91条）・記載金額 10,000,000円（税抜）"
    )


@pytest.mark.parametrize(
    ("original_tax", "change_tax", "amount", "base"),
    [
        (None, 2_600_000, 6_600_000, "税込"),  # original stated no tax: 税込 both
        (2_000_000, None, 6_600_000, "税込"),
        (2_000_000, 2_600_000, 6_000_000, "税抜"),  # both stated: 税抜 both
    ],
)
def test_change_contract_base(original_tax, change_tax, amount, base):
    """NTA タックスアンサー 7123: an increase is the 記載金額, compared like with like."""
    original = _Contract(22_000_000, tax=original_tax, category="construction")
    change = _Contract(28_600_000, tax=change_tax, category="construction", original=original)
    assert written_amount(change) == amount
    assert f"記載金額 {amount:,}円（増加額・{base}）" in stamp_basis(change)


def test_a_decrease_has_no_written_amount():
    original = _Contract(22_000_000, tax=2_000_000, category="construction")
    change = _Contract(20_900_000, tax=1_900_000, category="construction", original=original)
    assert contract_stamp_duty(change) == 200
    assert "記載金額なし" in stamp_basis(change)
