"""The archive's conditions as people type them, and a condition that cannot be read.

- 取引先 and キーワード are compared in their NFKC form on both sides (core/search.py):
  「（第１回変更）」 finds 「（第1回変更）」, 「㈱渡良瀬」 and 「(株)渡良瀬」 find 「㈱渡良瀬設計」.
- Amounts typed with separators: 「11,000,000」「１１，０００，０００円」.
- A reversed range or an impossible date lists nothing and exports nothing (it used to be
  ignored: every contract listed, and the CSV of every contract downloaded).
- The contractor's 取引先 is the city (index.csv says 「足利市」), by its 担当課.
"""

import pytest
from django.urls import reverse

from accounts.models import Company
from core.models import AuditEvent

ARCHIVE = "admin:contracts_contract_archive"
EXPORT = "admin:contracts_contract_archive_export"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, section_staff):
    client.force_login(section_staff)
    return client


def titles(response) -> list[str]:
    assert response.status_code == 200
    return sorted(c.title for c, _ in response.context["rows"])


@pytest.mark.parametrize("keyword", ["（第１回変更）", "(第1回変更)", "第１回"])
def test_keyword_as_typed(staff, dataset, keyword):
    response = staff.get(reverse(ARCHIVE), {"status": "", "keyword": keyword})
    assert titles(response) == ["市道改良工事（第1回変更）"]


@pytest.mark.parametrize("counterparty", ["㈱渡良瀬", "(株)渡良瀬", "（株）渡良瀬設計"])
def test_counterparty_as_typed(staff, dataset, counterparty):
    Company.objects.filter(pk=dataset["other_company"].pk).update(name="㈱渡良瀬設計")
    response = staff.get(reverse(ARCHIVE), {"status": "", "counterparty": counterparty})
    assert titles(response) == ["橋梁設計業務委託"]


BAD = [
    {"date_from": "R8.12.31", "date_to": "R8.12.1"},  # 和暦, reversed
    {"amount_min": "50,000,000", "amount_max": "1,000,000"},
    {"amount_min": "五千万"},
    {"date_from": "令和8年12月40日"},
]


@pytest.mark.parametrize("params", BAD)
def test_a_condition_that_cannot_be_read_lists_nothing(staff, dataset, params):
    response = staff.get(reverse(ARCHIVE), {"status": "", **params})
    assert response.context["form"].errors
    assert titles(response) == []


@pytest.mark.parametrize("params", BAD)
def test_a_condition_that_cannot_be_read_exports_nothing(staff, dataset, params):
    before = AuditEvent.objects.filter(action="archive.exported").count()
    response = staff.get(reverse(EXPORT), {"status": "", **params}, follow=True)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "検索条件に誤りがあるため、CSVを出力できませんでした。" in page
    assert response.context["form"].errors  # back on the search, the condition shown wrong
    assert AuditEvent.objects.filter(action="archive.exported").count() == before


def test_a_good_condition_still_exports(staff, dataset):
    response = staff.get(reverse(EXPORT), {"status": "", "keyword": "(第1回変更)"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "市道改良工事（第1回変更）" in body
    assert "小学校改修工事" not in body


@pytest.mark.parametrize("amount", ["11,000,000", "１１，０００，０００円", "11000000"])
def test_amounts_as_typed(staff, dataset, amount):
    response = staff.get(
        reverse(ARCHIVE), {"status": "", "amount_min": amount, "amount_max": "55,000,000"}
    )
    assert titles(response) == ["小学校改修工事", "市道改良工事"]


CONTRACTOR_ALL = ["前年度の工事", "小学校改修工事", "市道改良工事", "市道改良工事（第1回変更）"]


@pytest.mark.parametrize(
    ("counterparty", "expected"),
    [
        ("足利市", CONTRACTOR_ALL),
        ("足利", CONTRACTOR_ALL),
        ("建築住宅課", ["小学校改修工事"]),
        ("足利市 建築住宅課", ["小学校改修工事"]),
        ("足利市土木課", ["前年度の工事", "市道改良工事", "市道改良工事（第1回変更）"]),
        ("横浜市", []),
        ("足利テスト建設", []),  # the contractor's own name is not its counterparty
    ],
)
def test_the_contractors_counterparty_is_the_city(
    client, contractor, dataset, counterparty, expected
):
    client.force_login(contractor)
    response = client.get(reverse("signed_contracts"), {"counterparty": counterparty})
    assert titles(response) == expected
    assert "取引先（足利市・担当課）" in response.content.decode()


def test_the_contractors_reversed_range_lists_nothing(client, contractor, dataset):
    client.force_login(contractor)
    response = client.get(
        reverse("signed_contracts"), {"date_from": "R8.12.31", "date_to": "R8.12.1"}
    )
    assert "契約日の範囲が逆になっています。" in response.content.decode()
    assert titles(response) == []


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("R7-KE-0101", ["前年度の工事", "市道改良工事", "市道改良工事（第1回変更）"]),
        ("Ｒ７－ＫＥ－０１０２", ["小学校改修工事"]),
        ("R7-GY-0201", []),  # another company's case: its number finds nothing here
    ],
)
def test_the_contractors_keyword_finds_its_own_case_numbers(
    client, contractor, dataset, keyword, expected
):
    client.force_login(contractor)
    response = client.get(reverse("signed_contracts"), {"keyword": keyword})
    assert titles(response) == expected
