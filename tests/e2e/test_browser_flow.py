"""The whole flow as people do it, in a real browser (Debian's Chromium driven by Playwright),
against the live server with a real Celery worker and the CloudSign sandbox. Screenshots of each
step go to test-output/e2e/ with E2E_SCREENSHOTS=1; every contractor page passes axe-core (no
serious or critical violations)."""

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ashikaga_portal.celery import app as celery_app
from tests.e2e.conftest import (
    DATA,
    Shots,
    check_accessibility,
    chromium_or_skip,
    no_sideways_scroll,
)
from tests.factories import PASSWORD, CaseFactory

chromium_or_skip()

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def login(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def link_for(address: str) -> str:
    for message in reversed(mail.outbox):
        if message.to == [address] and "確認依頼" in message.subject:
            return re.search(r"(http://\S+/sandbox/cloudsign/sign/\S+/)", message.body).group(1)
    raise AssertionError(f"no 確認依頼 mail to {address}")


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


@pytest.fixture
def world(live_server, settings, groups, department, company, contractor, section_staff):
    settings.CLOUDSIGN_API_BASE = live_server.url + "/sandbox/cloudsign"
    settings.SITE_URL = live_server.url
    settings.STAFF_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    import esign.factory

    esign.factory._client = None
    department.signer_name = "足利市長 早川 尚秀"
    department.signer_email = "shicho@city.ashikaga.example"
    department.save()
    case = CaseFactory(
        number="R7-KE-0001",
        title="市道1234号線道路改良工事",
        awarded_company=company,
        department=department,
        amount=50_000_000,
        period_start=dt.date(2025, 11, 10),
        period_end=dt.date(2026, 3, 19),
    )
    device = TOTPDevice.objects.create(user=section_staff, name="認証アプリ", confirmed=True)
    return {"case": case, "device": device, "base": live_server.url}


def staff_login(page, world, staff):
    login(page, world["base"], staff.email)
    device = world["device"]
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="確認").click()
    page.wait_for_url(re.compile(r"/admin/"))


def test_the_whole_flow_in_a_browser(browser, world, contractor, section_staff):
    from contracts import services as contract_services
    from contracts.models import Contract, SignedDocument, SigningRequest
    from contracts.tasks import sync_signing_status
    from surety.models import SuretyCertificate
    from tests.pdfs import pdf_upload

    base, case = world["base"], world["case"]
    shot = Shots("flow")
    context = browser.new_context(locale="ja-JP", accept_downloads=True)
    page = context.new_page()

    # 1. the contractor files the 電子契約利用申出書
    login(page, base, contractor.email)
    page.get_by_role("link", name=case.title).click()
    check_accessibility(page)
    shot(page, "case")
    page.get_by_role("link", name=re.compile(r"提出する\s*（電子契約利用申出書）")).click()
    page.fill("#id_signer_name", "山田 太郎")
    page.fill("#id_signer_email", "yamada@ashikaga-test.example")
    page.fill("#id_staff1_name", "佐藤 一郎")
    page.fill("#id_staff1_email", "sato@ashikaga-test.example")
    check_accessibility(page)
    shot(page, "econtract-form")
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("heading", name="電子契約利用申出書（確認）").wait_for()
    page.get_by_role("button", name="提出する").click()
    page.get_by_text(re.compile("到達番号は")).wait_for()
    check_accessibility(page)
    shot(page, "econtract-filed")

    # 2. … and the 認証キーのお知らせ (契約保証): read, confirmed, filed
    page.goto(f"{base}{reverse('applications:new', args=[case.pk, 'surety_notice'])}")
    page.set_input_files("#id_upload", str(DATA / "surety-notice-performance.pdf"))
    page.get_by_role("button", name="下書き保存").click()
    page.get_by_text("PDFを読み取りました。").wait_for()
    assert page.input_value("#id_guarantee_number") == "31072-0002K"
    check_accessibility(page)
    shot(page, "surety-read")
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="提出する").click()
    page.get_by_text(re.compile("到達番号は")).wait_for()
    assert "Q7mD2xKp9LwA" not in page.content()  # masked after filing
    shot(page, "surety-filed")

    # 3. staff, with 2FA, accept the 申出書 and verify the surety in the admin
    staff_page = context.browser.new_context(locale="ja-JP").new_page()
    staff_login(staff_page, world, section_staff)
    from applications.models import Application

    econtract = Application.objects.get(kind="econtract")
    staff_page.goto(
        f"{base}{reverse('admin:applications_application_change', args=[econtract.pk])}"
    )
    shot(staff_page, "staff-application")
    staff_page.get_by_role("button", name="受理する").click()
    staff_page.get_by_text("申請を受理しました。").wait_for()
    shot(staff_page, "staff-accepted")
    certificate = SuretyCertificate.objects.get()
    staff_page.goto(
        f"{base}{reverse('admin:surety_suretycertificate_change', args=[certificate.pk])}"
    )
    staff_page.fill("#id_holder", "足利テスト建設 株式会社")
    staff_page.fill("#id_beneficiary", "足利市長")
    staff_page.fill("#id_amount", "5000000")
    staff_page.fill("#id_expires_on", "2026-03-19")
    staff_page.fill("#id_certificate_construction_name", case.title)
    staff_page.fill("#id_contract_amount", "50000000")
    staff_page.click("input[name=_continue]")
    assert staff_page.is_checked("#id_accept_application")  # the notice is 受理 in the same step
    staff_page.get_by_role("button", name="確認済にする").click()
    staff_page.get_by_text("確認済にし、認証キーのお知らせの申請を受理しました。").wait_for()
    assert Application.objects.get(kind="surety_notice").status == "accepted"
    shot(staff_page, "staff-surety-verified")

    # 4. staff send the contract (prepared with its PDF) from the admin
    contract = contract_services.contract_create(
        case=case, user=section_staff, tax_amount=4_545_454
    )
    contract_services.contract_add_file(contract=contract, user=section_staff, upload=pdf_upload())
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        staff_page.goto(f"{base}{reverse('admin:contracts_contract_send', args=[contract.pk])}")
        staff_page.get_by_role("button", name="電子署名に送信する").click()
        staff_page.get_by_text(re.compile("契約を送信しました")).wait_for()
        shot(staff_page, "staff-sent")
        wait_for(lambda: SigningRequest.objects.filter(status="waiting").exists())

        # 5. the contractor's signer, then the city's signer, agree in the sandbox
        for address, label in (
            ("yamada@ashikaga-test.example", "contractor-signs"),
            ("shicho@city.ashikaga.example", "city-signs"),
        ):
            signer = context.browser.new_context(locale="ja-JP").new_page()
            signer.goto(link_for(address))
            shot(signer, label)
            signer.get_by_role("button", name="書類の内容に同意").click()
            signer.get_by_text("書類の内容に同意しました。").wait_for()

        # 6. the sync stores the signed PDF
        sync_signing_status.delay()
        wait_for(lambda: SigningRequest.objects.filter(stored_at__isnull=False).exists())
    contract.refresh_from_db()
    assert contract.status == "concluded"

    # 7. the contractor downloads the signed PDF
    page.goto(f"{base}{reverse('contract_detail', args=[contract.pk])}")
    check_accessibility(page)
    shot(page, "contract-concluded")
    signed = SignedDocument.objects.get(kind="signed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("締結済み契約書: ")).click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == signed.sha256
    # pyHanko runs its own event loop: validate outside Playwright's thread
    from concurrent.futures import ThreadPoolExecutor

    from esign_sandbox import pki
    from tests.esign.helpers import signature_status

    with ThreadPoolExecutor(1) as pool:
        status = pool.submit(signature_status, data, str(pki.ca_pem_path())).result()
    assert status.bottom_line
    page.goto(f"{base}{reverse('signed_contracts')}")
    check_accessibility(page)
    shot(page, "signed-contracts")
    assert Contract.objects.get(pk=contract.pk).contract_date is not None
    context.close()


def test_a_return_round_trip_in_a_browser(browser, world, contractor, section_staff):
    from applications.models import Application

    base, case = world["base"], world["case"]
    shot = Shots("return")
    page = browser.new_context(locale="ja-JP").new_page()
    login(page, base, contractor.email)
    page.goto(f"{base}{reverse('applications:new', args=[case.pk, 'schedule'])}")
    page.set_input_files("#id_upload", str(DATA / "contract-construction.pdf"))
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="提出する").click()
    page.get_by_text(re.compile("到達番号は")).wait_for()
    application = Application.objects.get(kind="schedule")

    staff_page = browser.new_context(locale="ja-JP").new_page()
    staff_login(staff_page, world, section_staff)
    staff_page.goto(
        f"{base}{reverse('admin:applications_application_change', args=[application.pk])}"
    )
    staff_page.fill("#id_reason", "舗装工の工程が工期末を超えています。")
    staff_page.get_by_role("button", name="差し戻す").click()
    staff_page.get_by_text("申請を差し戻しました。").wait_for()
    shot(staff_page, "staff-returned")

    page.goto(f"{base}{reverse('applications:detail', args=[application.pk])}")
    page.get_by_text("舗装工の工程が工期末を超えています。").wait_for()
    check_accessibility(page)
    shot(page, "contractor-sees-return")
    page.get_by_role("link", name="修正して再提出").click()
    page.get_by_text("新しいPDFを添付すると前回提出したもの").wait_for()  # what a new 工程表 does
    shot(page, "edit-after-return")
    page.set_viewport_size({"width": 360, "height": 800})
    no_sideways_scroll(page, "edit-after-return")
    shot(page, "edit-after-return-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("#id_note", "工程を修正しました")
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_text("舗装工の工程が工期末を超えています。").wait_for()  # what staff asked
    page.get_by_role("button", name="再提出する").click()
    page.get_by_text(re.compile("到達番号は")).wait_for()
    application.refresh_from_db()
    assert application.status == "submitted" and application.revision == 2
    page.get_by_text("工程表の再提出を受け付けました。").wait_for()
    shot(page, "resubmitted")


def test_phone_sized_pages(browser, world, contractor):
    base, case = world["base"], world["case"]
    shot = Shots("phone")
    context = browser.new_context(
        locale="ja-JP",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
    )
    page = context.new_page()
    login(page, base, contractor.email)
    for label, url in (
        ("home", reverse("home")),
        ("case", reverse("case_detail", args=[case.pk])),
        ("econtract", reverse("applications:new", args=[case.pk, "econtract"])),
        ("contracts", reverse("contract_list")),
        ("signed", reverse("signed_contracts")),
        ("otp", reverse("accounts:otp_setup")),
    ):
        page.goto(base + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{label}: horizontal scroll ({width}px)"
        check_accessibility(page)
        shot(page, label)
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(re.compile("/accounts/login/"))
    check_accessibility(page)
    shot(page, "login")
