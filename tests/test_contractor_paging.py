"""Contractor lists are paged (20 a page): a page's cost does not grow with the company's
history, and every case is still reachable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_home_pages_through_every_case(client, contractor, department):
    cases = [
        CaseFactory(
            awarded_company=contractor.company,
            department=department,
            title=f"第{i:02d}号 市道改良工事",
            opened_on=dt.date(2025, 4, 1) + dt.timedelta(days=i),
        )
        for i in range(25)
    ]
    client.force_login(contractor)
    first = client.get(reverse("home")).content.decode()
    second = client.get(reverse("home"), {"page": 2}).content.decode()
    newest, oldest = cases[-1].title, cases[0].title
    assert newest in first and oldest not in first  # newest first
    assert oldest in second and newest not in second
    assert "1 / 2ページ（全25件）" in first and 'rel="next"' in first
    assert 'href="?page=1"' in second
    shown = sum(case.title in first + second for case in cases)
    assert shown == 25
    # a page number typed wrong lands on a real page
    assert client.get(reverse("home"), {"page": "abc"}).status_code == 200
    assert oldest in client.get(reverse("home"), {"page": 99}).content.decode()
