"""議決 on the 予定価格 per 契約区分, and the 10-year term from the 契約日 (issue 16)."""

import datetime as dt

import pytest

from contracts import selectors
from contracts.eligibility import council_threshold


def refused(contract) -> list[str]:
    return selectors.gate_problems(contract)


@pytest.mark.django_db
def test_works_threshold_is_on_the_planned_price(ready_contract):
    """地方自治法施行令 別表第3 (市: 工事又は製造の請負, 予定価格 1億5千万円以上); city policy —
    setting CONTRACT_COUNCIL_THRESHOLD. The contract amount under the threshold does not help
    when the 予定価格 is at it."""
    case = ready_contract.case
    ready_contract.amount = 140_000_000
    ready_contract.save()
    case.planned_price = 149_999_999
    case.save()
    assert refused(ready_contract) == []
    case.planned_price = 150_000_000
    case.save()
    ready_contract.refresh_from_db()
    assert refused(ready_contract) == [
        "予定価格が150,000,000円以上の議決案件（建設工事）のため、電子契約の対象外です。"
    ]


@pytest.mark.django_db
def test_goods_threshold(ready_contract):
    """地方自治法施行令 別表第4 (市: 財産の取得 2千万円以上); city policy — setting
    CONTRACT_COUNCIL_THRESHOLD_GOODS."""
    case = ready_contract.case
    case.category = "goods"
    case.planned_price = 19_999_999
    case.save()
    ready_contract.amount = 19_000_000
    ready_contract.save()
    assert refused(ready_contract) == []
    case.planned_price = 20_000_000
    case.save()
    ready_contract.refresh_from_db()
    assert refused(ready_contract) == [
        "予定価格が20,000,000円以上の議決案件（物品購入）のため、電子契約の対象外です。"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["service", "construction_service"])
def test_services_have_no_threshold(ready_contract, category):
    """業務委託 is neither 工事又は製造の請負 nor 財産の取得: no 議決 (別表第3・第4)."""
    case = ready_contract.case
    case.category = category
    case.planned_price = 900_000_000
    case.save()
    ready_contract.amount = 800_000_000
    ready_contract.save()
    assert council_threshold(category) is None
    assert refused(ready_contract) == []


@pytest.mark.django_db
def test_thresholds_are_settings(ready_contract, settings):
    """city policy — setting CONTRACT_COUNCIL_THRESHOLDS (built from the env variables)."""
    settings.CONTRACT_COUNCIL_THRESHOLDS = {"construction": 100_000_000}
    case = ready_contract.case
    case.planned_price = 100_000_000
    case.save()
    ready_contract.refresh_from_db()
    assert "予定価格が100,000,000円以上" in refused(ready_contract)[0]


@pytest.mark.django_db
def test_term_runs_from_the_contract_date(ready_contract):
    """docs/domain.md §2.3 (柏市: 「契約日から工期の末日までの期間が10年を超える案件」); city policy
    — setting CONTRACT_MAX_TERM_YEARS. Ten years from the 契約日 exactly is allowed; a day more
    is not, even though it is within ten years of the start of the 工期."""
    ready_contract.contract_date = dt.date(2025, 3, 1)
    ready_contract.period_start = dt.date(2025, 4, 1)
    ready_contract.period_end = dt.date(2035, 3, 1)
    ready_contract.save()
    assert refused(ready_contract) == []
    ready_contract.period_end = dt.date(2035, 3, 2)
    ready_contract.save()
    assert refused(ready_contract) == [
        "契約期間が10年を超えるため、電子契約の対象外です（契約日から工期の終期まで）。"
    ]
