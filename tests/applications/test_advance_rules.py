"""前払金 eligibility, 保証金額 = 請求額, and the 中間前払金 rules (issue 16)."""

import datetime as dt

import pytest
from django.http import QueryDict

from applications.kinds import BY_CODE
from applications.selectors import midterm_limit
from cases.constants import Category
from tests.applications.helpers import VALID, certify_midterm, filed
from tests.factories import CaseFactory


@pytest.fixture
def works(db, company):
    return CaseFactory(awarded_company=company, amount=50_000_000, category=Category.CONSTRUCTION)


def bind(case, company, **data):
    q = QueryDict(mutable=True)
    for key, value in {**VALID["advance_payment"], **data}.items():
        q[key] = value
    return BY_CODE["advance_payment"].form(data=q, case=case, company=company)


def request(case, company, amount: int, **data):
    return bind(case, company, requested_amount=str(amount), guarantee_amount=str(amount), **data)


@pytest.mark.django_db
def test_the_cases_advance_flag_is_respected(works, company):
    """Issue 16 「前払金 eligibility: the case's 前払金 flag is respected」."""
    works.advance_payment = False
    form = request(works, company, 20_000_000)
    assert form.errors["requested_amount"] == [
        "この案件は前払金の対象ではありません（案件の設定が「前払金なし」です）。"
    ]


@pytest.mark.django_db
def test_minimum_contract_amount(works, company, settings):
    """city policy — setting ADVANCE_MIN_AMOUNT (default 1,000,000円; docs/domain.md §4.2-6:
    local 規則 set ¥1M, ¥2M or ¥3M)."""
    settings.ADVANCE_MIN_AMOUNT = 1_000_000
    works.amount = 999_999
    form = request(works, company, 390_000)
    assert form.errors["requested_amount"] == [
        "請負金額が1,000,000円未満のため、前払金の対象ではありません。"
    ]
    works.amount = 1_000_000
    assert request(works, company, 400_000).is_valid()


@pytest.mark.django_db
def test_minimum_works_period(works, company, settings):
    """city policy — setting ADVANCE_MIN_PERIOD_DAYS (default 0 = none; docs/domain.md §4.2-6:
    「sometimes with a 60-day minimum 工期」). Both the first and the last day count."""
    settings.ADVANCE_MIN_PERIOD_DAYS = 60
    works.period_start = dt.date(2025, 11, 10)
    works.period_end = dt.date(2026, 1, 7)  # 59 days
    works.save()
    form = request(works, company, 20_000_000, guarantee_until="2026-03-31")
    assert form.errors["requested_amount"] == ["工期が60日未満のため、前払金の対象ではありません。"]
    works.period_end = dt.date(2026, 1, 8)  # 60 days
    assert request(works, company, 20_000_000, guarantee_until="2026-03-31").is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize("guarantee", [19_999_999, 20_000_001, 21_000_000])
def test_guarantee_amount_equals_the_request(works, company, guarantee):
    """docs/domain.md §1.6 「保証金額 = 前払金請求額 for 前払金保証」; the staff check already
    demanded it (surety.services.checks) — the form now does too."""
    form = bind(works, company, requested_amount="20000000", guarantee_amount=str(guarantee))
    assert (
        "保証金額は請求額（20,000,000円）と同じ額にしてください"
        in form.errors["guarantee_amount"][0]
    )
    assert request(works, company, 20_000_000).is_valid()


@pytest.mark.django_db
def test_midterm_only_after_choosing_it(works, company, contractor):
    """docs/domain.md §4.2-7/8: 中間前金払 and 部分払 are exclusive; the 中間前払金 is claimed only
    when ④ chose 中間前金払."""
    form = request(works, company, 10_000_000, payment_type="midterm")
    assert "中間前金払を選んでいないため" in form.errors["payment_type"][0]
    filed(works, contractor, "midterm_choice", data={"choice": "partial", "pledge": "on"})
    form = request(works, company, 10_000_000, payment_type="midterm")
    assert "中間前金払を選んでいないため" in form.errors["payment_type"][0]


@pytest.mark.django_db
def test_midterm_at_most_two_tenths(works, company, contractor, section_staff):
    """docs/domain.md §4.2-7 (S-P1 佐野市, S-P2, S-P3): 中間前払金 ≤ 2割 of the 請負金額 (after the
    前払金 and the 認定, issue 25)."""
    filed(works, contractor, "advance_payment")  # 20,000,000円 前払金
    filed(works, contractor, "midterm_choice", data={"choice": "midterm", "pledge": "on"})
    certify_midterm(works, contractor, section_staff)
    assert request(works, company, 10_000_000, payment_type="midterm").is_valid()
    form = request(works, company, 10_010_000, payment_type="midterm")
    assert "2割以内" in form.errors["requested_amount"][0]
    assert "10,000,000円以下" in form.errors["requested_amount"][0]


@pytest.mark.django_db
def test_advance_and_midterm_together_at_most_six_tenths(works, company, contractor, section_staff):
    """docs/domain.md §4.2-7: 前払金 + 中間前払金 ≤ 6割. With 20,000,000円 of 前払金 on what is now
    a 45,000,000円 contract (reduced by a 変更契約), 6割 leaves 7,000,000円 (2割 would be 9M)."""
    filed(works, contractor, "advance_payment")  # 20,000,000円 前払金
    filed(works, contractor, "midterm_choice", data={"choice": "midterm", "pledge": "on"})
    certify_midterm(works, contractor, section_staff)
    works.amount = 45_000_000
    works.save()
    assert midterm_limit(works) == 7_000_000
    assert request(works, company, 7_000_000, payment_type="midterm").is_valid()
    form = request(works, company, 7_010_000, payment_type="midterm")
    assert "前払金（20,000,000円）との合計で6割以内" in form.errors["requested_amount"][0]


@pytest.mark.django_db
def test_midterm_guarantee_equals_the_request(works, company, contractor):
    """Issue 16: the 中間前払金's 保証金額 = the amount requested."""
    filed(works, contractor, "midterm_choice", data={"choice": "midterm", "pledge": "on"})
    form = bind(
        works,
        company,
        payment_type="midterm",
        requested_amount="5000000",
        guarantee_amount="5500000",
    )
    assert "保証金額は請求額（5,000,000円）と同じ額" in form.errors["guarantee_amount"][0]
