"""The contractor's home: per case the next action, the most urgent first; 状況 follows the
contract; a fixed number of queries whatever the number of cases."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services
from contracts.models import Signer
from core.wareki import format_wareki
from tests.applications.helpers import filed
from tests.factories import CaseFactory, archived


@pytest.fixture
def logged_in(client, contractor):
    client.force_login(contractor)
    return client


def cards(page: str) -> list[str]:
    return page.split('<li class="card">')[1:]


@pytest.mark.django_db
def test_home_says_what_to_do_next_most_urgent_first(
    logged_in, company, department, contractor, section_staff
):
    quiet = CaseFactory(awarded_company=company, department=department, title="静かな工事")
    for kind in ("econtract", "site_agent", "advance_payment"):
        filed(quiet, contractor, kind)
    filed(quiet, contractor, "schedule", with_pdf="schedule")
    returned_case = CaseFactory(
        awarded_company=company, department=department, title="差戻しの工事"
    )
    returned = filed(returned_case, contractor)
    deadline = timezone.localdate() + dt.timedelta(days=3)
    services.application_return(
        application=returned, reviewer=section_staff, reason="押印", deadline=deadline
    )
    CaseFactory(
        awarded_company=company, department=department, title="未着手の工事", advance_payment=False
    )
    signing_case = CaseFactory(awarded_company=company, department=department, title="署名中の工事")
    contract = archived(
        signing_case, contract_date=timezone.localdate(), amount=1_100_000, status="signing"
    )
    expiry = timezone.now() + dt.timedelta(days=5)
    Signer.objects.filter(signing_request__contract=contract, role="contractor").update(
        link_expires_at=expiry
    )
    done_case = CaseFactory(awarded_company=company, department=department, title="締結済の工事")
    for kind in ("econtract", "site_agent", "advance_payment"):
        filed(done_case, contractor, kind)
    filed(done_case, contractor, "schedule", with_pdf="schedule")
    concluded = archived(done_case, contract_date=dt.date(2025, 12, 1), amount=2_200_000)

    page = logged_in.get(reverse("home")).content.decode()
    order = [re.search(r">([^<]+)</a></h2>", c).group(1) for c in cards(page)]
    assert order == ["差戻しの工事", "署名中の工事", "未着手の工事", "締結済の工事", "静かな工事"]
    by_title = dict(zip(order, cards(page), strict=True))
    assert f"差戻し（期限 {format_wareki(deadline)}）" in by_title["差戻しの工事"]
    assert reverse("applications:edit", args=[returned.pk]) in by_title["差戻しの工事"]
    local_expiry = timezone.localtime(expiry).date()
    expected = f"署名依頼中 — 有効期限 {format_wareki(local_expiry)}"
    assert expected in by_title["署名中の工事"]
    assert "署名依頼中</span>" in by_title["署名中の工事"]
    # 電子契約利用申出書, 現場代理人…, 工程表 (no 前払金 on this case)
    assert "未提出の書類 3 件" in by_title["未着手の工事"]
    assert "前金払申請書" not in by_title["未着手の工事"]
    assert "締結済 — ダウンロード" in by_title["締結済の工事"]
    assert reverse("contract_detail", args=[concluded.pk]) in by_title["締結済の工事"]
    assert "締結済</span>" in by_title["締結済の工事"] and ">落札<" not in by_title["締結済の工事"]
    assert "現在、対応が必要なことはありません。" in by_title["静かな工事"]
    assert ">落札<" in by_title["静かな工事"]


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_cases(logged_in, company, department, contractor):
    def make(n):
        for i in range(n):
            case = CaseFactory(awarded_company=company, department=department)
            filed(case, contractor, "econtract", submit=i % 2 == 0)
            if i % 3 == 0:
                archived(
                    case, contract_date=dt.date(2025, 12, 1), amount=1_100_000, status="signing"
                )

    make(3)
    logged_in.get(reverse("home"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        logged_in.get(reverse("home"))
    make(27)
    with CaptureQueriesContext(connection) as many:
        page = logged_in.get(reverse("home")).content.decode()
    assert len(cards(page)) == 20  # the first page of 30, most urgent first
    assert "1 / 2ページ（全30件）" in page
    assert len(many) == len(few) <= 12, [q["sql"][:90] for q in many.captured_queries]
