"""変更後の契約保証 (issue 25 item 5): every surety check uses the 請負金額 in force — the latest
concluded 変更契約's — and a 変更契約 that raises the amount is sent only with a 契約保証 for it."""

import datetime as dt

import pytest

from cases.selectors import amount_in_force
from contracts.models import Contract
from surety.models import SuretyCertificate
from surety.services import checks, performance_gate_problems
from tests.factories import CaseFactory

D = dt.date
MADE_ON = D(2025, 11, 1)


@pytest.fixture
def works(db, company, department):
    return CaseFactory(awarded_company=company, department=department, amount=50_000_000)


def contract(case, *, kind="initial", amount, status="concluded", made_on=MADE_ON, original=None):
    return Contract.objects.create(
        case=case,
        kind=kind,
        original=original,
        title=case.title,
        amount=amount,
        contract_date=made_on,
        status=status,
    )


def certificate(case, amount, contract_amount):
    return SuretyCertificate.objects.create(
        case=case,
        product="performance",
        form="electronic",
        guarantee_number=f"31072-{contract_amount // 1_000_000:04d}K",
        auth_key="Q7mD2xKp9LwA",
        status="verified",
        beneficiary="足利市長",
        certificate_construction_name=case.title,
        amount=amount,
        contract_amount=contract_amount,
        expires_on=case.period_end,
    )


def failed(cert, **kwargs) -> list[str]:
    return [c.name for c in checks(cert, **kwargs) if not c.passed]


def test_the_latest_concluded_change_is_in_force(works):
    original = contract(works, amount=50_000_000)
    assert amount_in_force(works) == 50_000_000
    contract(works, kind="change", original=original, amount=55_000_000, made_on=D(2025, 12, 1))
    contract(works, kind="change", original=original, amount=60_000_000, made_on=D(2026, 1, 15))
    contract(  # not concluded: not in force
        works,
        kind="change",
        original=original,
        amount=70_000_000,
        status="draft",
        made_on=D(2026, 2, 1),
    )
    assert amount_in_force(works) == 60_000_000


def test_a_surety_for_the_changed_amount_passes(works):
    """The issue: after a 変更契約 to 60,000,000円, a 契約保証 for 60,000,000円 (保証 6,000,000円)
    failed 「請負金額が案件と一致」 against the original amount."""
    original = contract(works, amount=50_000_000)
    contract(works, kind="change", original=original, amount=60_000_000, made_on=D(2026, 1, 15))
    assert works.amount == 50_000_000  # whatever the case row says
    assert failed(certificate(works, 6_000_000, 60_000_000)) == []
    old = certificate(works, 5_000_000, 50_000_000)
    assert failed(old) == ["保証金額 ≥ 請負金額×1/10", "請負金額が案件と一致"]


def test_a_raising_change_is_sent_only_with_a_surety_for_it(works):
    original = contract(works, amount=50_000_000)
    change = contract(
        works, kind="change", original=original, amount=60_000_000, status="draft", made_on=None
    )
    old = certificate(works, 5_000_000, 50_000_000)
    assert performance_gate_problems(original) == []
    assert performance_gate_problems(change) == [
        "契約保証の保証証書が確認済になっていません（電子保証は確認済、紙は原本の受領日が必要）。"
    ]
    assert failed(old, amount_due=60_000_000) == [
        "保証金額 ≥ 請負金額×1/10",
        "請負金額が案件と一致",
    ]
    certificate(works, 6_000_000, 60_000_000)
    assert performance_gate_problems(change) == []


def test_a_lowering_change_keeps_the_surety_in_force(works):
    original = contract(works, amount=50_000_000)
    change = contract(
        works, kind="change", original=original, amount=45_000_000, status="draft", made_on=None
    )
    certificate(works, 5_000_000, 50_000_000)
    assert performance_gate_problems(change) == []
