"""Issue 25 in a real browser (Debian's Chromium driven by Playwright): the 中間前金払 認定 flow.
The contractor's 中間前金払認定請求書 is refused without a 工事履行報告書, the 中間前払金 is
refused until 認定; staff refuse (不認定, with a reason, mailed) and then certify (認定, mailed) a
second request on the application's admin page; then the 中間前払金 is filed."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.e2e.conftest import Shots
from tests.e2e.test_filing_flow import fill, login
from tests.factories import CaseFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def world(live_server, settings, company, department, contractor, section_staff):
    from applications import services
    from tests.applications.helpers import VALID, filed

    settings.SITE_URL = live_server.url
    settings.STAFF_REQUIRE_2FA = False
    today = dt.date.today()
    start = today - dt.timedelta(days=59)  # day 60 of a 100-day 工期
    case = CaseFactory(
        number="R7-KE-0301",
        title="市道2345号線道路改良工事",
        awarded_company=company,
        department=department,
        amount=50_000_000,
        period_start=start,
        period_end=start + dt.timedelta(days=99),
    )
    # what the contractor filed before: ④ chose 中間前金払, the 前払金 (accepted)
    filed(case, contractor, "midterm_choice")
    advance = filed(
        case,
        contractor,
        "advance_payment",
        data={**VALID["advance_payment"], "guarantee_until": case.period_end.isoformat()},
    )
    services.application_accept(application=advance, reviewer=section_staff)
    return {"base": live_server.url, "case": case, "today": today}


def open_form(page, base, case, title):
    page.goto(f"{base}{reverse('case_detail', args=[case.pk])}")
    page.get_by_role("link", name=re.compile(rf"提出する\s*（{re.escape(title)}）")).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()


def confirm_and_submit(page, title):
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("heading", name=f"{title}（確認）").wait_for()
    page.get_by_role("button", name="提出する").click()
    page.get_by_role("heading", name="受付完了").wait_for()


def midterm_request(page, base, case):
    """The 中間前払金 on ⑤, as the contractor types it; returns after 「確認画面へ進む」."""
    page.goto(f"{base}{reverse('applications:new', args=[case.pk, 'advance_payment'])}")
    for name, value in {
        "payment_type": "midterm",
        "requested_amount": "10,000,000",
        "guarantee_number": "31072-0003C",
        "guarantee_amount": "10,000,000",
        "guarantee_until": case.period_end.isoformat(),
        "certificate_form": "electronic",
        "bank_name": "足利銀行",
        "branch_name": "本店営業部",
        "account_type": "ordinary",
        "account_number": "1234567",
        "account_holder": "足利テスト建設（株）前払金専用口座",
    }.items():
        fill(page, name, value)
    page.get_by_role("button", name="確認画面へ進む").click()


def decide(page, base, application, *, reason=None):
    page.goto(f"{base}{reverse('admin:applications_application_change', args=[application.pk])}")
    page.get_by_role("heading", name="中間前金払の認定").wait_for()
    assert page.get_by_role("button", name="受理する").count() == 0  # a decision, not 受理
    if reason is None:
        page.get_by_role("button", name="認定する").click()
        page.get_by_text("中間前金払を認定しました。事業者にメールで通知しました。").wait_for()
    else:
        page.fill("#id_refuse_reason", reason)
        page.get_by_role("button", name="不認定とする").click()
        page.get_by_text("不認定としました。事業者にメールで通知しました。").wait_for()


def test_midterm_certification_walked_in_the_browser(browser, world, contractor, section_staff):
    from applications.models import Application, MidtermCertification

    base, case = world["base"], world["case"]
    shot = Shots("midterm")
    contractor_page = browser.new_context(locale="ja-JP").new_page()
    page = contractor_page
    login(page, base, contractor.email)

    # 1. the 認定請求書 before any 工事履行報告書: refused, and says what to file first
    open_form(page, base, case, "中間前金払認定請求書")
    fill(page, "pledge", True)
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_text("工事履行報告書が提出されていません。").wait_for()
    shot(page, "certification-refused-without-report")
    assert not Application.objects.filter(kind="midterm_certification", status="submitted")

    # 2. the 工事履行報告書
    open_form(page, base, case, "工事履行報告書")
    for name, value in {
        "reported_on": world["today"].isoformat(),
        "planned_rate": "50",
        "actual_rate": "55",
        "cost_incurred": "２７，０００，０００",
        "schedule_on_track": "yes",
        "remarks": "路盤工完了、表層工に着手",
    }.items():
        fill(page, name, value)
    confirm_and_submit(page, "工事履行報告書")
    shot(page, "report-filed")

    # 3. the 認定請求書 (the 下書き from step 1) now goes through
    draft = Application.objects.get(kind="midterm_certification")
    page.goto(f"{base}{reverse('applications:edit', args=[draft.pk])}")
    confirm_and_submit(page, "中間前金払認定請求書")

    # 4. the 中間前払金 before the 認定: refused
    midterm_request(page, base, case)
    page.get_by_text("中間前金払の認定を受けていないため、中間前払金は請求できません。").wait_for()
    shot(page, "midterm-refused-before-certification")

    # 5. staff: 不認定 with a reason (mailed), then a new request, 認定 (mailed)
    staff_page = browser.new_context(locale="ja-JP").new_page()
    login(staff_page, base, section_staff.email)
    mail.outbox.clear()
    decide(staff_page, base, draft, reason="工程表との対比資料を添付してください。")
    shot(staff_page, "refused")
    assert MidtermCertification.objects.get().decision == "refused"
    assert mail.outbox[-1].to == [contractor.email]
    assert "工程表との対比資料を添付してください。" in mail.outbox[-1].body

    page.goto(f"{base}{reverse('case_detail', args=[case.pk])}")
    page.get_by_role(
        "link", name=re.compile(r"改めて認定を請求する\s*（中間前金払認定請求書）")
    ).click()
    page.get_by_role("heading", name="中間前金払認定請求書", exact=True).wait_for()
    fill(page, "pledge", True)
    fill(page, "note", "工程表との対比資料を添付しました。")
    confirm_and_submit(page, "中間前金払認定請求書")
    second = Application.objects.filter(kind="midterm_certification").latest("id")
    decide(staff_page, base, second)
    shot(staff_page, "certified")
    assert "中間前金払を認定しました" in mail.outbox[-1].subject

    # 6. the 中間前払金 now files: the 下書き kept from step 4, from the case's checklist
    page.goto(f"{base}{reverse('case_detail', args=[case.pk])}")
    page.get_by_role(
        "link", name=re.compile(r"続きを入力\s*（前金払申請書及び前払金請求書）")
    ).click()
    assert page.input_value("[name=requested_amount]") == "10,000,000"
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("heading", name="前金払申請書及び前払金請求書（確認）").wait_for()
    page.get_by_role("button", name="提出する").click()
    page.get_by_role("heading", name="受付完了").wait_for()
    shot(page, "midterm-filed")
    midterm = Application.objects.filter(kind="advance_payment", status="submitted").get()
    assert midterm.data["payment_type"] == "midterm"
    assert midterm.data["requested_amount"] == 10_000_000
    staff_page.context.close()
    contractor_page.context.close()
