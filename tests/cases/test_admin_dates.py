"""Issue 23 「Dates as people write them」 in the 案件 admin: 開札日 and 工期 accept 和暦
(「令和7年9月4日」「令和七年九月四日」「R7.9.4」「R7/9/4」) and 西暦, are shown back in 和暦, and a
date before 明治 or one that never existed is refused with a Japanese message that gives an
example — nothing stored."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cases.constants import Category, ProcurementMethod
from cases.models import Case

EXAMPLE = "例: 令和7年9月4日"


def form_data(case: Case | None, department, company, **dates: str) -> dict[str, str]:
    """What the 案件 change form posts; the three dates as typed."""
    data = {
        "number": case.number if case else "R7-DT-0001",
        "title": case.title if case else "市道2145号線舗装工事",
        "place": "足利市本城3丁目地内",
        "category": Category.CONSTRUCTION.value,
        "department": str(department.pk),
        "procurement_method": ProcurementMethod.GENERAL.value,
        "opened_on": "",
        "awarded_company": str(company.pk),
        "amount": "50000000",
        "planned_price": "",
        "period_start": "",
        "period_end": "",
        "advance_payment": "on",
        "surety_exempt_reason": "",
        "_save": "保存",
    }
    data.update(dates)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "令和7年9月4日",
        "令和七年九月四日",
        "R7.9.4",
        "R7/9/4",
        "ｒ７．９．４",  # as an IME gives it
        "2025/9/4",
        "2025-09-04",
    ],
)
def test_change_form_reads_wareki_and_western(staff_client, case, department, company, typed):
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = staff_client.post(
        url,
        form_data(
            case,
            department,
            company,
            opened_on=typed,
            period_start="令和7年10月1日",
            period_end="2026/3/19",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.opened_on == date(2025, 9, 4)
    assert (case.period_start, case.period_end) == (date(2025, 10, 1), date(2026, 3, 19))


@pytest.mark.django_db
def test_change_form_shows_dates_in_wareki(staff_client, case):
    page = staff_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    # CaseFactory: 開札日 2025-10-20, 工期 2025-11-10 … 2026-03-19
    assert 'value="令和7年10月20日"' in page
    assert 'value="令和7年11月10日"' in page and 'value="令和8年3月19日"' in page
    assert 'type="date"' in page  # the calendar beside the box, for phones
    assert 'value="2025-10-20"' not in page


@pytest.mark.django_db
def test_add_form_reads_wareki(staff_client, department, company):
    response = staff_client.post(
        reverse("admin:cases_case_add"),
        form_data(
            None,
            department,
            company,
            opened_on="R7.9.4",
            period_start="令和七年十月一日",
            period_end="令和8年3月19日",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(number="R7-DT-0001")
    assert case.opened_on == date(2025, 9, 4)
    assert (case.period_start, case.period_end) == (date(2025, 10, 1), date(2026, 3, 19))


@pytest.mark.django_db
def test_calendar_value_is_used_when_the_box_is_empty(staff_client, case, department, company):
    data = form_data(case, department, company, opened_on="")
    data["opened_on__picker"] = "2025-09-04"
    response = staff_client.post(reverse("admin:cases_case_change", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.opened_on == date(2025, 9, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("令和元年4月30日", "という日付はありません"),  # 令和 began on 5月1日
        ("令和7年2月30日", "という日付はありません"),
        ("2025/2/29", "という日付はありません"),
        ("1800/1/1", "明治元年（1868年10月23日）より前の日付は入力できません"),
        ("慶応3年1月1日", "日付として読めません"),
        ("来週の月曜", "日付として読めません"),
    ],
)
def test_change_form_refuses_bad_dates_and_stores_nothing(
    staff_client, case, department, company, typed, message
):
    before = (case.opened_on, case.period_start, case.period_end, case.title)
    data = form_data(case, department, company, opened_on=typed, period_start="令和7年10月1日")
    data["title"] = "書き換えられてはならない件名"
    response = staff_client.post(reverse("admin:cases_case_change", args=[case.pk]), data)
    assert response.status_code == 200  # the form again, with the message
    page = response.content.decode()
    assert message in page and EXAMPLE in page
    case.refresh_from_db()
    assert (case.opened_on, case.period_start, case.period_end, case.title) == before


@pytest.mark.django_db
def test_add_form_refuses_a_bad_date_and_stores_nothing(staff_client, department, company):
    response = staff_client.post(
        reverse("admin:cases_case_add"),
        form_data(None, department, company, opened_on="R7.9.4", period_end="令和7年2月29日"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "という日付はありません" in page and EXAMPLE in page
    assert not Case.objects.filter(number="R7-DT-0001").exists()
