"""A case is named as its category names it (cases.constants.TITLE_LABELS): a 物品購入 has a
物件名, a 納入場所, a 契約金額 and a 納入期間 — not a 請負金額 and a 工期 — on the contractor's
case page and home, and on the staff page that prepares its contract."""

import re

import pytest
from django.urls import reverse

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def terms(page: str) -> list[str]:
    return re.findall(r"<(?:dt|th scope=\"row\")>([^<]+)</(?:dt|th)>", page)


@pytest.mark.parametrize(
    ("category", "expected", "absent"),
    [
        (
            "goods",
            ["物件名", "納入場所", "契約金額（税込）", "納入期間"],
            ["工期", "請負金額（税込）"],
        ),
        (
            "service",
            ["委託名", "履行場所", "委託料（税込）", "履行期間"],
            ["工期", "請負金額（税込）"],
        ),
        ("construction", ["工事名", "工事場所", "請負金額（税込）", "工期"], ["納入期間"]),
    ],
)
def test_case_page_and_home(client, contractor, company, department, category, expected, absent):
    case = CaseFactory(awarded_company=company, department=department, category=category)
    client.force_login(contractor)
    shown = terms(client.get(reverse("case_detail", args=[case.pk])).content.decode())
    assert set(expected) <= set(shown)
    assert not set(absent) & set(shown)
    home = terms(client.get(reverse("home")).content.decode())
    assert expected[2].removesuffix("（税込）") in home


def test_staff_prepare_page(client, section_staff, company, department):
    case = CaseFactory(awarded_company=company, department=department, category="goods")
    client.force_login(section_staff)
    response = client.get(reverse("admin:contracts_contract_prepare", args=[case.pk]))
    assert response.status_code == 200
    shown = terms(response.content.decode())
    assert {"物件名", "納入場所", "契約金額（税込）", "納入期間"} <= set(shown)
    assert "工期" not in shown
