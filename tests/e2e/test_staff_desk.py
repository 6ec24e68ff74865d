"""Acceptance, in a real browser (Debian's Chromium driven by Playwright): a 契約管財課 clerk
imports a companies CSV and a cases CSV, sees the work queue, prepares a contract from a case in
at most four clicks with no value retyped, sees the PDF check (一致 on the demo contract, 不一致 on
a PDF with a wrong amount) and sends from the send page. Then the desk on a phone (360 px): the
queue, the send page, the archive, the dashboard, a signing request and an application; no page
scrolls sideways (a wide table scrolls inside its own box)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.e2e.conftest import Shots, no_sideways_scroll
from tests.e2e.test_browser_flow import staff_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "samples"
DEMO_PDF = ROOT / "portal" / "demo" / "contract-construction.pdf"


@pytest.fixture
def desk(live_server, settings, groups, section_staff, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Department

    settings.STAFF_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    Department.objects.update_or_create(
        code="doboku",
        defaults={
            "name": "土木課",
            "signer_name": "足利市長 早川 尚秀",
            "signer_email": "shicho@city.ashikaga.example",
        },
    )
    device = TOTPDevice.objects.create(user=section_staff, name="認証アプリ", confirmed=True)
    return {"base": live_server.url, "device": device, "tmp": tmp_path}


def import_csv(page, base, model: str, path: Path, shot, label: str) -> None:
    page.goto(f"{base}{reverse(f'admin:{model}_changelist')}")
    page.get_by_role("link", name="インポート").click()
    page.set_input_files("#id_import_file", str(path))
    page.get_by_role("button", name="確認する").click()
    page.get_by_text(re.compile(r"件を新規登録")).wait_for()
    shot(page, f"{label}-preview")
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_url(re.compile(rf"/admin/{model.replace('_', '/', 1)}/"))
    shot(page, f"{label}-imported")


def ready_for_contract(numbers, section_staff):
    """What happens outside the clerk's desk: the contractor files the 申出書 (accepted) and a
    paper 契約保証 is received."""
    from applications import services as application_services
    from cases.models import Case
    from surety.services import surety_record_other
    from tests.applications.helpers import filed
    from tests.factories import UserFactory

    for number in numbers:
        case = Case.objects.get(number=number)
        user = UserFactory(company=case.awarded_company)
        application = filed(case, user)
        application_services.application_accept(application=application, reviewer=section_staff)
        surety_record_other(
            case=case,
            user=section_staff,
            product="performance",
            form="paper",
            issuer_type="bank",
            issuer="足利銀行",
            guarantee_number=f"BANK-{case.pk}",
            received_on=dt.date(2025, 11, 20),
            amount=case.amount // 10,
        )


def test_a_clerks_day_at_the_desk(browser, desk, section_staff):
    from cases.models import Case
    from contracts.models import Contract, SigningRequest
    from portal.demo.contract_pdf import build_contract_pdf

    base = desk["base"]
    shot = Shots("desk")
    page = browser.new_context(locale="ja-JP").new_page()
    staff_login(page, {"base": base, "device": desk["device"]}, section_staff)

    # 1. the 入札参加資格者名簿 and the 開札結果 come in as CSV (the cases file as Excel saves it)
    import_csv(page, base, "accounts_company", SAMPLES / "companies.csv", shot, "companies")
    import_csv(page, base, "cases_case", SAMPLES / "cases-sjis.csv", shot, "cases")
    assert Case.objects.count() == 4

    ready_for_contract(["R7-KE-0001", "R7-KE-0101"], section_staff)

    # 2. the queue on the admin index
    page.goto(f"{base}/admin/")
    queue = page.locator("#queue-review")
    queue.wait_for()
    assert page.locator("#queue-sureties .count").get_attribute("data-count") == "2"
    shot(page, "queue")

    # 3. a contract from the case: open the case, 契約書を作成する, choose the PDF, create
    clicks = 0
    page.goto(f"{base}{reverse('admin:cases_case_changelist')}")
    page.get_by_role("link", name="R7-KE-0001").click()
    clicks += 1
    page.get_by_role("link", name="契約書を作成する").click()
    clicks += 1
    assert page.input_value("#id_title") == "市道1234号線道路改良工事"  # nothing retyped
    assert page.input_value("#id_amount") == "50,000,000"  # shown as people write it
    assert page.input_value("#id_tax_amount") == "4,545,454"
    assert page.input_value("#id_period_start") == "令和7年11月10日"  # shown back in 和暦
    page.set_input_files("#id_upload", str(DEMO_PDF))
    clicks += 1
    shot(page, "prepare")
    page.get_by_role("button", name="契約書を作成する").click()
    clicks += 1
    assert clicks <= 4

    # 4. the send page: the PDF agrees with the case
    check = page.locator("#pdf-check")
    check.wait_for()
    assert check.locator("td.check-match").count() == 6
    assert check.locator("td.check-mismatch").count() == 0
    assert "山田 太郎" in page.locator("#signers").inner_text()
    shot(page, "send-page-match")

    # 5. another case with a PDF whose amount is wrong: 不一致, and no send without a reason
    wrong = desk["tmp"] / "契約書_金額誤り.pdf"
    wrong.write_bytes(
        build_contract_pdf(
            title="市道2201号線舗装補修工事",
            period="令和7年12月1日から令和8年3月19日まで",
            amount="金 33,000,000 円",
            tax="金 3,000,000 円",
            company="足利テスト建設 株式会社",
            address="栃木県足利市本城三丁目2145番地",
        )
    )
    other = Case.objects.get(number="R7-KE-0101")
    page.goto(f"{base}{reverse('admin:cases_case_change', args=[other.pk])}")
    page.get_by_role("link", name="契約書を作成する").click()
    page.set_input_files("#id_upload", str(wrong))
    page.get_by_role("button", name="契約書を作成する").click()
    mismatch = page.locator("#pdf-check td.check-mismatch")
    mismatch.first.wait_for()
    amount_row = page.locator("#pdf-check tr", has_text="請負代金額")
    assert "不一致" in amount_row.inner_text() and "33,000,000円" in amount_row.inner_text()
    shot(page, "send-page-mismatch")
    page.get_by_role("button", name="電子署名に送信する").click()
    page.get_by_text(re.compile("請負代金額が一致しません")).first.wait_for()
    assert not SigningRequest.objects.filter(contract__case=other).exists()

    # 6. send the one that agrees, from its send page
    contract = Contract.objects.get(case__number="R7-KE-0001")
    page.goto(f"{base}{reverse('admin:contracts_contract_send', args=[contract.pk])}")
    page.get_by_role("button", name="電子署名に送信する").click()
    page.get_by_text(re.compile("契約を送信しました")).wait_for()
    shot(page, "sent")
    assert SigningRequest.objects.filter(contract=contract).count() == 1
    contract.refresh_from_db()
    assert contract.status == "signing"

    # 7. the same desk on a phone: no page scrolls sideways (wide tables scroll in their own box)
    # (with a concluded contract in the archive: its signed PDF and 合意締結証明書, SHA-256 and all)
    from django.utils import timezone

    from tests.factories import archived

    third = Case.objects.exclude(number__in=["R7-KE-0001", "R7-KE-0101"]).first()
    concluded = archived(third, contract_date=timezone.localdate(), amount=third.amount)
    page.set_viewport_size({"width": 360, "height": 740})
    signing_request = SigningRequest.objects.get(contract=concluded)
    application = contract.case.applications.get(kind="econtract")
    for label, url in (
        ("queue", reverse("admin:index")),
        ("send", reverse("admin:contracts_contract_send", args=[contract.pk])),
        ("archive", reverse("admin:contracts_contract_archive")),
        ("dashboard", reverse("admin:contracts_contract_dashboard")),
        (
            "signing-request",
            reverse("admin:contracts_signingrequest_change", args=[signing_request.pk]),
        ),
        ("application", reverse("admin:applications_application_change", args=[application.pk])),
    ):
        page.goto(base + url)
        no_sideways_scroll(page, f"{label} (360 px)")
        shot(page, f"{label}-360")
        if label == "send":  # the signers' table is still all there: it scrolls in its box
            box = page.locator("#signers .table-wrap")
            assert box.evaluate("e => e.scrollWidth > e.clientWidth")
            assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
