import datetime as dt

import pytest

from contracts.stamp_duty import contract_stamp_duty, stamp_duty, written_amount

IN = dt.date(2025, 11, 25)
BEFORE = dt.date(2014, 3, 31)
AFTER = dt.date(2027, 4, 1)

STANDARD_BOUNDARIES = [
    (None, 200),
    (0, 0),
    (9_999, 0),
    (10_000, 200),
    (1_000_000, 200),
    (1_000_001, 400),
    (2_000_000, 400),
    (2_000_001, 1_000),
    (3_000_000, 1_000),
    (3_000_001, 2_000),
    (5_000_000, 2_000),
    (5_000_001, 10_000),
    (10_000_000, 10_000),
    (10_000_001, 20_000),
    (50_000_000, 20_000),
    (50_000_001, 60_000),
    (100_000_000, 60_000),
    (100_000_001, 100_000),
    (500_000_000, 100_000),
    (500_000_001, 200_000),
    (1_000_000_000, 200_000),
    (1_000_000_001, 400_000),
    (5_000_000_000, 400_000),
    (5_000_000_001, 600_000),
]
REDUCED_BOUNDARIES = [
    (None, 200),
    (9_999, 0),
    (10_000, 200),
    (1_000_000, 200),
    (1_000_001, 200),
    (2_000_000, 200),
    (2_000_001, 500),
    (3_000_000, 500),
    (3_000_001, 1_000),
    (5_000_000, 1_000),
    (5_000_001, 5_000),
    (10_000_000, 5_000),
    (10_000_001, 10_000),
    (50_000_000, 10_000),
    (50_000_001, 30_000),
    (100_000_000, 30_000),
    (100_000_001, 60_000),
    (500_000_000, 60_000),
    (500_000_001, 160_000),
    (1_000_000_000, 160_000),
    (1_000_000_001, 320_000),
    (5_000_000_000, 320_000),
    (5_000_000_001, 480_000),
]


@pytest.mark.parametrize(("amount", "duty"), STANDARD_BOUNDARIES)
def test_standard_table(amount, duty):
    assert stamp_duty(amount, made_on=IN, is_construction=False) == duty
    # 建設工事 outside the measure's dates pays the 本則 too
    assert stamp_duty(amount, made_on=BEFORE, is_construction=True) == duty
    assert stamp_duty(amount, made_on=AFTER, is_construction=True) == duty


@pytest.mark.parametrize(("amount", "duty"), REDUCED_BOUNDARIES)
def test_reduced_table_for_construction(amount, duty):
    assert stamp_duty(amount, made_on=IN, is_construction=True) == duty


@pytest.mark.parametrize("made_on", [dt.date(2014, 4, 1), dt.date(2027, 3, 31)])
def test_measure_dates_are_inclusive(made_on):
    assert stamp_duty(6_000_000, made_on=made_on, is_construction=True) == 5_000


def test_worked_example_change_contract_increase():
    """Notes §3.3: a construction contract raised from 20M to 26M: 記載金額 6M → 5,000円
    reduced (10,000円 本則)."""
    assert stamp_duty(26_000_000 - 20_000_000, made_on=IN, is_construction=True) == 5_000
    assert stamp_duty(26_000_000 - 20_000_000, made_on=IN, is_construction=False) == 10_000


class _Case:
    def __init__(self, category):
        self.category = category


class _Contract:
    def __init__(self, amount, tax=None, category="construction", original=None, made=IN):
        self.amount, self.tax_amount = amount, tax
        self.case = _Case(category)
        self.original = original
        self.original_id = 1 if original else None
        self.contract_date = made


def test_worked_example_tax_stated_separately():
    """The demo contract: 50,000,000円 incl. 4,545,454円 tax → 記載金額 45,454,546円 → 10,000円
    (the tax-inclusive amount would also be 10,000; 55,000,000 incl. tax would not)."""
    contract = _Contract(50_000_000, tax=4_545_454)
    assert written_amount(contract) == 45_454_546
    assert contract_stamp_duty(contract) == 10_000
    assert contract_stamp_duty(_Contract(55_000_000, tax=5_000_000)) == 10_000  # 50M excl.
    assert contract_stamp_duty(_Contract(55_000_000)) == 30_000  # no tax stated: 55M


def test_change_contracts_increase_and_decrease():
    original = _Contract(22_000_000, tax=2_000_000)
    increase = _Contract(28_600_000, tax=2_600_000, original=original)
    assert written_amount(increase) == 6_000_000
    assert contract_stamp_duty(increase) == 5_000
    decrease = _Contract(11_000_000, tax=1_000_000, original=original)
    assert written_amount(decrease) is None and contract_stamp_duty(decrease) == 200


def test_categories():
    assert contract_stamp_duty(_Contract(6_000_000, category="construction_service")) == 10_000
    assert contract_stamp_duty(_Contract(6_000_000, category="small_works")) == 5_000
    assert contract_stamp_duty(_Contract(6_000_000, category="service")) == 0  # 委任
    assert contract_stamp_duty(_Contract(6_000_000, category="goods")) == 0
