"""議決 without a 予定価格 (issue 25 item 4): for 工事 from CONTRACT_PLANNED_PRICE_REQUIRED_FROM
the 予定価格 must be registered before a contract is sent — an award of 1億4千万円 on a 予定価格
of 1億5千5百万円 is a 議決案件 that the 契約金額 alone would let through."""

import pytest

from contracts import selectors
from contracts.models import Contract

MESSAGE = (
    "予定価格が登録されていません。契約金額が100,000,000円以上の工事は、"
    "議決案件かどうかを予定価格で判定するため、案件に予定価格を登録してから送信してください。"
)


def sendable(contract) -> bool:
    return selectors.ready_to_send(Contract.objects.filter(pk=contract.pk)).exists()


@pytest.mark.django_db
def test_the_issue_case_is_not_sent_without_its_planned_price(ready_contract):
    case = ready_contract.case
    assert case.planned_price is None
    ready_contract.amount = 140_000_000
    ready_contract.save()
    assert selectors.gate_problems(ready_contract) == [MESSAGE]
    assert not sendable(ready_contract)
    case.planned_price = 155_000_000  # registered: a 議決案件
    case.save()
    ready_contract.refresh_from_db()
    assert selectors.gate_problems(ready_contract) == [
        "予定価格が150,000,000円以上の議決案件（建設工事）のため、電子契約の対象外です。"
    ]


@pytest.mark.django_db
def test_boundary_of_the_required_amount(ready_contract):
    ready_contract.amount = 99_999_999
    ready_contract.save()
    assert selectors.gate_problems(ready_contract) == []
    assert sendable(ready_contract)
    ready_contract.amount = 100_000_000
    ready_contract.save()
    assert selectors.gate_problems(ready_contract) == [MESSAGE]
    assert not sendable(ready_contract)
    ready_contract.case.planned_price = 120_000_000
    ready_contract.case.save()
    ready_contract.refresh_from_db()
    assert selectors.gate_problems(ready_contract) == []
    assert sendable(ready_contract)


@pytest.mark.django_db
def test_the_amount_is_a_setting_and_only_for_works(ready_contract, settings):
    settings.CONTRACT_PLANNED_PRICE_REQUIRED = {"construction": 50_000_000}
    ready_contract.amount = 50_000_000
    ready_contract.save()
    assert selectors.gate_problems(ready_contract)[0].startswith(
        "予定価格が登録されていません。契約金額が50,000,000円以上の工事は"
    )
    ready_contract.case.category = "construction_service"  # 業務委託: no 議決, nothing required
    ready_contract.case.save()
    ready_contract.refresh_from_db()
    assert selectors.gate_problems(ready_contract) == []
