"""印紙税 by the nature of each contract, and 変更契約 compared like with like (issue 16)."""

import datetime as dt

import pytest

from contracts.models import Contract
from contracts.stamp_duty import contract_stamp_duty, nature_of, written_amount

IN = dt.date(2025, 11, 25)


class _Case:
    def __init__(self, category):
        self.category = category


class _Contract:
    def __init__(self, amount, *, tax=None, category="service", nature="", original=None):
        self.amount, self.tax_amount = amount, tax
        self.case = _Case(category)
        self.stamp_nature = nature
        self.original = original
        self.original_id = 1 if original else None
        self.contract_date = IN


@pytest.mark.parametrize(
    ("category", "nature", "duty"),
    [
        ("service", "", 0),  # 業務委託: 委任・準委任 by default
        ("service", "work", 10_000),  # 清掃・警備・保守の請負: 第2号, 本則 (not 建設工事)
        ("construction_service", "", 10_000),  # 設計・測量: 請負, 本則
        ("construction_service", "mandate", 0),  # 工事監理: 準委任
        ("goods", "", 0),  # 物品購入: 売買
        ("goods", "work", 10_000),  # 製作物供給 as 請負
        ("construction", "", 5_000),  # 建設工事: 軽減税率
        ("small_works", "work", 5_000),
    ],
)
def test_the_nature_of_the_contract_decides(category, nature, duty):
    """印紙税法 別表第一 第2号 (請負に関する契約書) taxes a 請負 whatever its 契約区分; 委任・準委任
    and 売買 are not 第2号文書 (docs/domain.md §3.3-5); the reduced rates are for 建設工事 only
    (租税特別措置法第91条, 設計 is not 建設工事: NTA 通達, S-T15). Amount 6,000,000円."""
    assert contract_stamp_duty(_Contract(6_000_000, category=category, nature=nature)) == duty


def test_change_compares_tax_inclusive_when_the_original_did_not_state_the_tax():
    """NTA タックスアンサー 7123 (変更契約書の記載金額 = the increase) with 消費税の区分記載
    (docs/domain.md §3.3-1): the original 22,000,000円 stated no tax, so the change's
    28,600,000円 (税 2,600,000円 stated) is compared 税込 with 税込: increase 6,600,000円 → 5,000円
    (comparing 26,000,000 税抜 with 22,000,000 税込 gave 4,000,000 → 1,000円)."""
    original = _Contract(22_000_000, category="construction")
    change = _Contract(28_600_000, tax=2_600_000, category="construction", original=original)
    assert written_amount(change) == 6_600_000
    assert contract_stamp_duty(change) == 5_000
    # the other way round: original stated the tax, the change did not → 税込 both
    original = _Contract(22_000_000, tax=2_000_000, category="construction")
    change = _Contract(28_600_000, category="construction", original=original)
    assert written_amount(change) == 6_600_000
    # both state it: 税抜 both (unchanged rule)
    change = _Contract(28_600_000, tax=2_600_000, category="construction", original=original)
    assert written_amount(change) == 6_000_000


@pytest.mark.django_db
def test_nature_is_kept_per_contract(case):
    """The nature is a field of each contract (blank: the default from what the work is)."""
    case.category = "service"
    case.save()
    cleaning = Contract.objects.create(
        case=case, title="庁舎清掃業務委託", amount=6_600_000, tax_amount=600_000, contract_date=IN
    )
    # 清掃 is 請負 by what the work is (issue 25: the default from the work, not the 契約区分)
    assert nature_of(cleaning) == "work" and contract_stamp_duty(cleaning) == 10_000
    cleaning.stamp_nature = "mandate"
    cleaning.save()
    cleaning.refresh_from_db()
    assert cleaning.get_stamp_nature_display() == "委任・準委任"
    assert contract_stamp_duty(cleaning) == 0


@pytest.mark.django_db
def test_staff_set_the_nature_before_sending_and_it_is_audited(case, section_staff):
    """Set per contract by staff (管理画面 → 契約 → 契約の性質（印紙税）), through the contract
    service, with before/after in the audit log."""
    from contracts import services
    from core.models import AuditEvent

    contract = services.contract_create(case=case, user=section_staff)
    contract.stamp_nature = "mandate"
    services.contract_update(contract=contract, fields=["stamp_nature"], user=section_staff)
    contract.refresh_from_db()
    assert contract.stamp_nature == "mandate" and contract_stamp_duty(contract) == 0
    event = AuditEvent.objects.filter(action="contract.saved").latest("pk")
    assert "stamp_nature" in str(event.payload["changes"])
