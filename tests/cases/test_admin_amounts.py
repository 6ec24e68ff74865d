"""The 案件 admin's 請負金額 and 予定価格 as clerks type them: 「8,000,000」, full-width digits,
「円」 — stored as integers, shown back with separators; an amount that cannot be read is refused
in Japanese and nothing is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.test_admin_dates import form_data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "planned"),
    [
        ("8,000,000", "8,500,000"),
        ("８，０００，０００円", "８５０００００"),  # as an IME gives it
        ("8000000", " 8 500 000 "),
    ],
)
def test_amounts_typed_with_separators_are_stored(
    staff_client, case, department, company, amount, planned
):
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = form_data(case, department, company, amount=amount, planned_price=planned)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.amount, case.planned_price) == (8_000_000, 8_500_000)
    page = staff_client.get(url).content.decode()
    assert 'value="8,000,000"' in page and 'value="8,500,000"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["八百万円", "8,000,000.5", "-8000000"])
def test_an_unreadable_amount_is_refused_and_nothing_stored(
    staff_client, case, department, company, typed
):
    before = case.amount
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = staff_client.post(url, form_data(case, department, company, amount=typed))
    assert response.status_code == 200
    page = response.content.decode()
    assert "金額は数字で入力してください（例: 20,000,000）。" in page or "円以上で入力" in page
    case.refresh_from_db()
    assert case.amount == before
