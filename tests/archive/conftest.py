import datetime as dt

import pytest
from django.utils import timezone

from contracts.models import Contract, SignedDocument, Signer, SigningRequest
from core.uploads import store_pdf, validate_pdf_bytes
from tests.factories import CaseFactory, CompanyFactory, DepartmentFactory
from tests.pdfs import make_pdf


def archived(
    case,
    *,
    contract_date,
    amount,
    tax=None,
    kind="initial",
    original=None,
    status="concluded",
    title=None,
    sent_days_before=3,
):
    contract = Contract.objects.create(
        case=case,
        kind=kind,
        original=original,
        title=title or case.title,
        amount=amount,
        tax_amount=tax,
        contract_date=contract_date,
        period_start=case.period_start,
        period_end=case.period_end,
        status=status,
    )
    tz = timezone.get_current_timezone()
    concluded_at = dt.datetime.combine(contract_date, dt.time(10), tzinfo=tz)
    request_status = {"concluded": "concluded", "rejected": "rejected", "canceled": "canceled"}.get(
        status, "waiting"
    )
    signing_request = SigningRequest.objects.create(
        contract=contract,
        document_id=f"doc{contract.pk:029d}",
        status=request_status,
        sent_at=concluded_at - dt.timedelta(days=sent_days_before),
        concluded_at=concluded_at if request_status == "concluded" else None,
        closed_at=concluded_at if request_status in ("rejected", "canceled") else None,
        stored_at=concluded_at if request_status == "concluded" else None,
    )
    for order, role in ((1, "contractor"), (2, "city")):
        Signer.objects.create(
            signing_request=signing_request,
            order=order,
            role=role,
            name=role,
            email=f"{role}{contract.pk}@example.jp",
            state="agreed"
            if request_status == "concluded"
            else ("waiting" if order == 1 else "pending"),
        )
    if request_status == "concluded":
        for kind_, name in (("signed", "契約書.pdf"), ("certificate", "合意締結証明書.pdf")):
            pdf = validate_pdf_bytes(make_pdf(text=f"{contract.pk}-{kind_}"), name=name)
            stored = store_pdf(pdf, kind=f"signed-{kind_}", company=case.awarded_company)
            SignedDocument.objects.create(
                signing_request=signing_request,
                kind=kind_,
                remote_file_id="f1" if kind_ == "signed" else "",
                stored_file=stored,
                sha256=stored.sha256,
                size=stored.size,
                page_count=stored.page_count,
                signature_status="valid",
            )
    return contract


@pytest.fixture
def dataset(db, company, department):
    """A known archive: two companies, two departments, construction and design, one change."""
    other_company = CompanyFactory(
        name="渡良瀬設計 株式会社", vendor_number="B-2002", corporate_number="5835678256246"
    )
    other_department = DepartmentFactory(code="kenchiku", name="建築住宅課")
    road = CaseFactory(
        number="R7-KE-0101", title="市道改良工事", awarded_company=company, department=department
    )
    school = CaseFactory(
        number="R7-KE-0102",
        title="小学校改修工事",
        awarded_company=company,
        department=other_department,
    )
    design = CaseFactory(
        number="R7-GY-0201",
        title="橋梁設計業務委託",
        category="construction_service",
        awarded_company=other_company,
        department=department,
    )
    a = archived(road, contract_date=dt.date(2025, 5, 10), amount=55_000_000, tax=5_000_000)
    b = archived(school, contract_date=dt.date(2025, 9, 1), amount=11_000_000, tax=1_000_000)
    c = archived(design, contract_date=dt.date(2025, 12, 15), amount=6_600_000, tax=600_000)
    d = archived(
        road,
        contract_date=dt.date(2026, 2, 1),
        amount=66_000_000,
        tax=6_000_000,
        kind="change",
        original=a,
        title="市道改良工事（第1回変更）",
    )
    e = archived(
        road, contract_date=dt.date(2024, 6, 1), amount=2_200_000, tax=200_000, title="前年度の工事"
    )
    f = archived(school, contract_date=dt.date(2025, 10, 1), amount=3_300_000, status="rejected")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "other_company": other_company}
