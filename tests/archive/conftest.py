import datetime as dt

import pytest

from tests.factories import CaseFactory, CompanyFactory, DepartmentFactory, archived


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
