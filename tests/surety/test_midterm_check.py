"""The staff checks of a 中間前払金保証 (issue 16)."""

import pytest

from applications.services import application_accept
from surety import services
from surety.models import SuretyCertificate
from tests.applications.helpers import VALID, certify_midterm, filed
from tests.factories import CaseFactory


@pytest.mark.django_db
def test_midterm_guarantee_checks(company, contractor, section_staff):
    """docs/domain.md §4.2-7: 中間前払金 ≤ 2割 (and 6割 with the 前払金); its 保証金額 = the amount
    requested in the 中間前払金 請求 (⑤ with 請求の種類 中間前払金)."""
    case = CaseFactory(awarded_company=company, amount=50_000_000, title="市道1号線改良工事")
    advance = filed(case, contractor, "advance_payment")  # 前払金 20,000,000円
    application_accept(application=advance, reviewer=section_staff)  # then the next ⑤ may open
    filed(case, contractor, "midterm_choice", data={"choice": "midterm", "pledge": "on"})
    certify_midterm(case, contractor, section_staff)
    filed(
        case,
        contractor,
        "advance_payment",
        data={
            **VALID["advance_payment"],
            "payment_type": "midterm",
            "requested_amount": "8000000",
            "guarantee_amount": "8000000",
        },
    )
    assert services.requested_advance(case) == 20_000_000  # the 前払金, not the 中間前払金
    certificate = SuretyCertificate.objects.create(
        case=case,
        product="midterm",
        form="electronic",
        guarantee_number="31072-0005C",
        amount=8_000_000,
        expires_on=case.period_end,
        certificate_construction_name=case.title,
        contract_amount=case.amount,
        beneficiary="足利市長",
    )
    results = {c.name: c.passed for c in services.checks(certificate)}
    assert results["保証金額 = 中間前払金の請求額"] is True
    assert results["中間前払金 ≤ 請負金額の2割（前払金との合計6割）"] is True
    certificate.amount = 8_010_000
    results = {c.name: c.passed for c in services.checks(certificate)}
    assert results["保証金額 = 中間前払金の請求額"] is False
